"""Lead intake: a request body is checked into a LeadSubmitted, and a submission runs through the lead flow
(`flows.lead_batch`; one submission is a batch of one, every owner chosen by a `flows.lead_distribution`
Distributor on the reps' load counters).

Callers: the intake route checks a body (`check`) and sends the lead event down the one event path; the leads
handler runs it (`take`); `salesbot intake replay` re-runs a stored reject (`receive`); bulk intake runs many
bodies in one transaction (`receive_many`); tests and benchmarks run a validated lead (`accept`) or a whole
transaction with retries (`transact`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Context
from bot.core.lead_submitted import LeadSubmitted
from flows import lead_batch
from flows.lead_distribution import Contended
from flows.lead_io import IntakeResult, Item, field_map
from flows.lead_submission import lead_input, submitted
from sales import intake
from storage.repos import lead_batch as rb

T = TypeVar("T")
RACES = (IntegrityError, Contended, OperationalError)


class Sessions(Protocol):
    """What `transact` needs of the runtime: the database and a context per session."""

    db: Any

    async def context(self, session: AsyncSession) -> Context:
        """Build the context for a session."""


async def check(ctx: Context, channel: str, body: bytes, content_type: str) -> LeadSubmitted:
    """Parse, map and validate one request body; raise intake.IntakeInvalid when it cannot be a lead."""
    payload = intake.parse_body(body, content_type)
    fmap, source = await field_map(ctx, channel)
    return submitted(intake.intake_key(channel, body), intake.validate(channel, payload, fmap, source), payload)


async def take(ctx: Context, sub: LeadSubmitted, attempts: int = 5) -> IntakeResult:
    """Run a submitted lead through the flow in the caller's transaction (the leads handler's).

    A lost race (a unique key, a rep filled meanwhile, a deadlock) rolls back to a savepoint and runs again, and
    the retry reads what the winner committed — so it merges into the winner's customer or picks another rep.
    """
    await rb.begin_write(ctx.session)  # SQLite: the writer lock first, and a transaction to nest savepoints in
    for attempt in range(attempts):
        try:
            async with ctx.session.begin_nested():
                [answer] = await lead_batch.process(ctx, sub.channel, [_item(sub)])
            if isinstance(answer, intake.IntakeInvalid):  # checked by lead_intake.check before it was an event
                raise answer
            return answer
        except RACES as exc:
            if attempt == attempts - 1 or not lost_race(exc):
                raise
    raise AssertionError("unreachable")


def _item(sub: LeadSubmitted) -> Item:
    return Item(sub.key, li=lead_input(sub), payload=dict(sub.posted))


async def receive(ctx: Context, channel: str, body: bytes, content_type: str) -> IntakeResult:
    """Turn one request body into a lead; raise intake.IntakeInvalid when it cannot be one."""
    [answer] = await lead_batch.process(ctx, channel, [Item(intake.intake_key(channel, body), body, content_type)])
    if isinstance(answer, intake.IntakeInvalid):
        raise answer
    return answer


async def receive_many(ctx: Context, channel: str,
                       bodies: Sequence[tuple[bytes, str]]) -> list[IntakeResult | intake.IntakeInvalid]:
    """Turn many (body, content type) submissions into leads in the caller's transaction, answers in order."""
    items = [Item(intake.intake_key(channel, body), body, ctype) for body, ctype in bodies]
    return await lead_batch.process(ctx, channel, items)


async def accept(ctx: Context, li: intake.LeadInput, payload: dict, key: str) -> IntakeResult:
    """Merge a validated lead into the customer's recent lead, or create the lead and distribute it."""
    [answer] = await lead_batch.process(ctx, li.channel, [Item(key, li=li, payload=payload)])
    if isinstance(answer, intake.IntakeInvalid):  # a validated lead cannot be refused
        raise answer
    return answer


async def transact(rt: Sessions, work: Callable[[Context], Awaitable[T]], attempts: int = 5) -> T:
    """Run `work` in its own transaction; retry when a concurrent one won a race (unique key, a rep's room)."""
    for attempt in range(attempts):
        try:
            async with rt.db.session() as session:
                return await work(await rt.context(session))
        except RACES as exc:
            if attempt == attempts - 1 or not lost_race(exc):
                raise
    raise AssertionError("unreachable")


def lost_race(exc: Exception) -> bool:
    """A unique clash, a rep filled meanwhile, SQLite's writer lock, or a PostgreSQL deadlock / serialization."""
    if not isinstance(exc, OperationalError):
        return True
    text = str(exc).lower()
    return "lock" in text or "could not serialize" in text
