"""The inbox's PostgreSQL path: one dedicated autocommit connection, one round trip per batch.

The pooled SQLAlchemy path costs a checkout (behind handlers and the sender), a pre-ping, BEGIN, the INSERT
and COMMIT per batch; the ingest path writes a batch every few milliseconds, so those round trips dominate.
A single autocommit statement is atomic on its own, which is all a batch insert needs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
from sqlalchemy.engine import make_url

_SQL = (
    "INSERT INTO inbox (platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at, "
    "done_at) SELECT platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at, done_at "
    "FROM json_to_recordset(CAST(%s AS json)) AS r(platform text, dedupe_key text, kind text, status text, "
    "attempts int, claimed_until timestamp, error text, event json, received_at timestamp, done_at timestamp) "
    "ON CONFLICT (platform, dedupe_key) DO NOTHING RETURNING id, platform, dedupe_key")
# A platform's retry of a row whose handler failed, or whose claimant died (lease expired), claims it again.
_RECLAIM = (
    "UPDATE inbox SET status = k.status, attempts = inbox.attempts + 1, claimed_until = k.claimed_until, "
    "done_at = k.done_at FROM json_to_recordset(CAST(%s AS json)) AS k(platform text, dedupe_key text, "
    "status text, claimed_until timestamp, done_at timestamp) "
    "WHERE inbox.platform = k.platform AND inbox.dedupe_key = k.dedupe_key AND (inbox.status = 'failed' OR "
    "(inbox.status = 'processing' AND inbox.claimed_until < %s)) RETURNING inbox.id, inbox.platform, inbox.dedupe_key")


def _naive_utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat()


def batch_json(rows: list[dict]) -> str:
    """Encode rows as the JSON array json_to_recordset reads, datetimes as naive UTC like the table stores them."""
    return json.dumps([{**r, "claimed_until": _naive_utc(r["claimed_until"]),
                        "received_at": _naive_utc(r["received_at"]), "done_at": _naive_utc(r["done_at"])}
                       for r in rows], ensure_ascii=False)


class PgBatchWriter:
    """Insert inbox batches (as one JSON array) on a connection of its own; reconnect after a failure."""

    def __init__(self, url: str) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: psycopg.AsyncConnection | None = None

    async def insert(self, rows: list[dict], now: datetime) -> dict[tuple[str, str], int]:
        """Insert the batch, re-claim unfinished duplicates; return {(platform, key): id} of the rows claimed."""
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        try:
            cur = await self._conn.execute(_SQL, (batch_json(rows),))
            out = {(p, k): i for i, p, k in await cur.fetchall()}
            missing = [{"platform": r["platform"], "dedupe_key": r["dedupe_key"], "status": r["status"],
                        "claimed_until": _naive_utc(r["claimed_until"]), "done_at": _naive_utc(r["done_at"])}
                       for r in rows if (r["platform"], r["dedupe_key"]) not in out]
            if missing:  # rare: its own statement; a retry of a failed or abandoned row takes it over
                at = now.astimezone(UTC).replace(tzinfo=None)
                cur = await self._conn.execute(_RECLAIM, (json.dumps(missing), at))
                out.update({(p, k): i for i, p, k in await cur.fetchall()})
            return out
        except psycopg.Error:
            await self.close()  # the next batch starts on a fresh connection
            raise

    async def close(self) -> None:
        """Close the connection, if any."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
