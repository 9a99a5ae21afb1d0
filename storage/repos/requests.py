"""The archive of refused inbound requests: bounded in rows, bytes and age, pruned on write.

What a row keeps is decided by the caller (bot/platforms/refusals.py): the whole body of an authenticated
request, or only a short prefix plus size and SHA-256 of one that never proved its origin.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from storage.db import Database
from storage.models import RejectedRequest
from storage.repos._sql import table_of

T = table_of(RejectedRequest)
PRUNE_EVERY = 50  # rows: every 50th insert (by id, so replicas share the rhythm) prunes the table


@dataclass(frozen=True)
class Limits:
    """How large the archive may grow; the defaults hold it under ~64 MiB for 30 days."""

    max_rows: int = 20_000
    max_bytes: int = 64 * 1024 * 1024
    retention_days: int = 30


async def archive(db: Database, route: str, status: int, reason: str, content_type: str, body: bytes,
                  now: datetime, *, source: str = "", keep: int | None = None,
                  limits: Limits | None = None) -> None:
    """Keep a refused body (or its first `keep` bytes, with size and hash) and why it was refused."""
    kept = body if keep is None else body[:keep]
    text = kept.decode("utf-8", errors="replace")
    row = {"route": route[:200], "status": status, "reason": reason[:2000], "content_type": content_type[:120],
           "body": text, "received_at": now, "source": source[:64], "body_size": len(body),
           "body_sha256": hashlib.sha256(body).hexdigest(), "truncated": len(kept) < len(body)}
    async with db.engine.begin() as conn:
        result = await conn.execute(T.insert().values(**row))
        new_id = (result.inserted_primary_key or [0])[0] or 0
    if new_id % PRUNE_EVERY == 0:
        await prune(db, now, limits or Limits())


async def prune(db: Database, now: datetime, limits: Limits) -> int:
    """Delete rows past the retention, beyond the row cap and beyond the byte cap (oldest first)."""
    async with db.engine.begin() as conn:
        gone = (await conn.execute(delete(T).where(T.c.received_at < now - timedelta(days=limits.retention_days))))
        removed = gone.rowcount or 0
        cut = (await conn.execute(select(T.c.id).order_by(T.c.id.desc()).offset(limits.max_rows).limit(1))).scalar()
        if cut is not None:
            removed += (await conn.execute(delete(T).where(T.c.id <= cut))).rowcount or 0
        running = func.sum(func.length(T.c.body)).over(order_by=T.c.id.desc()).label("running")
        inner = select(T.c.id, running).subquery()
        cut = (await conn.execute(select(func.max(inner.c.id)).where(inner.c.running > limits.max_bytes))).scalar()
        if cut is not None:
            removed += (await conn.execute(delete(T).where(T.c.id <= cut))).rowcount or 0
    return removed


async def totals(db: Database) -> tuple[int, int]:
    """Return (rows, stored body characters) of the archive."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(func.count(), func.coalesce(func.sum(func.length(T.c.body)), 0)))).one()
    return int(row[0]), int(row[1])
