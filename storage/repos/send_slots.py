"""Shared sliding send windows: each rate scope owns N slot rows holding the times of its last N sends.

A send takes one slot older than the window in every scope it counts against (member, chat, app…); the
sends a lane starts together take theirs in one transaction, one UPDATE per scope for all of them (a slot
transaction per send cost more CPU than the send). Taking slots is a conditional UPDATE, so two replicas can
never both take the same one, and on PostgreSQL SKIP LOCKED lets them take different ones without waiting.
A send that finds a scope full gets no slot anywhere (those it took elsewhere are given back in the same
transaction) and learns how long until a slot frees for it: the k-th refused in a scope, its k-th oldest slot.

A slot records when the platform may have seen the send, which is any moment between taking the slot and
the send's answer (the lane's loop, a token refresh, a local pause all come between). So a send in flight
holds its slots stamped `hold` seconds ahead, and `settle` stamps them with the moment its answer came:
the next send through a slot then reaches the platform at least a whole window after this one did, however
late this one went out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, Integer, any_, bindparam, cast, func, literal, select, update

from storage.db import Database
from storage.models import SendSlot
from storage.repos._sql import insert_ignore, table_of

S = table_of(SendSlot)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)
STAMP_SLACK = 0.002  # seconds; a slower take re-stamps its slots with the time it really finished
# seconds; a take held ahead re-stamps only when slower than this. Its stamp only has to stay ahead of the send's
# answer until the settle, and the hold's margin over the send timeout (bot/sendslots.py HOLD_MARGIN, 1 s) covers a
# send that starts this much after the stamp; a re-stamp on every take delayed each grant by a round trip, and
# PostgreSQL's reply rate at Feishu's 50/s fell from 48.3 to 47.6/s.
HELD_SLACK = 0.5
_SETTLE = (update(S).where(S.c.scope == bindparam("s_scope"), S.c.slot == bindparam("s_slot"),
                           S.c.at == bindparam("s_held")).values(at=bindparam("s_at")))
_STAMP = update(S).where(S.c.scope == bindparam("s_scope"), S.c.slot == bindparam("s_slot")).values(
    at=bindparam("s_at"))
_OLDEST = (select(S.c.at).where(S.c.scope == bindparam("s_scope"), S.c.slot < bindparam("s_count"))
           .order_by(S.c.at).limit(bindparam("s_n", type_=Integer)))


@functools.cache  # built at the first take, for the dialect in use (like the sender's claims), not at import
def _take_statement(dialect: str):
    """The slot take, built once per dialect (every send runs it): the `s_n` oldest free slots, stamped."""
    free = (select(S.c.slot).where(S.c.scope == bindparam("s_scope"), S.c.slot < bindparam("s_count"),
                                   S.c.at <= bindparam("s_cutoff")).order_by(S.c.at, S.c.slot)
            .limit(bindparam("s_n", type_=Integer)))
    picked: Any = S.c.slot.in_(free)
    if dialect == "postgresql":
        # The locked slots as one array, computed once (an uncorrelated sub-select): written as `slot IN (…)` the
        # UPDATE matched none of the rows its own sub-select had just locked, and every take came back empty.
        locked = free.with_for_update(skip_locked=True).subquery()
        slots = select(func.array_agg(locked.c.slot)).scalar_subquery()
        picked = S.c.slot == any_(func.coalesce(slots, cast(literal("{}"), ARRAY(Integer))))
    return (update(S).where(S.c.scope == bindparam("s_scope"), picked, S.c.at <= bindparam("s_cutoff"))
            .values(at=bindparam("s_now")).returning(S.c.slot))


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


class SlotStore:
    """Take send slots in the database; remembers which scopes already have their slot rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._seeded: set[tuple[str, int]] = set()
        self._seed_rows = insert_ignore(S, db.dialect, ["scope", "slot"])

    async def acquire(self, limits: Sequence[Limit], clock: Callable[[], datetime], hold: float = 0.0) -> Grant:
        """Take a slot in every limit's scope at once; return the grant, or the seconds until all could be taken."""
        return (await self.acquire_many([limits], clock, hold))[0]

    async def acquire_many(self, requests: Sequence[Sequence[Limit]], clock: Callable[[], datetime],
                           hold: float = 0.0, settles: Sequence[tuple[Grant, datetime]] = ()) -> list[Grant]:
        """Grant each request (the limits one send counts against) a slot in every one of its scopes, first come
        first served, in one transaction: one take per scope for all the requests that count against it.

        The slots are stamped with the time read after they were taken, not before (a transaction that
        waited for a lock must not record a send earlier than it happened; within STAMP_SLACK, or HELD_SLACK for
        a stamp held ahead), plus `hold` seconds while the send is in flight: `settle` brings the stamp back to
        when the send was answered. A slot taken for a request that another of its scopes refused is given back,
        free. `settles` (as `settle` takes them) are applied first, in the same transaction: a take then sees the
        slots of sends answered since the last flush as they are, not held ahead.
        """
        wanted = [sorted({lim.scope: lim for lim in limits if lim.count > 0}.values(), key=lambda lim: lim.scope)
                  for limits in requests]
        scopes = {lim.scope: lim for todo in wanted for lim in todo}
        if not scopes:
            await self.settle(settles)
            return [Grant() for _ in requests]
        seeding = {(lim.scope, lim.count) for lim in scopes.values()} - self._seeded
        async with self.db.engine.begin() as conn:
            await self._settle(conn, settles)
            now = clock()
            stamp = now + timedelta(seconds=hold)
            await self._seed(conn, seeding)
            got, full = await self._take_all(conn, wanted, scopes, now, stamp)
            await self._give_back(conn, [pair for i in full for pair in got[i]], scopes, now, stamp)
            waits = await self._waits(conn, full, scopes, now)
            later = clock()
            late = (later - now).total_seconds()
            held = later + timedelta(seconds=hold) if late > (HELD_SLACK if hold else STAMP_SLACK) else stamp
            restamp = [{"s_scope": scope, "s_slot": slot, "s_at": held}
                       for i, pairs in enumerate(got) if i not in full for scope, slot in pairs]
            if held != stamp and restamp:
                await conn.execute(_STAMP, restamp)
        self._seeded |= seeding
        # the waits count from `now`; the caller hears them only `late` seconds after
        return [Grant(wait=max(waits[i] - late, 0.001), full=full[i]) if i in full
                else Grant(slots=tuple(pairs), held=held) for i, pairs in enumerate(got)]

    async def settle(self, grants: Sequence[tuple[Grant, datetime]]) -> None:
        """Stamp each grant's slots with when its send was answered (only slots still holding its stamp)."""
        if any(grant.slots for grant, _ in grants):
            async with self.db.engine.begin() as conn:
                await self._settle(conn, grants)

    @staticmethod
    async def _settle(conn, grants: Sequence[tuple[Grant, datetime]]) -> None:
        params = [{"s_scope": scope, "s_slot": slot, "s_held": grant.held, "s_at": at}
                  for grant, at in grants for scope, slot in grant.slots]
        if params:
            await conn.execute(_SETTLE, params)

    async def _seed(self, conn, seeding: set[tuple[str, int]]) -> None:
        rows = [{"scope": scope, "slot": i, "at": NEVER} for scope, count in sorted(seeding) for i in range(count)]
        if rows:
            await conn.execute(self._seed_rows, rows)

    async def _take_all(self, conn, wanted: list[list[Limit]], scopes: dict[str, Limit], now: datetime,
                        stamp: datetime) -> tuple[list[list[tuple[str, int]]], dict[int, str]]:
        """Scope by scope (a fixed order, so replicas never deadlock), one take for the requests still in line;
        a request that finds its scope full drops out there: (slots per request, {request: the full scope})."""
        got: list[list[tuple[str, int]]] = [[] for _ in wanted]
        full: dict[int, str] = {}
        for scope in sorted(scopes):
            users = [i for i, todo in enumerate(wanted) if i not in full and any(lim.scope == scope for lim in todo)]
            if not users:
                continue
            slots = await self._take(conn, scopes[scope], now, stamp, len(users))
            for i, slot in zip(users, slots, strict=False):
                got[i].append((scope, slot))
            full.update((i, scope) for i in users[len(slots):])
        return got, full

    async def _take(self, conn, lim: Limit, now: datetime, stamp: datetime, n: int) -> list[int]:
        """Take up to n free slots of the scope (the oldest first), stamped `stamp`."""
        got = await conn.execute(_take_statement(self.db.dialect), {
            "s_scope": lim.scope, "s_count": lim.count, "s_n": n, "s_cutoff": now - timedelta(seconds=lim.window),
            "s_now": stamp})
        return sorted(row.slot for row in got)

    async def _give_back(self, conn, pairs: list[tuple[str, int]], scopes: dict[str, Limit], now: datetime,
                         stamp: datetime) -> None:
        """Free the slots taken for requests that another scope refused. Stamped a whole window ago they count
        in no window from now on, like the send they last recorded (older than that, or they were not free)."""
        params = [{"s_scope": scope, "s_slot": slot, "s_held": stamp,
                   "s_at": now - timedelta(seconds=scopes[scope].window)} for scope, slot in pairs]
        if params:
            await conn.execute(_SETTLE, params)

    async def _waits(self, conn, full: dict[int, str], scopes: dict[str, Limit], now: datetime) -> dict[int, float]:
        """Seconds each refused request waits: the k-th refused in a scope until its k-th oldest slot frees.

        Sent to the oldest slot all together, the refused requests woke as a herd: one took it and the others
        were refused again, a transaction each, every few milliseconds, and each slot went back into use late.
        """
        waits: dict[int, float] = {}
        for scope in set(full.values()):
            users = sorted(i for i, refused_by in full.items() if refused_by == scope)
            frees = await self._frees(conn, scopes[scope], now, len(users))
            waits.update((i, frees[min(k, len(frees) - 1)]) for k, i in enumerate(users))
        return waits

    async def _frees(self, conn, lim: Limit, now: datetime, n: int) -> list[float]:
        """Seconds until each of the full scope's n oldest slots leaves its window (at least a millisecond)."""
        stamps = (await conn.execute(_OLDEST, {"s_scope": lim.scope, "s_count": lim.count, "s_n": n})).scalars()
        cutoff = now - timedelta(seconds=lim.window)
        # A slot held by a send still in flight frees a window after that send is answered: guess "now".
        return [max((min(at, now) - cutoff).total_seconds(), 0.001) for at in stamps] or [lim.window]

    async def used(self, scope: str, now: datetime, window: float) -> int:
        """Count sends in `scope` within the last `window` seconds (metrics and tests)."""
        async with self.db.engine.connect() as conn:
            return (await conn.execute(select(func.count()).where(
                S.c.scope == scope, S.c.at > now - timedelta(seconds=window)))).scalar() or 0
