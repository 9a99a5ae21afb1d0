"""The task queue: non-message work, keyed so that each key runs at most once to completion.

A claim takes due rows under a fresh claim token and a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, one
atomic UPDATE … RETURNING on SQLite) and counts the attempt at once, so a task that kills its worker still
dies after N tries. A row whose lease lapsed (its worker crashed) is due again. Every mark names the claim
token: a worker whose lease was taken over marks nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import QueuedTask
from storage.repos._sql import dialect_of, insert_ignore, table_of

T = table_of(QueuedTask)
Pair = tuple[str, str]  # (platform, kind): what a registered handler runs


def _row(key: str, kind: str, platform: str, payload: dict[str, Any], now: datetime,
         due: datetime | None) -> dict[str, Any]:
    return {"idempotency_key": key[:200], "kind": kind, "platform": platform, "payload": payload,
            "status": "pending", "attempts": 0, "next_attempt_at": max(due, now) if due else now,
            "claim_token": "", "last_error": "", "created_at": now}


async def add_many(session: AsyncSession, rows: Sequence[tuple[str, str, str, dict[str, Any]]],
                   now: datetime, due: datetime | None = None) -> set[str]:
    """Queue (kind, platform, key, payload) rows in one statement, due at `due` (or now); return new keys."""
    fresh: dict[str, dict[str, Any]] = {}
    for kind, platform, key, payload in rows:
        fresh.setdefault(key[:200], _row(key, kind, platform, payload, now, due))
    if not fresh:
        return set()
    stmt = insert_ignore(T, dialect_of(session), ["idempotency_key"]).returning(T.c.idempotency_key)
    return set((await session.execute(stmt, list(fresh.values()))).scalars())


def _handled(pairs: Collection[Pair]) -> Any:
    """Rows of these (platform, kind) pairs (spelled out: row values are not in every SQLite build)."""
    return or_(false(), *(and_(T.c.platform == p, T.c.kind == k) for p, k in pairs))


def _due(now: datetime) -> Any:
    return or_((T.c.status == "pending") & (T.c.next_attempt_at <= now),
               (T.c.status == "running") & (T.c.claimed_until < now))


async def claim(db: Database, now: datetime, pairs: Collection[Pair], limit: int,
                lease: timedelta) -> list[QueuedTask]:
    """Claim up to `limit` due rows the given handlers run, under a fresh token, counting the attempt."""
    if not pairs or limit <= 0:
        return []
    token = secrets.token_hex(16)
    scan = (select(T.c.id).where(_due(now), _handled(pairs))
            .order_by(T.c.next_attempt_at, T.c.id).limit(limit))
    if db.dialect == "postgresql":
        scan = scan.with_for_update(skip_locked=True)
    locked = scan.cte("locked").prefix_with("MATERIALIZED", dialect="postgresql")  # one scan, never re-run
    stmt = (update(T).where(T.c.id.in_(select(locked.c.id).scalar_subquery()), _due(now))
            .values(status="running", claimed_until=now + lease, claim_token=token, attempts=T.c.attempts + 1)
            .returning(*T.c))
    async with db.engine.begin() as conn:
        # SQLite: look before taking the one write lock; an empty poll then takes no lock at all
        if db.dialect == "sqlite" and (await conn.execute(scan.with_only_columns(T.c.id).limit(1))).first() is None:
            return []
        rows = (await conn.execute(stmt)).all()
    return [QueuedTask(**r._mapping) for r in sorted(rows, key=lambda r: r.id)]


async def renew(db: Database, tokens: Collection[str], until: datetime) -> set[int]:
    """Extend the lease of every row still held under `tokens`; return the ids still held."""
    if not tokens:
        return set()
    stmt = (update(T).where(T.c.claim_token.in_(list(tokens)), T.c.status == "running")
            .values(claimed_until=until).returning(T.c.id))
    async with db.engine.begin() as conn:
        return set((await conn.execute(stmt)).scalars())


async def _set(db: Database, task_id: int, token: str, **values: Any) -> bool:
    async with db.engine.begin() as conn:
        done = await conn.execute(update(T).where(T.c.id == task_id, T.c.status == "running",
                                                  T.c.claim_token == token).values(**values))
    return bool(done.rowcount)


async def mark_done(db: Database, task_id: int, token: str, now: datetime) -> bool:
    """Record a finished run (only while `token` still holds the claim)."""
    return await _set(db, task_id, token, status="done", done_at=now, last_error="")


async def mark_retry(db: Database, task_id: int, token: str, at: datetime, error: str) -> bool:
    """Schedule another attempt after a transient failure."""
    return await _set(db, task_id, token, status="pending", next_attempt_at=at, last_error=error[:2000])


async def postpone(db: Database, task_id: int, token: str, at: datetime, why: str) -> bool:
    """Put a rate-limited task back without counting the attempt it did not make."""
    return await _set(db, task_id, token, status="pending", next_attempt_at=at, last_error=why[:2000],
                      attempts=T.c.attempts - 1)


async def mark_dead(db: Database, task_id: int, token: str, reason: str) -> bool:
    """Dead-letter a task, keeping why."""
    return await _set(db, task_id, token, status="dead", last_error=reason[:2000])


async def dead_unknown(db: Database, pairs: Collection[Pair], now: datetime) -> dict[str, int]:
    """Dead-letter due rows no handler here runs (a platform not enabled); return counts per platform."""
    where = (T.c.status == "pending") & (T.c.next_attempt_at <= now) & ~_handled(pairs)
    async with db.engine.begin() as conn:
        rows = (await conn.execute(select(T.c.platform, func.count()).where(where).group_by(T.c.platform))).all()
        if rows:
            await conn.execute(update(T).where(where).values(
                status="dead", last_error="no handler for this task here: its platform is not enabled (or cannot "
                                          "do this); enable it in config.toml and run `salesbot outbox retry-tasks "
                                          "--all`"))
    return {p: n for p, n in rows}


async def retry(db: Database, ids: list[int] | None, now: datetime) -> int:
    """Put dead tasks (the given ids, or all when None) back in the queue as new; return how many."""
    stmt = update(T).where(T.c.status == "dead")
    if ids is not None:
        stmt = stmt.where(T.c.id.in_(ids))
    stmt = stmt.values(status="pending", attempts=0, next_attempt_at=now, claim_token="",
                       last_error="retried by an operator after: " + func.substr(T.c.last_error, 1, 1800))
    async with db.engine.begin() as conn:
        return (await conn.execute(stmt)).rowcount


async def counts(db: Database) -> dict[str, int]:
    """Count rows per status (metrics)."""
    async with db.engine.connect() as conn:
        return dict((await conn.execute(select(T.c.status, func.count()).group_by(T.c.status))).all())


async def dead_summary(session: AsyncSession) -> dict[str, int]:
    """Dead tasks per kind (the admins' daily dead-letter card)."""
    stmt = select(T.c.kind, func.count()).where(T.c.status == "dead").group_by(T.c.kind)
    return dict((await session.execute(stmt)).all())


async def get(db: Database, key: str) -> QueuedTask | None:
    """The task queued under `key` (tests, tools)."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(T).where(T.c.idempotency_key == key))).first()
    return QueuedTask(**row._mapping) if row else None
