"""A throwaway PostgreSQL schema for one benchmark run, so a bench never touches the tables of the database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import Database


@asynccontextmanager
async def throwaway_schema(url: str, prefix: str = "bench_") -> AsyncIterator[str]:
    """Create a fresh schema in the database at `url`; yield a URL that uses it; drop it afterwards."""
    schema, admin = prefix + uuid.uuid4().hex[:8], Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.close()
