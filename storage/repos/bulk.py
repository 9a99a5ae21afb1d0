"""Settings for the few transactions that touch a large share of a big table (pool reclaim, history import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repos._sql import dialect_of

SQLITE_DEFAULT_CACHE_KIB = 2000


@asynccontextmanager
async def big_cache(session: AsyncSession, mib: int = 128) -> AsyncIterator[None]:
    """Set up a bulk transaction: SQLite gets a larger page cache for the block (then back to the default);
    PostgreSQL gets no JIT for the transaction.

    With SQLite's default 2 MiB, updating leads of thousands of customers or inserting 500k orders re-reads
    index pages from disk once the indexes outgrow the cache; on PostgreSQL the cost estimates of statements
    with thousand-key IN lists trigger JIT compilation that took 20× the statement itself (bench/pool_reclaim.py,
    bench/history.py).
    """
    sqlite = dialect_of(session) == "sqlite"
    if not sqlite:
        await session.execute(text("SET LOCAL jit = off"))
    if sqlite:
        await session.execute(text(f"PRAGMA cache_size = -{int(mib) * 1024}"))
    try:
        yield
    finally:
        if sqlite:
            await session.execute(text(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"))
