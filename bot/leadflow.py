"""The lead flow: a mapped payload becomes a lead (or merges into one), gets an owner, and the owner hears of it.

Used by the intake route, `salesbot intake replay`, and the SLA scan (re-distribution after a reclaim).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.context import Context
from bot.targets import personal_chats
from cards.views import came_back_card, lead_card
from handlers.leads import view
from sales import distribution as dist
from sales import intake, sla
from sales.names import mask_mobile
from storage.models import Customer, Lead
from storage.repos import leads as repo
from storage.repos import members as members_repo


@dataclass(frozen=True)
class IntakeResult:
    """The intake answer: 201 {"lead_id", "status", "owner"}."""

    lead_id: int
    status: str  # assigned | duplicate | queued
    owner: str | None

    def to_json(self) -> dict[str, Any]:
        """The response body of INTERFACE.md."""
        return {"lead_id": self.lead_id, "status": self.status, "owner": self.owner}


async def field_map(ctx: Context, channel: str) -> tuple[dict[str, str], str]:
    """Return the channel's effective field map (pack, then config on top) and default source."""
    pack = await repo.mapping(ctx.session, channel)
    cfg = ctx.settings.intake.channels.get(channel) or {}
    fmap = {**(pack.field_map if pack else {}), **(cfg.get("field_map") or {})}
    return fmap, str(cfg.get("default_source") or (pack.default_source if pack else ""))


async def receive(ctx: Context, channel: str, body: bytes, content_type: str) -> IntakeResult:
    """Turn one request body into a lead; raise intake.IntakeInvalid when it cannot be one."""
    key = intake.intake_key(channel, body)
    same = await repo.by_intake_key(ctx.session, key)
    if same is not None:  # the identical submission again: archived by reference, one lead
        await repo.add_event(ctx.session, same.id, "duplicate", ctx.now(), note=channel, data={"intake_key": key})
        return IntakeResult(same.id, "duplicate", await _owner_name(ctx, same.owner_id))
    payload = intake.parse_body(body, content_type)
    fmap, source = await field_map(ctx, channel)
    return await accept(ctx, intake.validate(channel, payload, fmap, source), payload, key)


async def accept(ctx: Context, li: intake.LeadInput, payload: dict, key: str) -> IntakeResult:
    """Merge into the customer's recent lead, or create the lead and distribute it."""
    now, s = ctx.now(), ctx.session
    ext = li.get("wecom_external_userid")
    customer = await repo.find_customer(s, li.mobile, ext, li.company_key)
    if customer is not None:
        window = timedelta(days=ctx.settings.leads.dedupe_window_days)
        recent = await repo.recent_lead_of(s, customer.id, now - window)
        if recent is not None:
            return await _came_back(ctx, recent, customer, li, payload, key)
    else:
        customer = await _new_customer(ctx, li)
    await repo.ensure_contact(s, customer.id, li.get("contact_name"), li.mobile, ext)
    lead = Lead(channel=li.channel, source=li.get("source"), customer_id=customer.id,
                contact_name=li.get("contact_name"), mobile=li.mobile or "", need=li.get("need"), status="new",
                received_at=now, first_response_due_at=due_at(ctx, now), intake_key=key,
                extra={"raw": payload, "unmapped": li.unmapped, **_facts_extra(li)})
    s.add(lead)
    await s.flush()
    await repo.add_event(s, lead.id, "received", now, note=f"{li.channel} · {li.get('source')}")
    if customer.owner_id and await _can_own(ctx, customer.owner_id):
        await set_owner(ctx, lead, customer.owner_id, "existing customer's owner (one customer, one owner)")
    else:
        await distribute(ctx, lead, customer)
    return IntakeResult(lead.id, "assigned" if lead.owner_id else "queued", await _owner_name(ctx, lead.owner_id))


def due_at(ctx: Context, received: datetime) -> datetime:
    """The first-response deadline per [sla] and [leads] working_hours_sla."""
    cfg = ctx.settings.leads
    week = sla.WorkWeek.parse(cfg.work_hours, cfg.work_days) if cfg.working_hours_sla else None
    return sla.due_at(received, ctx.settings.sla.first_response_hours, ctx.settings.tz, week)


def _facts_extra(li: intake.LeadInput) -> dict[str, str]:
    return {k: li.get(k) for k in ("company", "region", "industry", "product_line", "email", "title") if li.get(k)}


