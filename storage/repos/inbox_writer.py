"""The inbox writer: every inbound event is stored before it is acknowledged.

Concurrent arrivals are group-committed into one batch per transaction, on a database connection of the
writer's own (a dedicated SQLite connection on its own thread, or a dedicated PostgreSQL autocommit
connection): the ack never queues behind handlers or the sender for a pooled connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.stopping import cancel_and_wait
from storage.db import Database
from storage.models import InboxEvent
from storage.repos import signatures, signatures_sqlite
from storage.repos._sql import table_of
from storage.repos.inbox_sqlite import SqliteBatchWriter

LEASE = timedelta(minutes=2)
T = table_of(InboxEvent)
PROCESSING, PENDING, DONE = "processing", "pending", "done"


@dataclass(frozen=True, slots=True)
class Stored:
    """Result of storing one event: its row id, and whether it was new (False = duplicate)."""

    id: int | None
    new: bool


class BatchWriter(Protocol):
    """A backend's batch insert on its own connection."""

    async def insert(self, rows: list[dict], now: datetime) -> dict[tuple[str, str], int]:
        """Insert rows ignoring duplicates, re-claim unfinished duplicates; return {(platform, key): id}."""

    async def close(self) -> None:
        """Close the connection."""


def batch_writer(db: Database) -> BatchWriter:
    """Open the writer for the database's backend."""
    # Imported here so that only the driver in use is loaded (psycopg stays out of a SQLite process).
    if db.dialect == "postgresql":
        from storage.repos.inbox_pg import PgBatchWriter

        return PgBatchWriter(db.url)
    return SqliteBatchWriter(db.url)


def new_row(platform: str, dedupe_key: str, kind: str, event: dict[str, Any], status: str,
            now: datetime) -> dict[str, Any]:
    """Build an inbox row: claimed by this process (processing), waiting (pending) or closed at once (done)."""
    return {"platform": platform, "dedupe_key": dedupe_key[:200], "kind": kind, "status": status,
            "attempts": 0 if status == PENDING else 1,
            "claimed_until": now + LEASE if status == PROCESSING else None, "error": "", "event": event,
            "received_at": now, "done_at": now if status == DONE else None}


class InboxWriter:
    """Batches concurrent inbox inserts into one transaction (group commit)."""

    def __init__(self, db: Database, clock: Clock, max_batch: int = 500) -> None:
        self.db, self.clock, self.max_batch = db, clock, max_batch
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._writer: BatchWriter | None = None

    def start(self) -> None:
        """Start the writer task on the running loop."""
        if self._task is None:
            self._writer = self._writer or batch_writer(self.db)
            self._task = asyncio.get_running_loop().create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        """Flush what is queued, then stop and close the writer's connection."""
        if self._task:
            while self._pending:
                await asyncio.sleep(0)
                self._wake.set()
            await cancel_and_wait([self._task])
            self._task = None
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def claim_signature(self, scheme: str, signature: str, body_sha256: str, expires_at: datetime,
                              now: datetime, limit: int) -> signatures.Claim:
        """signatures.claim, on this writer's own connection and thread for SQLite (storage/repos/signatures_sqlite.py
        says why); PostgreSQL has no single write lock to queue for, so it claims through the pool."""
        self.start()
        if not isinstance(self._writer, SqliteBatchWriter):
            return await signatures.claim(self.db, scheme, signature, body_sha256, expires_at, now, limit)
        got, new_id = await self._writer.call(signatures_sqlite.claim, scheme, signature, body_sha256, expires_at,
                                              limit)
        await signatures.prune_now_and_then(self.db, new_id, now)
        return got

    async def put(self, platform: str, dedupe_key: str, kind: str, event: dict, status: str = PROCESSING) -> Stored:
        """Store one event durably and say whether it is new; raises if the database fails."""
        self.start()
        row = new_row(platform, dedupe_key, kind, event, status, self.clock.now())
        future = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                await self._flush(batch)

    async def _flush(self, batch: list[tuple[dict, asyncio.Future]]) -> None:
        try:
            assert self._writer is not None  # start() sets it before it starts the task that flushes
            results = await insert_batch(self._writer, [row for row, _ in batch], self.clock.now())
        except Exception as exc:  # every waiter must learn its event was not stored
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result)


async def insert_batch(writer: BatchWriter, rows: list[dict], now: datetime) -> list[Stored]:
    """Insert rows ignoring duplicates; a duplicate of a failed or abandoned row is re-claimed as new."""
    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        first.setdefault((row["platform"], row["dedupe_key"]), i)
    inserted = await writer.insert([rows[i] for i in first.values()], now)
    out = []
    for i, row in enumerate(rows):
        key = (row["platform"], row["dedupe_key"])
        out.append(Stored(inserted.get(key), first[key] == i and key in inserted))
    return out
