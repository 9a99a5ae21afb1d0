"""The lead flow: a mapped payload becomes a lead (or merges into one), gets an owner, and the owner hears of it.

Used by the intake route, `salesbot intake replay`, bulk intake (`receive_many`, group-committed), and the SLA
scan (re-distribution after a reclaim, the pool). Intake runs through `bot.leadbatch` — one request is a batch of
one — and every owner is chosen by a `bot.leaddist.Distributor` on the reps' load counters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from bot import leadbatch
from bot.core.context import Context
from bot.core.vocab import LeadStatus
from bot.leaddist import Contended, Distributor, facts, policy
from bot.leadintake import IntakeResult, Item, due_at, field_map
from cards.views import lead_card
from flows.targets import personal_chats
from handlers.leads import view
from sales import distribution as dist
from sales import intake
from storage.models import Customer, Lead
from storage.repos import leads as repo

__all__ = ["IntakeResult", "accept", "distribute", "due_at", "field_map", "policy", "receive", "receive_many",
           "send_card", "set_owner", "transact"]
T = TypeVar("T")


async def receive(ctx: Context, channel: str, body: bytes, content_type: str) -> IntakeResult:
    """Turn one request body into a lead; raise intake.IntakeInvalid when it cannot be one."""
    [answer] = await leadbatch.process(ctx, channel, [Item(intake.intake_key(channel, body), body, content_type)])
    if isinstance(answer, intake.IntakeInvalid):
        raise answer
    return answer


async def receive_many(ctx: Context, channel: str,
                       bodies: Sequence[tuple[bytes, str]]) -> list[IntakeResult | intake.IntakeInvalid]:
    """Turn many (body, content type) submissions into leads in the caller's transaction, answers in order."""
    items = [Item(intake.intake_key(channel, body), body, ctype) for body, ctype in bodies]
    return await leadbatch.process(ctx, channel, items)


async def accept(ctx: Context, li: intake.LeadInput, payload: dict, key: str) -> IntakeResult:
    """Merge a validated lead into the customer's recent lead, or create the lead and distribute it."""
    [answer] = await leadbatch.process(ctx, li.channel, [Item(key, li=li, payload=payload)])
    return answer


async def transact(rt, work: Callable[[Context], Awaitable[T]], attempts: int = 5) -> T:
    """Run `work` in its own transaction; retry when a concurrent one won a race (unique key, a rep's room).

    A lost race rolls everything back, and the retry reads what the winner committed — so it merges into the
    winner's customer or picks another rep, as if it had arrived a moment later.
    """
    for attempt in range(attempts):
        try:
            async with rt.db.session() as session:
                return await work(await rt.context(session))
        except (IntegrityError, Contended, OperationalError) as exc:
            if attempt == attempts - 1 or not _lost_race(exc):
                raise
    raise AssertionError("unreachable")


def _lost_race(exc: Exception) -> bool:
    """A unique clash, a rep filled meanwhile, SQLite's writer lock, or a PostgreSQL deadlock / serialization."""
    if not isinstance(exc, OperationalError):
        return True
    text = str(exc).lower()
    return "lock" in text or "could not serialize" in text


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
    chats = await personal_chats(ctx.session, ctx.settings, [lead.owner_id])
    if lead.owner_id not in chats.chats:
        await repo.add_event(ctx.session, lead.id, "undeliverable", ctx.now(), lead.owner_id,
                             "owner has no identity on an enabled platform; link one with `salesbot import members`")
        return False
    return await ctx.outbox.send(chats.chats[lead.owner_id], lead_card(await view(ctx, lead), prefix), key)