async def _new_customer(ctx: Context, li: intake.LeadInput) -> Customer:
    """Create the customer; without a company name it is keyed by the contact's mobile or WeCom id."""
    name = li.get("company") or li.get("contact_name") or mask_mobile(li.mobile or "")
    key = li.company_key or f"~{li.mobile or 'wx:' + li.get('wecom_external_userid')}"
    customer = Customer(name=name[:120], normalized_name=key[:120], industry=li.get("industry"),
                        region=li.get("region"), created_at=ctx.now())
    ctx.session.add(customer)
    await ctx.session.flush()
    return customer


async def _came_back(ctx: Context, lead: Lead, customer: Customer, li: intake.LeadInput, payload: dict,
                     key: str) -> IntakeResult:
    """Keep the existing lead and owner; archive the payload on its timeline and tell the owner."""
    await repo.add_event(ctx.session, lead.id, "came_back", ctx.now(), note=f"{li.channel} · {li.get('source')}",
                         data={"raw": payload, "intake_key": key})
    if lead.owner_id:
        chats = await personal_chats(ctx.session, ctx.settings, [lead.owner_id])
        if lead.owner_id in chats.chats:
            await ctx.send(chats.chats[lead.owner_id], came_back_card(lead.id, customer.name, li.channel),
                           f"lead_back:{lead.id}:{key[:24]}")
    return IntakeResult(lead.id, "duplicate", await _owner_name(ctx, lead.owner_id))


async def _can_own(ctx: Context, member_id: int) -> bool:
    member = await members_repo.get(ctx.session, member_id)
    return bool(member and member.active)


def policy(ctx: Context) -> dist.Policy:
    """The distribution policy from [leads]."""
    c = ctx.settings.leads
    return dist.Policy(c.strategy, dist.parse_rules(c.rules), dict(c.weights), c.max_new_per_day, c.fallback_owner,
                       c.skip_outside_hours)


async def distribute(ctx: Context, lead: Lead, customer: Customer | None = None,
                     quiet: bool = False) -> dist.Assignment:
    """Pick an owner by policy (skipping reps cooling down on this lead) and record why; quiet: no pool event."""
    now, s, tz = ctx.now(), ctx.session, ctx.settings.tz
    local = now.astimezone(tz)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ex = lead.extra or {}
    facts = dist.LeadFacts(lead.channel, ex.get("region", ""), ex.get("industry", ""), ex.get("product_line", ""))
    cooled = await repo.cooled(s, lead.id, now - timedelta(hours=ctx.settings.leads.cooldown_hours))
    choice = dist.assign(policy(ctx), facts, await repo.reps(s, day_start), await repo.rotations(s), local, cooled)
    if choice.rotation is not None:
        await repo.save_rotation(s, ctx.dialect, choice.pool_key, choice.rotation)
    if choice.member_id is None:
        lead.status, lead.assign_reason = "new", choice.reason[:200]
        if not quiet:
            await repo.add_event(s, lead.id, "queued", now, note=choice.reason, data={"skipped": choice.skipped})
        return choice
    customer = customer or (await s.get(Customer, lead.customer_id) if lead.customer_id else None)
    if customer is not None and (customer.owner_id is None or customer.owner_id in cooled):
        customer.owner_id = choice.member_id  # one customer, one owner: the owner moves with a reclaim
    await set_owner(ctx, lead, choice.member_id, choice.reason, choice.skipped)
    return choice


async def set_owner(ctx: Context, lead: Lead, member_id: int, reason: str, skipped: dict | None = None) -> None:
    """Assign the lead, record why on its timeline, and send the owner their card."""
    now = ctx.now()
    lead.owner_id, lead.status, lead.assigned_at, lead.assign_reason = member_id, "assigned", now, reason[:200]
    await ctx.session.flush()
    await repo.add_event(ctx.session, lead.id, "assigned", now, member_id, reason, {"skipped": skipped or {}})
    await send_card(ctx, lead, f"lead_card:{lead.id}:{member_id}:{int(now.timestamp())}")


async def send_card(ctx: Context, lead: Lead, key: str, prefix: str = "新线索：") -> bool:
    """Send the owner's lead card to their personal chat; False (and logged on the timeline) if unreachable."""
    chats = await personal_chats(ctx.session, ctx.settings, [lead.owner_id])
    if lead.owner_id not in chats.chats:
        await repo.add_event(ctx.session, lead.id, "undeliverable", ctx.now(), lead.owner_id,
                             "owner has no identity on an enabled platform; link one with `salesbot import members`")
        return False
    return await ctx.send(chats.chats[lead.owner_id], lead_card(await view(ctx, lead), prefix), key)


async def _owner_name(ctx: Context, member_id: int | None) -> str | None:
    member = await members_repo.get(ctx.session, member_id) if member_id else None
    return member.name if member else None
