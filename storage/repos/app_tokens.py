"""Platform access tokens shared by every replica of an app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.db import Database
from storage.models import AppToken
from storage.repos._sql import insert_of, table_of

A = table_of(AppToken)


async def read(db: Database, key: str) -> tuple[str, datetime] | None:
    """Return (token, expires_at) for an app, or None before the first fetch."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(A.c.token, A.c.expires_at).where(A.c.key == key))).first()
    return (row.token, row.expires_at) if row and row.token and row.expires_at else None


async def store(db: Database, key: str, token: str, expires_at: datetime) -> None:
    """Save a freshly fetched token for every replica."""
    stmt = insert_of(A, db.dialect).values(key=key, token=token, expires_at=expires_at)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"token": token, "expires_at": expires_at})
    async with db.engine.begin() as conn:
        await conn.execute(stmt)
