"""The outbox: every outgoing message, keyed so that it is sent at most once per key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from storage.db import Database
from storage.models import OutboxMessage
from storage.repos._sql import insert_ignore

T = OutboxMessage.__table__
LEASE = timedelta(seconds=60)


async def enqueue(session, dialect: str, key: str, platform: str, target: str, payload: dict,
                  now: datetime) -> bool:
    """Queue a message; return False when the key was queued before (nothing new is sent)."""
    stmt = insert_ignore(T, dialect, ["idempotency_key"]).values(
        idempotency_key=key[:200], platform=platform, target=target, payload=payload, status="pending",
        attempts=0, next_attempt_at=now, last_error="", created_at=now).returning(T.c.id)
    return (await session.execute(stmt)).scalar() is not None


async def enqueue_many(session, dialect: str, rows: list[tuple[str, str, str, dict]], now: datetime) -> set[str]:
    """Queue (key, platform, target, payload) rows in one statement; return the keys that were new."""
    fresh: dict[str, dict] = {}
    for key, platform, target, payload in rows:
        fresh.setdefault(key[:200], {"idempotency_key": key[:200], "platform": platform, "target": target,
                                     "payload": payload, "status": "pending", "attempts": 0, "next_attempt_at": now,
                                     "last_error": "", "created_at": now})
    if not fresh:
        return set()
    stmt = insert_ignore(T, dialect, ["idempotency_key"]).returning(T.c.idempotency_key)
    return set((await session.execute(stmt, list(fresh.values()))).scalars())


def _due(now: datetime):
    return or_((T.c.status == "pending") & (T.c.next_attempt_at <= now),
               (T.c.status == "sending") & (T.c.claimed_until < now))


async def claim_due(db: Database, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    """Atomically claim due rows (and rows a crashed sender left); SKIP LOCKED on PostgreSQL."""
    pick = select(T.c.id).where(_due(now)).order_by(T.c.next_attempt_at, T.c.id).limit(limit)
    if db.dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (update(T).where(T.c.id.in_(pick.scalar_subquery()), _due(now))
            .values(status="sending", claimed_until=now + LEASE).returning(*T.c))
    async with db.engine.begin() as conn:
        rows = (await conn.execute(stmt)).all()
    return [OutboxMessage(**r._mapping) for r in sorted(rows, key=lambda r: r.id)]


def first_only(payloads: list[dict]) -> list[int]:
    """Answer inline with the first reply only; the rest go out through the sender."""
    return [0] if payloads else []


async def take_inline(db: Database, keys: list[str], now: datetime,
                      choose: Callable[[list[dict]], list[int]] = first_only) -> list[dict]:
    """Claim the chosen still-pending replies for the platform's HTTP response; the sender skips only those."""
    if not keys:
        return []
    async with db.engine.begin() as conn:
        rows = (await conn.execute(select(T.c.id, T.c.payload).where(
            T.c.idempotency_key.in_(keys), T.c.status == "pending").order_by(T.c.id))).all()
        ids = [rows[i].id for i in choose([r.payload for r in rows])]
        if not ids:
            return []
        stmt = (update(T).where(T.c.id.in_(ids), T.c.status == "pending")
                .values(status="sent", sent_at=now, attempts=1, last_error="inline reply")
                .returning(T.c.id, T.c.payload))
        taken = (await conn.execute(stmt)).all()
    return [payload for _, payload in sorted(taken)]


async def _set(db: Database, msg_id: int, **values) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(update(T).where(T.c.id == msg_id, T.c.status == "sending").values(**values))


async def mark_sent(db: Database, msg_id: int, now: datetime, attempts: int) -> None:
    """Record a successful delivery."""
    await _set(db, msg_id, status="sent", sent_at=now, attempts=attempts, last_error="")


async def mark_retry(db: Database, msg_id: int, at: datetime, attempts: int, error: str) -> None:
    """Schedule another attempt after a transient failure."""
    await _set(db, msg_id, status="pending", next_attempt_at=at, attempts=attempts, last_error=error[:2000])


async def postpone(db: Database, msg_id: int, at: datetime) -> None:
    """Put a rate-limited message back without counting an attempt."""
    await _set(db, msg_id, status="pending", next_attempt_at=at)


async def mark_dead(db: Database, msg_id: int, attempts: int, reason: str) -> None:
    """Dead-letter a message, keeping why."""
    await _set(db, msg_id, status="dead", attempts=attempts, last_error=reason[:2000])


async def counts(db: Database) -> dict[str, int]:
    """Count rows per status (metrics)."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(T.c.status, func.count()).group_by(T.c.status))
        return dict(rows.all())


async def next_due_at(db: Database) -> datetime | None:
    """Return when the earliest pending row becomes due."""
    async with db.engine.connect() as conn:
        return (await conn.execute(select(func.min(T.c.next_attempt_at)).where(T.c.status == "pending"))).scalar()


async def recent(db: Database, platform: str | None = None, after_id: int = 0, limit: int = 100,
                 target: str | None = None, status: str | None = None) -> list:
    """Return the newest rows, oldest first (playground live view and timeline)."""
    stmt = select(T).where(T.c.id > after_id).order_by(T.c.id.desc()).limit(limit)
    if platform:
        stmt = stmt.where(T.c.platform == platform)
    if target:
        stmt = stmt.where(T.c.target == target)
    if status:
        stmt = stmt.where(T.c.status == status)
    async with db.engine.connect() as conn:
        return list(reversed((await conn.execute(stmt)).all()))
