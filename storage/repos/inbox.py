"""The inbox: every inbound event is stored before it is acknowledged.

Writes go through InboxWriter, which group-commits concurrent arrivals into one INSERT per
transaction: the ingest path pays one commit per batch, not per request, and still acks each
request only after its row is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, text, update

from bot.clock import Clock
from storage.db import Database
from storage.models import InboxEvent
from storage.repos._sql import insert_ignore
from storage.repos.inbox_pg import PgBatchWriter

LEASE = timedelta(minutes=2)
T = InboxEvent.__table__


@dataclass(frozen=True)
class Stored:
    """Result of storing one event: its row id, and whether it was new (False = duplicate)."""

    id: int | None
    new: bool


class InboxWriter:
    """Batches concurrent inbox inserts into one transaction (group commit)."""

    def __init__(self, db: Database, clock: Clock, max_batch: int = 500) -> None:
        self.db, self.clock, self.max_batch = db, clock, max_batch
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._pg = PgBatchWriter(db.url) if db.dialect == "postgresql" else None

    def start(self) -> None:
        """Start the writer task on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        """Flush what is queued, then stop."""
        if self._task:
            while self._pending:
                await asyncio.sleep(0)
                self._wake.set()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._pg is not None:
            await self._pg.close()

    async def put(self, platform: str, dedupe_key: str, kind: str, event: dict) -> Stored:
        """Store one event durably and say whether it is new; raises if the database fails."""
        self.start()
        now = self.clock.now()
        row = {"platform": platform, "dedupe_key": dedupe_key[:200], "kind": kind, "status": "processing",
               "attempts": 1, "claimed_until": now + LEASE, "error": "", "event": event, "received_at": now}
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
            results = await insert_batch(self.db, [row for row, _ in batch], self.clock.now(), self._pg)
        except Exception as exc:  # every waiter must learn its event was not stored
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result)


async def insert_batch(db: Database, rows: list[dict], now: datetime, pg: PgBatchWriter | None = None) -> list[Stored]:
    """Insert rows ignoring duplicates; a duplicate of a failed row is re-claimed as new."""
    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        first.setdefault((row["platform"], row["dedupe_key"]), i)
    unique = [rows[i] for i in first.values()]
    if pg is not None:
        inserted = {(p, k): i for i, p, k in await pg.insert(_batch_json(unique))}
    else:
        async with db.engine.begin() as conn:
            if db.dialect == "postgresql":
                result = await conn.execute(_PG_BATCH, {"rows": _batch_json(unique)})
            else:
                result = await conn.execute(_SQLITE_INSERT, unique)
            inserted = {(r.platform, r.dedupe_key): r.id for r in result}
    missing = [key for key in first if key not in inserted]
    if missing:  # duplicates: rare, so their own transaction
        async with db.engine.begin() as conn:
            for key in missing:
                reclaimed = await _reclaim_failed(conn, key, now)
                if reclaimed is not None:
                    inserted[key] = reclaimed
    out = []
    for i, row in enumerate(rows):
        key = (row["platform"], row["dedupe_key"])
        is_first = first[key] == i
        out.append(Stored(inserted.get(key), is_first and key in inserted))
    return out


# Built once: this runs for every batch on the ingest path.
_SQLITE_INSERT = insert_ignore(T, "sqlite", ["platform", "dedupe_key"]).returning(T.c.id, T.c.platform, T.c.dedupe_key)

# PostgreSQL: one statement and one parameter (the batch as JSON) whatever the batch size — no per-row binds.
_PG_BATCH = text(
    "INSERT INTO inbox (platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at) "
    "SELECT platform, dedupe_key, kind, status, attempts, claimed_until, error, event, received_at "
    "FROM json_to_recordset(CAST(:rows AS json)) AS r(platform text, dedupe_key text, kind text, status text, "
    "attempts int, claimed_until timestamp, error text, event json, received_at timestamp) "
    "ON CONFLICT (platform, dedupe_key) DO NOTHING RETURNING id, platform, dedupe_key")


def _naive_utc(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def _batch_json(rows: list[dict]) -> str:
    """Encode rows as the JSON array json_to_recordset reads, datetimes as naive UTC like the table stores them."""
    return json.dumps([{**r, "claimed_until": _naive_utc(r["claimed_until"]),
                        "received_at": _naive_utc(r["received_at"])} for r in rows], ensure_ascii=False)


async def _reclaim_failed(conn, key: tuple[str, str], now: datetime) -> int | None:
    """Let a platform retry re-run an event whose handler failed (the claim was released)."""
    stmt = (update(T).where(T.c.platform == key[0], T.c.dedupe_key == key[1], T.c.status == "failed")
            .values(status="processing", attempts=T.c.attempts + 1, claimed_until=now + LEASE)
            .returning(T.c.id))
    return (await conn.execute(stmt)).scalar()


async def mark_done(session, inbox_id: int, now: datetime) -> None:
    """Mark an event handled (inside the handler's transaction, with its effects)."""
    await session.execute(update(T).where(T.c.id == inbox_id).values(status="done", done_at=now, error=""))


async def mark_failed(db: Database, inbox_id: int, error: str) -> None:
    """Release the claim after a handler error, keeping the reason."""
    async with db.engine.begin() as conn:
        await conn.execute(update(T).where(T.c.id == inbox_id).values(status="failed", error=error[:2000]))


async def claim_unfinished(db: Database, now: datetime, max_attempts: int = 5) -> list[InboxEvent]:
    """Claim rows a crash left unfinished (lease expired), for replay at start-up."""
    cond = or_(T.c.status == "pending", (T.c.status == "processing") & (T.c.claimed_until < now))
    async with db.engine.begin() as conn:
        ids = [r.id for r in await conn.execute(
            select(T.c.id).where(cond, T.c.attempts < max_attempts).order_by(T.c.id))]
        if not ids:
            return []
        stmt = (update(T).where(T.c.id.in_(ids), cond)
                .values(status="processing", attempts=T.c.attempts + 1, claimed_until=now + LEASE)
                .returning(*T.c))
        rows = (await conn.execute(stmt)).all()
    return [InboxEvent(**row._mapping) for row in sorted(rows, key=lambda r: r.id)]


async def counts(db: Database) -> dict[tuple[str, str], int]:
    """Count inbox rows per (platform, status) for metrics."""
    from sqlalchemy import func

    async with db.engine.connect() as conn:
        rows = await conn.execute(select(T.c.platform, T.c.status, func.count()).group_by(T.c.platform, T.c.status))
        return {(p, s): n for p, s, n in rows}


async def recent(db: Database, platform: str, chat_id: str | None, after_id: int = 0, limit: int = 200) -> list:
    """Return recent inbox rows of a platform (the playground timeline reads user messages here)."""
    stmt = select(T).where(T.c.platform == platform, T.c.id > after_id).order_by(T.c.id.desc()).limit(limit)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    out = [r for r in reversed(rows)]
    if chat_id is not None:
        out = [r for r in out if (r.event.get("chat") or {}).get("chat_id") == chat_id]
    return out
