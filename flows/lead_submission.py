"""A lead submission on the one event path: the typed payload of a checked lead, its lead event, and the answer
the intake route gives once the leads handler has run it (or again, for a repeat of the same submission).

The answer is read back from what the flow wrote, not handed over in memory, so it is the same whichever worker
or replica handled the event: the lead whose intake key is the submission's (it created that lead), else the
newest lead of the customer it merged into. A submission still waiting in the inbox has no answer yet (None).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.context import Context
from bot.core.events import Event
from bot.core.lead_submitted import CANONICAL, KIND, PLATFORM, LeadSubmitted
from bot.core.vocab import LeadStatus
from flows.lead_io import IntakeResult
from sales import intake
from storage.models import Lead
from storage.repos import inbox
from storage.repos import lead_batch as rb
from storage.repos import leads as repo
from storage.repos.inbox_writer import DONE

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def submitted(key: str, li: intake.LeadInput, payload: dict) -> LeadSubmitted:
    """The typed payload of a validated lead posted as `payload` under intake key `key`."""
    return LeadSubmitted(li.channel, key, li.mobile, li.company_key, unmapped=dict(li.unmapped),
                         posted=dict(payload), **{name: li.get(name) for name in CANONICAL})


def lead_input(sub: LeadSubmitted) -> intake.LeadInput:
    """The lead flow's input for a submitted lead (the fields validate() returned)."""
    fields = {name: value for name in CANONICAL if (value := getattr(sub, name))}
    if sub.mobile:
        fields["mobile_phone"] = sub.mobile
    return intake.LeadInput(sub.channel, fields, sub.mobile, sub.company_key, dict(sub.unmapped))


def event_of(sub: LeadSubmitted) -> Event:
    """The lead event, keyed by the intake key: the inbox takes one submission once, however often it is sent."""
    return Event(platform=PLATFORM, kind=KIND, dedupe_key=sub.key, raw=sub.to_raw())



async def answer(ctx: Context, sub: LeadSubmitted, repeat: bool) -> IntakeResult | None:
    """What the route answers for a submission (a repeat is `duplicate`); None while it waits to be handled."""
    s = ctx.session
    found = (await rb.leads_by_key(s, [sub.key])).get(sub.key)
    if found is not None:
        lead_id, owner = found
        status = "duplicate" if repeat else LeadStatus.ASSIGNED.value if owner else "queued"
    else:
        merged = await _merged_into(ctx, sub)
        if merged is None:
            return None
        lead_id, owner, status = merged.id, merged.owner_id, "duplicate"
    names = await rb.member_names(s, {owner} if owner else set())
    return IntakeResult(lead_id, status, names.get(owner) if owner else None)


async def _merged_into(ctx: Context, sub: LeadSubmitted) -> Lead | None:
    """The lead a handled submission came back to: its customer's newest lead (None before it is handled)."""
    if await inbox.status_of(ctx.session, PLATFORM, sub.key) != DONE:
        return None
    customer = await repo.find_customer(ctx.session, sub.mobile, sub.wecom_external_userid, sub.company_key)
    return await repo.recent_lead_of(ctx.session, customer.id, EPOCH) if customer is not None else None
