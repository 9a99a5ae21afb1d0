"""Distribution inside one transaction: one snapshot of the reps' load counters, any number of choices, one write.

Every path that gives a lead an owner (intake, a batch of intakes, the scan's reclaim and pool) goes through a
Distributor, so the per-lead cost is a pure-Python choice over the reps — the lead table is never counted — and
the counters stay exact: `flush` adds the changes only if no concurrent transaction filled a rep meanwhile,
otherwise it raises Contended and the caller retries the whole transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.context import Context
from bot.core.vocab import LeadStatus
from cards.views import lead_card
from flows.lead_view import view
from flows.targets import personal_chats
from sales import distribution as dist
from sales.lead_loads import Ledger
from sales.lead_rules import Rep
from storage.models import Customer, Lead
from storage.repos import lead_loads
from storage.repos import leads as repo


class Contended(RuntimeError):
    """A concurrent transaction took what this one counted on (a rep's room, a customer key); retry it whole."""


def policy(ctx: Context) -> dist.Policy:
    """The distribution policy from [leads]."""
    c = ctx.settings.leads
    return dist.Policy(c.strategy, dist.parse_rules(c.rules), dict(c.weights), c.max_new_per_day, c.fallback_owner,
                       c.skip_outside_hours)


def facts(channel: str, extra: dict | None) -> dist.LeadFacts:
    """What rules match on, from a lead's channel and the facts kept in its `extra`."""
    ex = extra or {}
    return dist.LeadFacts(channel, ex.get("region", ""), ex.get("industry", ""), ex.get("product_line", ""))


class Distributor:
    """The reps' loads and the pools' turns for one transaction."""

    def __init__(self, ctx: Context, ledger: Ledger, local_now: datetime, day_start: datetime) -> None:
        self.ctx, self.ledger, self.local_now, self.day_start = ctx, ledger, local_now, day_start
        self.policy = policy(ctx)

    @classmethod
    async def load(cls, ctx: Context) -> Distributor:
        """Read every rep's counters and every pool's turn (two queries)."""
        local = ctx.now().astimezone(ctx.settings.tz)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        reps = [rep for rep, is_rep in await lead_loads.snapshot(ctx.session, day_start) if is_rep]
        ledger = Ledger(reps, await repo.rotations(ctx.session), ctx.settings.leads.max_new_per_day)
        return cls(ctx, ledger, local, day_start)

    async def know(self, member_ids: Iterable[int | None]) -> None:
        """Load members who may own leads without being reps (a customer's owner can be a manager)."""
        missing = {i for i in member_ids if i is not None and i and i not in self.ledger.members}
        if missing:
            self.ledger.add(rep for rep, _ in await lead_loads.snapshot(self.ctx.session, self.day_start, missing,
                                                                         reps=False))

    def member(self, member_id: int | None) -> Rep | None:
        """The member as loaded (None when unknown)."""
        return self.ledger.members.get(member_id) if member_id else None

    def choose(self, lead_facts: dist.LeadFacts, cooled: Iterable[int] = ()) -> dist.Assignment:
        """Pick an owner by policy and count the lead against them."""
        choice = dist.assign(self.policy, lead_facts, self.ledger.roster, self.ledger.rotations, self.local_now,
                             cooled)
        if choice.rotation is not None:
            self.ledger.rotate(choice.pool_key, choice.rotation)
        if choice.member_id is not None:
            self.ledger.take(choice.member_id, choice.bounded)
        return choice

    def take(self, member_id: int) -> None:
        """Count a lead for an owner chosen without the caps (the customer's existing owner)."""
        self.ledger.take(member_id, bounded=False)

    def release(self, member_id: int | None, assigned_at: datetime | None) -> None:
        """Count a lead taken back from its owner (a lead without one frees nothing)."""
        if member_id is not None:
            self.ledger.release(member_id, assigned_at, self.day_start)

    async def flush(self) -> None:
        """Write the counters (checked) and the turns, once at the end; raise Contended if a rep filled up."""
        if not await lead_loads.apply(self.ctx.session, self.ledger.moves(), self.day_start):
            raise Contended("a rep's load changed under this transaction; retry it")
        changed = {k: self.ledger.rotations[k] for k in self.ledger.changed_pools}
        await lead_loads.save_rotations(self.ctx.session, changed)


async def distribute(ctx: Context, distributor: Distributor, lead: Lead, cooled: set[int],
                     quiet: bool = False) -> dist.Assignment:
    """Pick an owner for a lead in the pool (skipping reps cooling down on it); quiet: no "queued" event."""
    choice = distributor.choose(facts(lead.channel, lead.extra), cooled)
    if choice.member_id is None:
        lead.status, lead.assign_reason = LeadStatus.NEW, choice.reason[:200]
        if not quiet:
            await repo.add_event(ctx.session, lead.id, "queued", ctx.now(), note=choice.reason,
                                 data={"skipped": choice.skipped})
        return choice
    customer = await ctx.session.get(Customer, lead.customer_id) if lead.customer_id else None
    if customer is not None and (customer.owner_id is None or customer.owner_id in cooled):
        customer.owner_id = choice.member_id  # one customer, one owner: the owner moves with a reclaim
        customer.owned_since, customer.in_pool = ctx.now(), False
    await set_owner(ctx, lead, choice.member_id, choice.reason, choice.skipped)
    return choice


async def set_owner(ctx: Context, lead: Lead, member_id: int, reason: str, skipped: dict | None = None) -> None:
    """Assign the lead, record why on its timeline, and send the owner their card (loads: the Distributor's)."""
    now = ctx.now()
    lead.owner_id, lead.status, lead.assigned_at, lead.assign_reason = member_id, LeadStatus.ASSIGNED, now, reason[:200]
    await ctx.session.flush()
    await repo.add_event(ctx.session, lead.id, LeadStatus.ASSIGNED, now, member_id, reason, {"skipped": skipped or {}})
    await send_card(ctx, lead, f"lead_card:{lead.id}:{member_id}:{int(now.timestamp())}")


async def send_card(ctx: Context, lead: Lead, key: str, prefix: str = "新线索：") -> bool:
    """Send the owner's lead card to their personal chat; False (and logged on the timeline) if unreachable."""
    chats = await personal_chats(ctx.session, ctx.settings, [lead.owner_id] if lead.owner_id else [])
    if lead.owner_id not in chats.chats:
        await repo.add_event(ctx.session, lead.id, "undeliverable", ctx.now(), lead.owner_id,
                             "owner has no identity on an enabled platform; link one with `salesbot import members`")
        return False
    return await ctx.outbox.send(chats.chats[lead.owner_id], lead_card(await view(ctx, lead), prefix), key)
