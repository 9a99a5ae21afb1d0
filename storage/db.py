"""The async engine and session factory; SQLite gets WAL and a busy timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class Database:
    """One engine and its session factory; `dialect` lets repositories pick backend-specific SQL."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """Return "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Yield a session inside a transaction that commits on success."""
        async with self.sessions() as s, s.begin():
            yield s

    async def close(self) -> None:
        """Dispose of the pool."""
        await self.engine.dispose()


# `sqlite+aiosqlite` runs through storage/sqlite_driver.py (one thread hop per statement); loaded on first use.
registry.register("sqlite.salesbot", "storage.sqlite_driver", "OneHopDialect")


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    """Create the engine; for SQLite switch on WAL, foreign keys and a busy timeout per connection."""
    if url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.drivername == "sqlite+aiosqlite":
            parsed = parsed.set(drivername="sqlite+salesbot")
        engine = create_async_engine(parsed, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers run beside the single writer; NORMAL sync is durable across app crashes,
    # which is the failure the inbox guards against (power loss can drop the last commits).
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def transient(exc: BaseException) -> bool:
    """Whether an error says the database was away or busy (its transaction rolled back; worth retrying)."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
