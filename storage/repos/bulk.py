"""Settings for the few statements that touch a large share of a big table (daily pool reclaim, history import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SQLITE_DEFAULT_CACHE_KIB = 2000


@asynccontextmanager
async def big_cache(session: AsyncSession, mib: int = 128) -> AsyncIterator[None]:
    """SQLite: a larger page cache for this connection while the block runs (then back to the default).

    With the default 2 MiB, updating leads of thousands of customers or inserting 500k orders re-reads index
    pages from disk for every row once the indexes outgrow the cache (bench/pool_reclaim.py, bench/history.py).
    """
    sqlite = session.bind.dialect.name == "sqlite"
    if sqlite:
        await session.execute(text(f"PRAGMA cache_size = -{int(mib) * 1024}"))
    try:
        yield
    finally:
        if sqlite:
            await session.execute(text(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"))
