"""The sender's side of the outbox: claims under a fenced lease, their renewal, and the marks that settle a
claimed row (sent, retried, postponed, dead). Every mark names the claim token, so a sender whose lease was
taken over changes nothing."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Executable, Select, Update, bindparam, func, or_, select, union_all, update

from storage.db import Database
from storage.models import OutboxMessage
from storage.repos._sql import table_of

T = table_of(OutboxMessage)
LEASE = timedelta(seconds=30)  # renewed every LEASE/3 while a sender holds the row


def _due(now: datetime | BindParameter):
    return or_((T.c.status == "pending") & (T.c.next_attempt_at <= now),
               (T.c.status == "sending") & (T.c.claimed_until < now))


def _scan(due: Any, platforms: bool, busy: bool) -> Select:
    """Due rows of the lane's platforms, leaving out targets it is sending to already."""
    scan = select(T.c.id, T.c.target, T.c.next_attempt_at).where(due)
    if platforms:
        scan = scan.where(T.c.platform.in_(bindparam("c_platforms", expanding=True)))
    if busy:
        scan = scan.where(T.c.target.not_in(bindparam("c_busy", expanding=True)))
    return scan


def _sqlite_scans(now: BindParameter, platforms: bool, busy: bool) -> tuple[Executable, Select]:
    """(look, scan) for SQLite: the two kinds of due row apart, each read in index order, so a claim reads a few
    rows at the head of the backlog. One OR over both made SQLite collect and sort every due row inside the write
    transaction: with 10,000 replies waiting, every claim held the one write lock for that long."""
    pending = (T.c.status == "pending") & (T.c.next_attempt_at <= now)
    lapsed = (T.c.status == "sending") & (T.c.claimed_until < now)
    looks = [_scan(due, platforms, busy).with_only_columns(T.c.id).limit(1).subquery() for due in (pending, lapsed)]
    look = union_all(*(select(s.c.id) for s in looks))
    heads = [_scan(due, platforms, busy).order_by(T.c.next_attempt_at, T.c.id).limit(bindparam("c_limit"))
             .subquery() for due in (pending, lapsed)]
    both = union_all(*(select(h.c.id, h.c.target, h.c.next_attempt_at) for h in heads)).subquery()
    return look, select(both).order_by(both.c.next_attempt_at, both.c.id).limit(bindparam("c_limit"))


@functools.cache  # built at the first claim of its shape, not at import: a server uses one dialect's few shapes
def _claim_statements(dialect: str, platforms: bool, busy: bool) -> tuple[Executable, Update]:
    """(look, claim) for one shape of claim, built once: every lane pass runs them."""
    now = bindparam("c_now", type_=T.c.next_attempt_at.type)
    if dialect == "sqlite":
        look, scan = _sqlite_scans(now, platforms, busy)
    else:
        look = _scan(_due(now), platforms, busy).with_only_columns(T.c.id).limit(1)
        scan = (_scan(_due(now), platforms, busy).order_by(T.c.next_attempt_at, T.c.id)
                .limit(bindparam("c_limit")).with_for_update(skip_locked=True))  # lock only what a claim may take
    # Materialized: PostgreSQL may otherwise re-run a SKIP LOCKED … LIMIT scan inside IN () and take more rows
    # than one claim may (the inbox claim hit exactly that).
    locked = scan.cte("locked").prefix_with("MATERIALIZED", dialect="postgresql")
    rank = func.row_number().over(partition_by=locked.c.target, order_by=(locked.c.next_attempt_at, locked.c.id))
    ranked = select(locked.c.id, rank.label("rn")).cte("ranked")
    pick = (select(ranked.c.id).where(ranked.c.rn <= bindparam("c_per_target")).order_by(ranked.c.id)
            .limit(bindparam("c_limit")))
    # SQLite runs the statement under its one write lock, so the rows picked are still due; re-checking them
    # there made its planner scan every due row again instead of looking up the picked ids
    recheck = [_due(now)] if dialect == "postgresql" else []
    claim = (update(T).where(T.c.id.in_(pick.scalar_subquery()), *recheck)
             .values(status="sending", claimed_until=bindparam("c_until"), claim_token=bindparam("c_token"))
             .returning(*T.c))
    return look, claim


