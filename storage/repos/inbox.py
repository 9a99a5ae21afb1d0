"""The inbox: every inbound event is stored before it is acknowledged (storage/repos/inbox_writer.py), then
claimed in batches by the dispatcher's workers, marked done with the handler's effects, or failed.

Statuses: `pending` (stored, waiting for a worker), `processing` (claimed until `claimed_until`; a claim
that outlives its lease was abandoned by a dead process, or handed back after a database error, and is
claimed again — at most MAX_ATTEMPTS claims, then it is failed), `done`, `failed` (the error card went
out; a platform's retry re-claims it). Hot statements are built once, at import.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BindParameter, Select, bindparam, func, literal, or_, select, union_all, update

from storage.db import Database
from storage.repos.inbox_writer import LEASE as LEASE
from storage.repos.inbox_writer import InboxWriter as InboxWriter
from storage.repos.inbox_writer import Stored as Stored
from storage.repos.inbox_writer import T

MAX_ATTEMPTS = 5
_NOW: BindParameter[datetime] = bindparam("now")
_UNFINISHED = or_(T.c.status == "pending", (T.c.status == "processing") & (T.c.claimed_until < _NOW))
_MARK_DONE = update(T).where(T.c.id == bindparam("iid")).values(status="done", done_at=_NOW, error="")
_MARK_FAILED = (update(T).where(T.c.id == bindparam("iid"), T.c.status == "processing")
                .values(status="failed", error=bindparam("err")))
_RETRY_LATER = (update(T).where(T.c.id == bindparam("iid"), T.c.status == "processing", T.c.attempts < MAX_ATTEMPTS)
                .values(claimed_until=bindparam("until"), error=bindparam("err")).returning(T.c.id))
_GIVE_UP = (update(T).where(T.c.status == "processing", T.c.claimed_until < _NOW, T.c.attempts >= MAX_ATTEMPTS)
            .values(status="failed", error=literal("gave up after its last claim lapsed; before: ") + T.c.error))
_RENEW = (update(T).where(T.c.id.in_(bindparam("ids", expanding=True)), T.c.status == "processing")
          .values(claimed_until=bindparam("until")))
_BACKLOG = select(func.count(), func.min(T.c.received_at)).where(T.c.status.in_(("pending", "processing")))


def _claim(skip_locked: bool):
    """The claim statement: the oldest claimable rows, taken atomically (SKIP LOCKED across replicas).

    The pick is a materialized CTE joined by id: PostgreSQL may re-run an `IN (SELECT … LIMIT n)` subquery
    per row and claim far more than n.
    """
    pick: Select = select(T.c.id).where(_UNFINISHED, T.c.attempts < MAX_ATTEMPTS).order_by(T.c.id).limit(bindparam("n"))
    if skip_locked:
        pick = pick.with_for_update(skip_locked=True)
    else:  # SQLite: waiting and lapsed rows apart, each read in index order (outbox_claims._sqlite_scans says why)
        heads = [select(T.c.id).where(due, T.c.attempts < MAX_ATTEMPTS).order_by(T.c.id).limit(bindparam("n"))
                 .subquery() for due in (T.c.status == "pending",
                                         (T.c.status == "processing") & (T.c.claimed_until < _NOW))]
        both = union_all(*(select(h.c.id) for h in heads)).subquery()
        pick = select(both.c.id).order_by(both.c.id).limit(bindparam("n"))
    picked = pick.cte("picked").prefix_with("MATERIALIZED", dialect="postgresql")
    return (update(T).where(T.c.id == picked.c.id, _UNFINISHED)
            .values(status="processing", attempts=T.c.attempts + 1, claimed_until=bindparam("until"))
            .returning(T.c.id, T.c.event))


_CLAIMS = {skip: _claim(skip) for skip in (False, True)}


async def claim_batch(db: Database, now: datetime, limit: int) -> list[tuple[int, dict]]:
    """Claim up to `limit` waiting or abandoned rows, oldest first: [(id, event)]."""
    stmt = _CLAIMS[db.dialect == "postgresql"]
    async with db.engine.begin() as conn:
        rows = (await conn.execute(stmt, {"now": now, "until": now + LEASE, "n": limit})).all()
    return sorted(((r.id, r.event) for r in rows), key=lambda r: r[0])


class Claimed(NamedTuple):
    """A claimed inbox row: its id and the stored event."""

    id: int
    event: dict


async def claim_unfinished(db: Database, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> list[Claimed]:
    """Claim every row a crash left unfinished (lease expired) or still waiting."""
    out: list[Claimed] = []
    while batch := await claim_batch(db, now, 500):
        out += [Claimed(i, e) for i, e in batch]
    return out


async def renew(db: Database, ids: list[int], until: datetime) -> None:
    """Extend the lease of rows this process still holds (queued or being handled)."""
    if ids:
        async with db.engine.begin() as conn:
            await conn.execute(_RENEW, {"ids": ids, "until": until})


async def mark_done(session, inbox_id: int, now: datetime) -> None:
    """Mark an event handled (inside the handler's transaction, with its effects)."""
    await session.execute(_MARK_DONE, {"iid": inbox_id, "now": now})


async def status_of(session, platform: str, dedupe_key: str) -> str | None:
    """Return the status of the stored event with this key, or None when none is stored (unique index)."""
    stmt = select(T.c.status).where(T.c.platform == platform, T.c.dedupe_key == dedupe_key[:200])
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_failed(db: Database, inbox_id: int, error: str) -> None:
    """Close a claimed row as failed after a handler error, keeping the reason (a done row stays done)."""
    async with db.engine.begin() as conn:
        await conn.execute(_MARK_FAILED, {"iid": inbox_id, "err": error[:2000]})


async def retry_later(db: Database, inbox_id: int, until: datetime, error: str) -> bool:
    """Hand a claimed row back, claimable again at `until`; False when it has used up its attempts."""
    async with db.engine.begin() as conn:
        row = (await conn.execute(_RETRY_LATER, {"iid": inbox_id, "until": until, "err": error[:2000]})).first()
    return row is not None


async def give_up(db: Database, now: datetime) -> int:
    """Fail abandoned rows that have used up their attempts (else they would wait as `processing` forever)."""
    async with db.engine.begin() as conn:
        return (await conn.execute(_GIVE_UP, {"now": now})).rowcount or 0


async def backlog(db: Database) -> tuple[int, datetime | None]:
    """Return how many rows wait or are being handled, and when the oldest of them arrived."""
    async with db.engine.connect() as conn:
        n, oldest = (await conn.execute(_BACKLOG)).one()
    return int(n), oldest


async def counts(db: Database) -> dict[tuple[str, str], int]:
    """Count inbox rows per (platform, status) for metrics."""
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
