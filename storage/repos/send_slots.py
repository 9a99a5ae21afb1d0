"""Shared sliding send windows: each rate scope owns N slot rows holding the times of its last N sends.

A send takes one slot older than the window in every scope it counts against (member, chat, app…), all or
none. A lane takes the slots of every send waiting for one in a single transaction: one look at each scope's
oldest slots, then one conditional UPDATE, so two replicas can never both take the same slot (on PostgreSQL
SKIP LOCKED lets them take different ones without waiting; a slot taken meanwhile rolls the batch back and
it looks again). A send whose scopes have no free slot learns how long until one frees.

Slots are taken stamped `hold` seconds ahead — a time the send is sure to start before, whatever the commit
and the event loop cost — and re-stamped with the time the send really started once it has (`restamp`, in
batches). So a slot never frees before its send's window has passed, and frees as soon as it has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, tuple_, union_all, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.models_ops import SendSlot
from storage.repos._sql import insert_ignore

S = SendSlot.__table__
NEVER = datetime(2000, 1, 1, tzinfo=UTC)
STAMP_SLACK = 0.002  # seconds; a slower take re-stamps its slots with the time it really finished
Key = tuple[str, int]  # (scope, slot)


@dataclass(frozen=True)
class Limit:
    """At most `count` sends per `window` seconds in `scope` (e.g. "wecom:member:zhangsan", 30, 60)."""

    scope: str
    count: int
    window: float


@dataclass
class Taken:
    """What one batch got: per ask 0.0 (taken) or seconds to wait, its slots, and the stamp they carry."""

    waits: list[float]
    stamp: datetime
    slots: list[list[Key]] = field(default_factory=list)


class _Full(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = wait


class SlotStore:
    """Take send slots in the database; remembers which scopes already have their slot rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._seeded: set[tuple[str, int]] = set()

    async def acquire(self, limits: Sequence[Limit], clock: Callable[[], datetime]) -> float:
        """Take a slot in every limit's scope at once; return 0.0, or the seconds until all could be taken."""
        return (await self.acquire_many([limits], clock)).waits[0]

    async def acquire_many(self, asks: Sequence[Sequence[Limit]], clock: Callable[[], datetime],
                           hold: float = 0.0) -> Taken:
        """For each ask in order, take a slot in every one of its scopes or none; one transaction for them all.

        The slots are stamped `hold` seconds after the time read once they were taken, not before: a
        transaction that waited for a lock must not record a send earlier than it happens, or the next
        window opens early.
        """
        wanted = [{lim.scope: lim for lim in limits if lim.count > 0} for limits in asks]
        scopes = {scope: lim for ask in wanted for scope, lim in ask.items()}
        if not scopes:
            return Taken([0.0] * len(asks), clock(), [[] for _ in asks])
        need = Counter(scope for ask in wanted for scope in ask)
        try:
            async with self.db.engine.begin() as conn:
                await self._seed(conn, [lim for lim in scopes.values() if (lim.scope, lim.count) not in self._seeded])
                now = stamp = clock()
                free, busy = await self._scan(conn, scopes, need, now)
                taken = _allocate(wanted, free, busy)
                grants = [key for keys in taken.slots for key in keys]
                if grants:
                    stamp = await self._take(conn, grants, scopes, now, clock, timedelta(seconds=hold))
        except _Full as full:  # another sender took a slot between our look and our take: look again soon
            return Taken([max(full.wait, 0.001)] * len(asks), clock(), [[] for _ in asks])
        taken.stamp = stamp
        return taken

    async def restamp(self, sends: Sequence[tuple[list[Key], datetime, datetime]]) -> None:
        """Move slots taken stamped ahead back to when their sends really started: (slots, stamp, started)."""
        rows = [{"s": scope, "n": slot, "old": stamp, "at": started}
                for keys, stamp, started in sends if started < stamp for scope, slot in keys]
        if not rows:
            return
        stmt = (update(S).where(S.c.scope == bindparam("s"), S.c.slot == bindparam("n"), S.c.at == bindparam("old"))
                .values(at=bindparam("at")))  # only while it still holds our stamp
        async with self.db.engine.begin() as conn:
            await conn.execute(stmt, rows)

    async def _seed(self, conn: AsyncConnection, limits: list[Limit]) -> None:
        if not limits:
            return
        rows = [{"scope": lim.scope, "slot": i, "at": NEVER} for lim in limits for i in range(lim.count)]
        await conn.execute(insert_ignore(S, self.db.dialect, ["scope", "slot"]), rows)
        self._seeded.update((lim.scope, lim.count) for lim in limits)

    async def _scan(self, conn: AsyncConnection, scopes: dict[str, Limit], need: Counter[str],
                    now: datetime) -> tuple[dict[str, list[int]], dict[str, float]]:
        """Each scope's oldest slots, one more than asked: ({scope: free slots}, {scope: seconds until the
        first busy one frees})."""
        parts = [select(S.c.scope, S.c.slot, S.c.at).where(S.c.scope == scope, S.c.slot < lim.count)
                 .order_by(S.c.at, S.c.slot).limit(need[scope] + 1).subquery().select()
                 for scope, lim in scopes.items()]
        rows = (await conn.execute(union_all(*parts) if len(parts) > 1 else parts[0])).all()
        free: dict[str, list[int]] = {scope: [] for scope in scopes}
        busy: dict[str, float] = {}
        for scope, slot, at in sorted(rows, key=lambda r: (r.scope, r.at, r.slot)):
            frees = (at - now).total_seconds() + scopes[scope].window
            if frees <= 0:
                free[scope].append(slot)
            else:
                busy.setdefault(scope, frees)
        return free, busy

    async def _take(self, conn: AsyncConnection, grants: list[Key], scopes: dict[str, Limit], now: datetime,
                    clock: Callable[[], datetime], hold: timedelta) -> datetime:
        """Stamp the granted slots, each only if still free (any taken meanwhile rolls the whole batch back);
        return the stamp."""
        stamp = clock() + hold
        by_window: dict[float, list[Key]] = {}
        for scope, slot in grants:
            by_window.setdefault(scopes[scope].window, []).append((scope, slot))
        still_free = or_(*(and_(tuple_(S.c.scope, S.c.slot).in_(keys), S.c.at <= now - timedelta(seconds=window))
                           for window, keys in by_window.items()))
        if self.db.dialect == "postgresql":  # rows another replica is taking are skipped, never waited for
            locked = select(S.c.scope, S.c.slot).where(still_free).with_for_update(skip_locked=True)
            still_free = tuple_(S.c.scope, S.c.slot).in_(locked)
        got = (await conn.execute(update(S).where(still_free).values(at=stamp).returning(S.c.scope))).all()
        if len(got) < len(grants):
            raise _Full(0.001)
        later = clock() + hold
        if (later - stamp).total_seconds() <= STAMP_SLACK:
            return stamp
        await conn.execute(update(S).where(tuple_(S.c.scope, S.c.slot).in_(grants)).values(at=later))
        return later

    async def used(self, scope: str, now: datetime, window: float) -> int:
        """Count sends in `scope` within the last `window` seconds (metrics and tests)."""
        async with self.db.engine.connect() as conn:
            return (await conn.execute(select(func.count()).where(
                S.c.scope == scope, S.c.at > now - timedelta(seconds=window)))).scalar() or 0


def _allocate(wanted: list[dict[str, Limit]], free: dict[str, list[int]], busy: dict[str, float]) -> Taken:
    """Grant asks in order while every one of their scopes has a free slot left; the rest get their wait."""
    out = Taken([], NEVER)
    for ask in wanted:
        short = [scope for scope in ask if not free[scope]]
        if short:  # a scope whose free slots this batch used up frees its next one when its busiest row does
            out.waits.append(max(max(busy.get(scope, ask[scope].window), 0.001) for scope in short))
            out.slots.append([])
            continue
        out.slots.append([(scope, free[scope].pop(0)) for scope in ask])
        out.waits.append(0.0)
    return out