async def claim_due(db: Database, now: datetime, limit: int = 50, lease: timedelta = LEASE,
                    platforms: list[str] | None = None, per_target: int = 2,
                    busy: Collection[str] = ()) -> list[OutboxMessage]:
    """Claim due rows under a fresh claim token, at most `per_target` per target; SKIP LOCKED on PostgreSQL.

    Rows of `busy` targets (being sent by this lane already) are left alone so one target never has two
    sends in flight. The token fences every later mark: a sender whose lease was taken over marks nothing.
    """
    look, claim = _claim_statements(db.dialect, bool(platforms), bool(busy))
    params = {"c_now": now, "c_limit": limit, "c_per_target": per_target, "c_until": now + lease,
              "c_token": secrets.token_hex(16), "c_platforms": list(platforms or ()), "c_busy": list(busy)}
    async with db.engine.begin() as conn:
        # SQLite: look before taking the one write lock; a claim that finds nothing then takes no lock at all
        if db.dialect == "sqlite" and (await conn.execute(look, params)).first() is None:
            return []
        rows = (await conn.execute(claim, params)).all()
    return [OutboxMessage(**r._mapping) for r in sorted(rows, key=lambda r: r.id)]


async def renew(db: Database, tokens: Collection[str], until: datetime) -> set[int]:
    """Extend the lease of every row still held under `tokens`; return the ids still held."""
    if not tokens:
        return set()
    stmt = (update(T).where(T.c.claim_token.in_(list(tokens)), T.c.status == "sending")
            .values(claimed_until=until).returning(T.c.id))
    async with db.engine.begin() as conn:
        return set((await conn.execute(stmt)).scalars())


async def _set(db: Database, msg_id: int, token: str, **values) -> bool:
    async with db.engine.begin() as conn:
        done = await conn.execute(update(T).where(T.c.id == msg_id, T.c.status == "sending",
                                                  T.c.claim_token == token).values(**values))
    return bool(done.rowcount)


async def mark_sent_many(db: Database, sent: dict[int, tuple[str, int]], now: datetime) -> int:
    """Record deliveries {id: (claim token, attempts)} in one statement per attempts count; return rows marked."""
    by_attempts: dict[int, list[tuple[int, str]]] = {}
    for msg_id, (token, attempts) in sent.items():
        by_attempts.setdefault(attempts, []).append((msg_id, token))
    marked = 0
    async with db.engine.begin() as conn:
        for attempts, pairs in by_attempts.items():
            stmt = (update(T).where(T.c.id.in_([i for i, _ in pairs]), T.c.status == "sending",
                                    T.c.claim_token.in_({t for _, t in pairs}))
                    .values(status="sent", sent_at=now, attempts=attempts, last_error=""))
            marked += (await conn.execute(stmt)).rowcount
    return marked


async def mark_sent(db: Database, msg_id: int, token: str, now: datetime, attempts: int) -> bool:
    """Record one successful delivery (only while `token` still holds the claim)."""
    return await _set(db, msg_id, token, status="sent", sent_at=now, attempts=attempts, last_error="")


async def mark_retry(db: Database, msg_id: int, token: str, at: datetime, attempts: int, error: str) -> bool:
    """Schedule another attempt after a transient failure."""
    return await _set(db, msg_id, token, status="pending", next_attempt_at=at, attempts=attempts,
                      last_error=error[:2000])


async def postpone(db: Database, msg_id: int, token: str, at: datetime, why: str | None = None) -> bool:
    """Put a rate-limited or throttled message back without counting an attempt."""
    extra = {"last_error": why[:2000]} if why else {}
    return await _set(db, msg_id, token, status="pending", next_attempt_at=at, **extra)


async def postpone_target(db: Database, platform: str, target: str, at: datetime) -> int:
    """Move a full target's due pending rows to when its window frees, so claims look at other targets."""
    stmt = (update(T).where(T.c.platform == platform, T.c.target == target, T.c.status == "pending",
                            T.c.next_attempt_at < at).values(next_attempt_at=at))
    async with db.engine.begin() as conn:
        return (await conn.execute(stmt)).rowcount


async def mark_dead(db: Database, msg_id: int, token: str, attempts: int, reason: str) -> bool:
    """Dead-letter a message, keeping why."""
    return await _set(db, msg_id, token, status="dead", attempts=attempts, last_error=reason[:2000])
