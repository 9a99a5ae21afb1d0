"""Write many plain rows straight through the driver: executemany on SQLite, COPY on PostgreSQL.

SQLAlchemy's per-row bind processing, and on PostgreSQL the parsing of multi-row VALUES statements with
thousands of parameters, cost more than the database's own work on history-sized files (bench/history.py).
Rows are tuples of driver-ready values: `driver_time` makes the timestamps, JSON is passed as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's DateTime stores on SQLite


@lru_cache(maxsize=1 << 16)
def driver_time(value: datetime | None, sqlite: bool) -> datetime | str | None:
    """A timestamp as the column type would bind it: naive UTC (text on SQLite); histories repeat their days."""
    if value is None:
        return None
    if value.tzinfo:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime(SQLITE_TIME) if sqlite else value


async def insert_rows(session: AsyncSession, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
                      skip_existing: str = "") -> int:
    """Insert the rows; with `skip_existing` (a unique column) rows already there are left out. Return rows added."""
    if not rows:
        return 0
    conn = await session.connection()
    if conn.dialect.name == "sqlite":
        return await _executemany(conn, table, columns, rows, skip_existing)
    if not skip_existing:
        await _copy(conn, table, columns, rows)
        return len(rows)
    return await _copy_skipping(conn, table, columns, rows, skip_existing)


async def _executemany(conn: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
                       unique: str) -> int:
    # SQLite runs in-process: one small prepared statement stepped per row is its fastest path.
    skip = f" ON CONFLICT ({unique}) DO NOTHING" if unique else ""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}){skip}"
    result = await conn.exec_driver_sql(sql, list(rows))
    return result.rowcount  # sqlite3 sums the changes of an executemany; skipped rows change nothing


async def _copy(conn: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    raw = (await conn.get_raw_connection()).driver_connection  # psycopg's AsyncConnection, in our transaction
    assert raw is not None  # only a pool connection invalidated under us has none
    async with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            await copy.write_row(row)


async def _copy_skipping(conn: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
                         unique: str) -> int:
    # COPY cannot skip conflicts: stage the rows in a temporary table, then one INSERT … SELECT skips them.
    stage, cols = f"stage_{table}", ", ".join(columns)
    await conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                               f"SELECT {cols} FROM {table} WITH NO DATA")
    await _copy(conn, stage, columns, rows)
    result = await conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "
                                        f"ON CONFLICT ({unique}) DO NOTHING")
    await conn.exec_driver_sql(f"TRUNCATE {stage}")
    return result.rowcount
