"""The inbox's SQLite path: a connection and a thread of its own, one thread hop and one statement per batch.

Through the pooled async engine a batch costs a pool checkout (behind handlers and the sender) and about six
thread hops; here the batch is one autocommit multi-row INSERT (atomic on its own) run in one call on the
writer's thread. One statement also means the thread takes the GIL back from a busy event loop twice per
batch, not twice per row. Values are written exactly as SQLAlchemy writes them (naive-UTC datetimes, JSON).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

BUSY_MS, RETRY_S, LOCK_WAIT_S = 2, 0.0005, 30.0
_R = TypeVar("_R")
_COLS = ("platform", "dedupe_key", "kind", "status", "attempts", "claimed_until", "error", "event",
         "received_at", "done_at")
_ROW = "(" + ", ".join("?" * len(_COLS)) + ")"
_INSERT = (f"INSERT INTO inbox ({', '.join(_COLS)}) VALUES {{rows}} "
           "ON CONFLICT (platform, dedupe_key) DO NOTHING RETURNING id, platform, dedupe_key")
_RECLAIM = ("UPDATE inbox SET status = ?, attempts = attempts + 1, claimed_until = ?, done_at = ? "
            "WHERE platform = ? AND dedupe_key = ? AND (status = 'failed' OR "
            "(status = 'processing' AND claimed_until < ?)) RETURNING id")


def run(conn: sqlite3.Connection, sql: str, params: Any) -> list[Any]:
    """Run one autocommit statement, retrying every RETRY_S while another connection holds the write lock."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(RETRY_S)


def sql_time(value: datetime | None) -> str | None:
    """Format a datetime as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")  # SQLAlchemy's SQLite format; strftime costs 5x


def _params(row: dict[str, Any]) -> tuple:
    return (row["platform"], row["dedupe_key"], row["kind"], row["status"], row["attempts"],
            sql_time(row["claimed_until"]), row["error"], json.dumps(row["event"], ensure_ascii=False),
            sql_time(row["received_at"]), sql_time(row["done_at"]))


class SqliteBatchWriter:
    """Insert inbox batches on a dedicated sqlite3 connection, on a dedicated thread."""

    def __init__(self, url: str) -> None:
        self._path = make_url(url).database or ":memory:"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-sqlite")
        self._conn: sqlite3.Connection | None = None

    async def insert(self, rows: list[dict], now: datetime) -> dict[tuple[str, str], int]:
        """Insert the batch, re-claim unfinished duplicates; return {(platform, key): id} of the rows claimed."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._insert, rows, now)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            # SQLite's own busy handler sleeps up to 100 ms at a time, so an ack could wait that long after the
            # lock it waits for was released; this connection gives up within BUSY_MS and retries (run).
            conn = sqlite3.connect(self._path, timeout=BUSY_MS / 1000, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"busy_timeout={BUSY_MS}"):
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn

    def _insert(self, rows: list[dict], now: datetime) -> dict[tuple[str, str], int]:
        conn = self._connect()
        params = [value for row in rows for value in _params(row)]
        got = run(conn, _INSERT.format(rows=", ".join([_ROW] * len(rows))), params)
        out = {(platform, key): i for i, platform, key in got}
        missing = [row for row in rows if (row["platform"], row["dedupe_key"]) not in out]
        at = sql_time(now)
        for row in missing:  # duplicates: a retry of a failed or abandoned row takes it over, as stored now
            got = run(conn, _RECLAIM, (row["status"], sql_time(row["claimed_until"]), sql_time(row["done_at"]),
                                        row["platform"], row["dedupe_key"], at))
            if got:
                out[(row["platform"], row["dedupe_key"])] = got[0][0]
        return out

    async def call(self, fn: Callable[..., _R], *args: Any) -> _R:
        """Run fn(connection, *args) on the writer's thread, between batches (e.g. a signature claim)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: fn(self._connect(), *args))

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        """Close the connection and stop the thread."""
        await asyncio.get_running_loop().run_in_executor(self._pool, self._close)
        self._pool.shutdown(wait=False)
