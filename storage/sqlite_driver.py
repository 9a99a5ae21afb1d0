"""SQLite through aiosqlite with one thread hop per statement (`sqlite+aiosqlite` URLs use it; see make_engine).

SQLAlchemy's aiosqlite adapter crosses to the connection's thread four times per statement (open a cursor,
execute, fetch, close). Each crossing wakes the thread, takes the GIL and wakes the event loop again through
its self-pipe, and on one core that costs more than the statement. Here one call on the thread executes,
fetches every row and closes the cursor. Everything else (pooling, transactions, errors) is aiosqlite's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import immutabledict
from sqlalchemy.util.concurrency import await_

DRIVER = "sqlite+salesbot"


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> tuple:
    """On the connection's thread: execute, fetch everything, close (one hop)."""
    cur = conn.cursor()
    try:
        if many:
            cur.executemany(operation, parameters)
        elif parameters is None:
            cur.execute(operation)
        else:
            cur.execute(operation, parameters)
        description = cur.description
        return description, cur.fetchall() if description else [], cur.rowcount, cur.lastrowid
    finally:
        cur.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute is a single call on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no driver cursor lives between calls
        self._soft_closed_memoized = immutabledict()
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: Any = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        conn = self._connection
        try:
            description, rows, rowcount, lastrowid = await_(conn._execute(_run, conn._conn, operation, parameters,
                                                                          many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._call(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._call(operation, seq_of_parameters, True)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection handing out one-hop cursors."""

    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # (mypy sees the base's attribute as exact)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim whose connections are OneHopConnection."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        """Open an aiosqlite connection (its thread a daemon, as SQLAlchemy does) and adapt it."""
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


class OneHopDialect(SQLiteDialect_aiosqlite):
    """The aiosqlite dialect with one thread hop per statement."""

    driver = "salesbot"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        """The aiosqlite module behind the one-hop shim."""
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register("sqlite.salesbot", __name__, "OneHopDialect")
