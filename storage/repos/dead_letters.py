"""Dead-lettered outbox rows: the read API listing, the admins' daily summary, and the operator's retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.repos.outbox import T

DEAD = "dead"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def listing(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Dead letters oldest first, with why each was given up (the read API's `dead_letters`)."""
    stmt = (select(T.c.id, T.c.idempotency_key, T.c.platform, T.c.target, T.c.attempts, T.c.last_error,
                   T.c.created_at, T.c.next_attempt_at)
            .where(T.c.status == DEAD, T.c.id > after).order_by(T.c.id).limit(limit))
    async with db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [{"id": r.id, "key": r.idempotency_key, "platform": r.platform, "target": r.target,
             "attempts": r.attempts, "reason": r.last_error, "queued_at": _iso(r.created_at),
             "last_attempt_at": _iso(r.next_attempt_at), "retry": f"salesbot outbox retry {r.id}"} for r in rows]


async def summary(session: AsyncSession, limit: int = 5) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Count dead letters per platform and return the newest few (the daily admin card)."""
    counts: dict[str, int] = dict((await session.execute(select(T.c.platform, func.count()).where(T.c.status == DEAD)
                                         .group_by(T.c.platform))).all())
    newest = (await session.execute(select(T.c.id, T.c.platform, T.c.idempotency_key, T.c.last_error)
                                    .where(T.c.status == DEAD).order_by(T.c.id.desc()).limit(limit))).all()
    return counts, [{"id": r.id, "platform": r.platform, "key": r.idempotency_key, "reason": r.last_error}
                    for r in newest]


async def retry(db: Database, ids: list[int] | None, now: datetime) -> int:
    """Put dead letters (the given ids, or all when None) back in the queue as new; return how many."""
    stmt = update(T).where(T.c.status == DEAD)
    if ids is not None:
        stmt = stmt.where(T.c.id.in_(ids))
    stmt = stmt.values(status="pending", attempts=0, next_attempt_at=now, claim_token="",
                       last_error="retried by an operator after: " + func.substr(T.c.last_error, 1, 1800))
    async with db.engine.begin() as conn:
        return (await conn.execute(stmt)).rowcount
