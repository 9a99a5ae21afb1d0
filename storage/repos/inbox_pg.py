"""The inbox's PostgreSQL fast path: one dedicated autocommit connection, one round trip per batch.

The pooled SQLAlchemy path costs a checkout, a pre-ping, BEGIN, the INSERT and COMMIT per batch; the ingest
path writes a batch every few milliseconds, so those round trips dominate. A single autocommit statement is
atomic on its own, which is all a batch insert needs.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

_SQL = (
    "INSERT INTO inbox (platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at) "
    "SELECT platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at "
    "FROM json_to_recordset(CAST(%s AS json)) AS r(platform text, dedupe_key text, kind text, status text, "
    "attempts int, claimed_until timestamp, error text, event json, received_at timestamp) "
    "ON CONFLICT (platform, dedupe_key) DO NOTHING RETURNING id, platform, dedupe_key")


class PgBatchWriter:
    """Insert inbox batches (as one JSON array) on a connection of its own; reconnect after a failure."""

    def __init__(self, url: str) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: psycopg.AsyncConnection | None = None

    async def insert(self, rows_json: str) -> list[tuple[int, str, str]]:
        """Insert the batch, ignoring duplicates; return (id, platform, dedupe_key) of the rows inserted."""
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        try:
            cur = await self._conn.execute(_SQL, (rows_json,))
            return await cur.fetchall()
        except psycopg.Error:
            await self.close()  # the next batch starts on a fresh connection
            raise

    async def close(self) -> None:
        """Close the connection, if any."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
