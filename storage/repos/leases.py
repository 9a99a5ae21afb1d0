"""Named single-holder leases (which replica holds a stream connection, refreshes a token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from storage.db import Database
from storage.models import Lease
from storage.repos._sql import insert_ignore, table_of

L = table_of(Lease)
EXPIRED = datetime(2000, 1, 1, tzinfo=UTC)


async def acquire(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease when it is free, lapsed or already ours; return whether we hold it."""
    async with db.engine.begin() as conn:
        await conn.execute(insert_ignore(L, db.dialect, ["name"]).values(name=name, holder="", until=EXPIRED))
        won = await conn.execute(update(L).where(L.c.name == name, or_(L.c.holder == holder, L.c.until < now))
                                 .values(holder=holder, until=now + ttl).returning(L.c.name))
        return won.first() is not None


async def release(db: Database, name: str, holder: str) -> None:
    """Give the lease up at once (a clean shutdown), so another replica takes over without waiting."""
    async with db.engine.begin() as conn:
        await conn.execute(update(L).where(L.c.name == name, L.c.holder == holder).values(until=EXPIRED))


async def holder_of(db: Database, name: str, now: datetime) -> str | None:
    """Return who holds the lease now, or None when nobody does."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(L.c.holder, L.c.until).where(L.c.name == name))).first()
    return row.holder if row and row.until and row.until >= now and row.holder else None
