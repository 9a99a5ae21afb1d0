"""Shared sliding send windows: each rate scope owns N slot rows holding the times of its last N sends.

A send takes, in one transaction, one slot older than the window in every scope it counts against
(member, chat, app…). Taking a slot is a conditional UPDATE, so two replicas can never both take the
same one, and on PostgreSQL SKIP LOCKED lets them take different ones without waiting. When any scope
has no free slot the transaction rolls back and the caller learns how long until one frees.

A slot records when the platform may have seen the send, which is any moment between taking the slot and
the send's answer (the lane's loop, a token refresh, a local pause all come between). So a send in flight
holds its slots stamped `hold` seconds ahead, and `settle` stamps them with the moment its answer came:
the next send through a slot then reaches the platform at least a whole window after this one did, however
late this one went out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update

from storage.db import Database
from storage.models import SendSlot
from storage.repos._sql import insert_ignore, table_of

S = table_of(SendSlot)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)
STAMP_SLACK = 0.002  # seconds; a slower take re-stamps its slots with the time it really finished
_SETTLE = (update(S).where(S.c.scope == bindparam("s_scope"), S.c.slot == bindparam("s_slot"),
                           S.c.at == bindparam("s_held")).values(at=bindparam("s_at")))
_STAMP = update(S).where(S.c.scope == bindparam("s_scope"), S.c.slot == bindparam("s_slot")).values(
    at=bindparam("s_at"))
_OLDEST = select(func.min(S.c.at)).where(S.c.scope == bindparam("s_scope"), S.c.slot < bindparam("s_count"))


def _take_statement(dialect: str):
    """The slot take, built once per dialect (every send runs it): the oldest free slot, if any, stamped now."""
    free = (select(S.c.slot).where(S.c.scope == bindparam("s_scope"), S.c.slot < bindparam("s_count"),
                                   S.c.at <= bindparam("s_cutoff")).order_by(S.c.at, S.c.slot).limit(1))
    if dialect == "postgresql":
        free = free.with_for_update(skip_locked=True)
    return (update(S).where(S.c.scope == bindparam("s_scope"), S.c.slot == free.scalar_subquery(),
                            S.c.at <= bindparam("s_cutoff")).values(at=bindparam("s_now")).returning(S.c.slot))


_TAKE = {dialect: _take_statement(dialect) for dialect in ("sqlite", "postgresql")}


@dataclass(frozen=True)
class Limit:
    """At most `count` sends per `window` seconds in `scope` (e.g. "wecom:member:zhangsan", 30, 60)."""

    scope: str
    count: int
    window: float
    lane: bool = False  # every send of the platform's lane counts against it: while it is full, the lane waits


@dataclass(frozen=True)
class Grant:
    """What `acquire` got: `wait` > 0 (nothing taken), or the slots taken and the stamp they hold until settled."""

    wait: float = 0.0
    slots: tuple[tuple[str, int], ...] = ()
    held: datetime | None = None
    full: str = ""  # with `wait`: the scope that had no free slot


class _Full(Exception):
    def __init__(self, wait: float, scope: str) -> None:
        self.wait, self.scope = wait, scope


class SlotStore:
    """Take send slots in the database; remembers which scopes already have their slot rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._seeded: set[tuple[str, int]] = set()

    async def acquire(self, limits: Sequence[Limit], clock: Callable[[], datetime], hold: float = 0.0) -> Grant:
        """Take a slot in every limit's scope at once; return the grant, or the seconds until all could be taken.

        The slots are stamped with the time read after they were taken, not before (a transaction that
        waited for a lock must not record a send earlier than it happened), plus `hold` seconds while the
        send is in flight: `settle` brings the stamp back to when the send was answered.
        """
        todo = sorted({lim.scope: lim for lim in limits if lim.count > 0}.values(), key=lambda lim: lim.scope)
        if not todo:
            return Grant()
        try:
            async with self.db.engine.begin() as conn:
                now = clock()
                taken = []
                for lim in todo:
                    await self._seed(conn, lim)
                    taken.append((lim.scope, await self._take(conn, lim, now)))
                later = clock()
                held = later + timedelta(seconds=hold)
                if hold or (later - now).total_seconds() > STAMP_SLACK:
                    await conn.execute(_STAMP, [{"s_scope": scope, "s_slot": slot, "s_at": held}
                                                for scope, slot in taken])
                else:
                    held = now
        except _Full as full:
            return Grant(wait=max(full.wait, 0.001), full=full.scope)
        return Grant(slots=tuple(taken), held=held)

    async def settle(self, grants: Sequence[tuple[Grant, datetime]]) -> None:
        """Stamp each grant's slots with when its send was answered (only slots still holding its stamp)."""
        params = [{"s_scope": scope, "s_slot": slot, "s_held": grant.held, "s_at": at}
                  for grant, at in grants for scope, slot in grant.slots]
        if params:
            async with self.db.engine.begin() as conn:
                await conn.execute(_SETTLE, params)
    async def _seed(self, conn, lim: Limit) -> None:
        if (lim.scope, lim.count) in self._seeded:
            return
        rows = [{"scope": lim.scope, "slot": i, "at": NEVER} for i in range(lim.count)]
        await conn.execute(insert_ignore(S, self.db.dialect, ["scope", "slot"]), rows)
        self._seeded.add((lim.scope, lim.count))

    async def _take(self, conn, lim: Limit, now: datetime) -> int:
        cutoff = now - timedelta(seconds=lim.window)
        got = (await conn.execute(_TAKE[self.db.dialect], {"s_scope": lim.scope, "s_count": lim.count,
                                                           "s_cutoff": cutoff, "s_now": now})).first()
        if got is not None:
            return got.slot
        oldest = (await conn.execute(_OLDEST, {"s_scope": lim.scope, "s_count": lim.count})).scalar()
        # A slot held by a send still in flight frees a window after that send is answered: guess "now".
        raise _Full((min(oldest or now, now) - cutoff).total_seconds(), lim.scope)

    async def used(self, scope: str, now: datetime, window: float) -> int:
        """Count sends in `scope` within the last `window` seconds (metrics and tests)."""
        async with self.db.engine.connect() as conn:
            return (await conn.execute(select(func.count()).where(
                S.c.scope == scope, S.c.at > now - timedelta(seconds=window)))).scalar() or 0
