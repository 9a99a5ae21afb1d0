"""The outbox: every outgoing message, keyed so that it is sent at most once per key (the sender's claims and
marks: storage/repos/outbox_claims.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, update

from storage.db import Database
from storage.models import OutboxMessage
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of
from storage.types import UTCDateTime

T = table_of(OutboxMessage)


async def enqueue(session, key: str, platform: str, target: str, payload: dict,
                  now: datetime, due: datetime | None = None) -> bool:
    """Queue a message, sent from `due` (or now); return False when the key was queued before."""
    stmt = insert_ignore(T, dialect_of(session), ["idempotency_key"]).values(
        idempotency_key=key[:200], platform=platform, target=target, payload=payload, status="pending",
        attempts=0, next_attempt_at=max(due, now) if due else now, last_error="", created_at=now).returning(T.c.id)
    return (await session.execute(stmt)).scalar() is not None


async def enqueue_many(session, rows: list[tuple[str, str, str, dict]], now: datetime,
                       due: datetime | None = None) -> set[str]:
    """Queue (key, platform, target, payload) rows in one statement, sent from `due` (or now); return new keys."""
    at = max(due, now) if due else now
    fresh: dict[str, tuple[str, str, dict]] = {}
    for key, platform, target, payload in rows:
        fresh.setdefault(key[:200], (platform, target, payload))
    if not fresh:
        return set()
    if dialect_of(session) == "postgresql":  # one JSON parameter, not nine binds per row for the driver to adapt
        # json.dumps as the JSON column's own serializer writes each payload, so the stored text is the same.
        batch = json.dumps([{"k": k, "p": p, "t": t, "payload": body} for k, (p, t, body) in fresh.items()])
        return set((await session.execute(_PG_ROWS, {"rows": batch, "at": at, "now": now})).scalars())
    stmt = insert_ignore(T, "sqlite", ["idempotency_key"]).returning(T.c.idempotency_key)
    return set((await session.execute(stmt, [
        {"idempotency_key": k, "platform": p, "target": t, "payload": body, "status": "pending", "attempts": 0,
         "next_attempt_at": at, "last_error": "", "created_at": now} for k, (p, t, body) in fresh.items()])).scalars())


_PG_ROWS = text(
    "INSERT INTO outbox (idempotency_key, platform, target, payload, status, attempts, next_attempt_at, last_error, "
    "created_at) SELECT k, p, t, payload, 'pending', 0, :at, '', :now "
    "FROM json_to_recordset(CAST(:rows AS json)) AS r(k text, p text, t text, payload json) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))


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


async def dead_unknown(db: Database, known: list[str], now: datetime) -> dict[str, int]:
    """Dead-letter due rows whose platform has no sender here; return counts per platform."""
    where = (T.c.status == "pending") & (T.c.next_attempt_at <= now) & T.c.platform.not_in(known or [""])
    async with db.engine.begin() as conn:
        rows = (await conn.execute(select(T.c.platform, func.count()).where(where).group_by(T.c.platform))).all()
        if rows:
            await conn.execute(update(T).where(where).values(
                status="dead", last_error="platform is not enabled; enable it in config.toml and run "
                                          "`salesbot outbox retry --all`"))
    return {p: n for p, n in rows}


async def enqueue_many_raw(db: Database, rows: list[tuple[str, str, str, dict]], now: datetime) -> set[str]:
    """Queue already-rendered (key, platform, target, payload) rows in their own transaction (tools, benches)."""
    async with db.session() as s:
        return await enqueue_many(s, rows, now)


async def mark_playground_delivered(db: Database, now: datetime) -> int:
    """Mark the playground's due messages sent when they were queued; return how many.

    Delivering to the playground is marking the row (bot/platforms/playground/api.py). Doing it here for the
    demo's ninety days of history keeps thousands of rows from queueing behind the per-chat rate limit when
    `serve` starts; rows held for later (quiet hours) stay pending for the sender.
    """
    stmt = (update(T).where(T.c.platform == "playground", T.c.status == "pending", T.c.next_attempt_at <= now)
            .values(status="sent", sent_at=T.c.created_at, attempts=1))
    async with db.session() as s:
        return rowcount(await s.execute(stmt))
