"""Follow-ups on the right record: the customer named, the deal room, else the rep's own running lead; ask if unsure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.core.context import Context
from bot.core.inbound import Inbound
from bot.core.vocab import OPEN_LEAD_STATUSES, InteractionKind
from flows import lead_targets
from flows.lead_targets import may_act
from storage.models import Customer, Lead, Opportunity
from storage.repos import followups as repo
from storage.repos import lead_life
from storage.repos import leads as leads_repo
from storage.repos import opportunities as opp_repo


@dataclass
class Target:
    """The record a note lands on: a lead, a deal, or just the customer."""

    customer: Customer
    lead: Lead | None = None
    opp: Opportunity | None = None

    @property
    def ref(self) -> str:
        """The record as a short key ("lead:3", "opportunity:7", "customer:9")."""
        if self.lead is not None:
            return f"lead:{self.lead.id}"
        return f"opportunity:{self.opp.id}" if self.opp is not None else f"customer:{self.customer.id}"

    @property
    def label(self) -> str:
        """The button text: the customer, and which record."""
        what = "线索" if self.lead is not None else ("商机" if self.opp is not None else "客户")
        return f"{self.customer.name}（{what}）"


async def resolve(ctx: Context, said: Inbound, text: str) -> tuple[list[Target], str, bool]:
    """Return (candidates, note, a customer was named); one candidate means no question is needed."""
    assert ctx.member is not None  # called for a member's command or click
    word, rest = lead_targets.split_target(text)
    named = [c for c in await lead_targets.customers(ctx, word) if await may_act(ctx.member, c.owner_id, ctx)]
    if named:
        return [await _for_customer(ctx, c) for c in named], rest, True
    if said.chat is not None and said.chat.is_group:
        opp = (await opp_repo.latest_in_chat(ctx.session, said.chat.platform, said.chat.chat_id, ctx.member.id)
               or await opp_repo.latest_in_chat(ctx.session, said.chat.platform, said.chat.chat_id))
        customer = await opp_repo.get_customer(ctx.session, opp.customer_id) if opp is not None else None
        if opp is not None and customer is not None:  # customer_id is a foreign key: found whenever opp is
            return [Target(customer, opp=opp)], text, False
    return await _mine(ctx), text, False


async def _for_customer(ctx: Context, customer: Customer) -> Target:
    """A named customer: its open lead, else its open deal, else the customer itself."""
    leads = await lead_life.open_of_customer(ctx.session, customer.id)
    opp = None if leads else await opp_repo.open_for_customer(ctx.session, customer.id)
    return Target(customer, leads[0] if leads else None, opp)


async def _mine(ctx: Context) -> list[Target]:
    """My leads whose clock is running (the card I was just sent), else all my open leads and deals."""
    assert ctx.member is not None  # called for a member's command or click
    leads = await lead_life.owned_open(ctx.session, ctx.member.id)
    running = [x for x in leads if x.first_response_at is None]
    chosen: list[Target] = []
    for lead in running or leads:
        chosen.append(Target(await _customer(ctx, lead.customer_id), lead=lead))
    if not running:
        for opp in await repo.open_opps_of(ctx.session, ctx.member.id):
            chosen.append(Target(await _customer(ctx, opp.customer_id), opp=opp))
    return chosen


async def _customer(ctx: Context, customer_id: int | None) -> Customer:
    customer = await ctx.session.get(Customer, customer_id) if customer_id else None
    return customer or Customer(id=0, name="未知客户", normalized_name="")


async def target_of(ctx: Context, ref: str) -> Target | None:
    """Load a target from its ref (a picked button)."""
    kind, _, ident = ref.partition(":")
    if not ident.isdigit():
        return None
    if kind == "lead":
        lead = await leads_repo.get(ctx.session, int(ident))
        return Target(await _customer(ctx, lead.customer_id), lead=lead) if lead and lead.customer_id else None
    if kind == "opportunity":
        opp = await opp_repo.get(ctx.session, int(ident))
        return Target(await _customer(ctx, opp.customer_id), opp=opp) if opp else None
    customer = await ctx.session.get(Customer, int(ident))
    return Target(customer) if customer else None


async def record(ctx: Context, target: Target, kind: InteractionKind, note: str, next_date: date | None) -> None:
    """Write the interaction, stop the lead's clock, log it on the lead's timeline, set the next contact."""
    assert ctx.member is not None  # called for a member's command or click
    now, me = ctx.now(), ctx.member.id
    await repo.add_interaction(ctx.session, target.customer.id, me, kind.value, note, now)
    await leads_repo.stamp_first_response(ctx.session, target.customer.id, kind.value, me, now)
    if target.lead is not None and target.lead.status in OPEN_LEAD_STATUSES:
        await leads_repo.add_event(ctx.session, target.lead.id, "followup", now, me, f"{kind.label}：{note}")
    if next_date is not None:
        due = datetime.combine(next_date, time(9, 0), ctx.settings.tz)
        await repo.set_next_contact(ctx.session, me, target.ref, f"约定联系：{target.customer.name}", due, now)
