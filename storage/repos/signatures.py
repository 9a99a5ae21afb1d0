"""Bodies seen under a signature, shared by every replica through two unique keys; expired rows pruned on write."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select

from storage.db import Database
from storage.models import SignatureSeen
from storage.repos._sql import insert_ignore, table_of

T = table_of(SignatureSeen)
PRUNE_EVERY = 100  # rows: every 100th new row (by id) deletes the expired ones


class Claim(NamedTuple):
    """Where a body landed under its signature."""

    slot: int | None  # 0 for the signature's first body, 1, 2… for others; None: all `limit` slots hold others
    retry: bool  # the body was already stored (the platform sending it again)


async def claim(db: Database, scheme: str, signature: str, body_sha256: str, expires_at: datetime,
                now: datetime, limit: int) -> Claim:
    """Store the body in the signature's lowest free slot below `limit`, or say it was stored or refused.

    Race-safe across replicas: each INSERT … ON CONFLICT DO NOTHING either wins a slot or loses to a committed
    row (PostgreSQL waits for a concurrent insert of the same key to finish; SQLite's first INSERT takes the
    write lock for the whole transaction), and the re-read after a loss sees the winner, so every body is
    counted once and no two bodies share a slot.
    """
    key = {"scheme": scheme[:32], "signature": signature[:128]}
    slot, new_id, got = 0, 0, Claim(None, retry=False)
    async with db.engine.begin() as conn:
        while slot < limit:
            stmt = insert_ignore(T, db.dialect, []).values(**key, slot=slot, body_sha256=body_sha256,
                                                           expires_at=expires_at).returning(T.c.id)
            if new_id := (await conn.execute(stmt)).scalar() or 0:
                got = Claim(slot, retry=False)
                break
            rows = await conn.execute(select(T.c.body_sha256, T.c.slot).where(
                T.c.scheme == key["scheme"], T.c.signature == key["signature"]))
            step = after_loss({digest: taken for digest, taken in rows}, slot, body_sha256)
            if isinstance(step, Claim):
                got = step
                break
            slot = step
    await prune_now_and_then(db, new_id, now)
    return got


def after_loss(seen: dict[str, int], slot: int, body_sha256: str) -> Claim | int:
    """After `slot` went to another row: the body's Claim when it is stored already (a retry), else the next slot
    to try — strictly up, so a lost slot is never tried twice (shared with storage/repos/signatures_sqlite.py)."""
    if body_sha256 in seen:
        return Claim(seen[body_sha256], retry=True)
    return max([slot, *seen.values()]) + 1


async def prune_now_and_then(db: Database, new_id: int, now: datetime) -> None:
    """Prune when the row just stored is every PRUNE_EVERY-th."""
    if new_id and new_id % PRUNE_EVERY == 0:
        await prune(db, now)


async def prune(db: Database, now: datetime) -> int:
    """Delete signatures whose validity window has passed."""
    async with db.engine.begin() as conn:
        return (await conn.execute(delete(T).where(T.c.expires_at < now))).rowcount or 0
