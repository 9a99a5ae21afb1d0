"""Signatures already used, shared by every replica through one unique key; expired rows pruned on write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.db import Database
from storage.models import SignatureSeen
from storage.repos._sql import insert_ignore, table_of

T = table_of(SignatureSeen)
PRUNE_EVERY = 100  # rows: every 100th new signature (by id) deletes the expired ones


async def claim(db: Database, scheme: str, signature: str, body_sha256: str, expires_at: datetime,
                now: datetime) -> str:
    """Remember a signature; return the body digest it was first seen with (ours when it is new)."""
    row = {"scheme": scheme[:32], "signature": signature[:128], "body_sha256": body_sha256, "expires_at": expires_at}
    async with db.engine.begin() as conn:
        stmt = insert_ignore(T, db.dialect, ["scheme", "signature"]).values(**row).returning(T.c.id)
        new_id = (await conn.execute(stmt)).scalar() or 0
        first = body_sha256 if new_id else (await conn.execute(
            select(T.c.body_sha256).where(T.c.scheme == row["scheme"], T.c.signature == row["signature"]))).scalar()
    if new_id and new_id % PRUNE_EVERY == 0:
        await prune(db, now)
    return first or body_sha256


async def prune(db: Database, now: datetime) -> int:
    """Delete signatures whose validity window has passed."""
    async with db.engine.begin() as conn:
        return (await conn.execute(delete(T).where(T.c.expires_at < now))).rowcount or 0
