"""Evidence media: the download queue of images/files sent as evidence, and where each copy is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.models import Evidence, EvidenceMedia, Member, QueuedTask
from storage.repos._sql import rowcount, table_of

EM, EV, TQ = table_of(EvidenceMedia), table_of(Evidence), table_of(QueuedTask)
KEY_PREFIX = "media_fetch:"  # task key of one download: media_fetch:<evidence id>


async def add_pending(session: AsyncSession, evidence_id: int, platform: str, ref: str, now: datetime) -> None:
    """Record that an evidence item's media still has to be downloaded."""
    session.add(EvidenceMedia(evidence_id=evidence_id, platform=platform, ref=ref, created_at=now, updated_at=now))
    await session.flush()


async def take_pending(session: AsyncSession, platforms: Sequence[str], now: datetime,
                       limit: int = 500) -> list[tuple[int, str, str, str]]:
    """Mark up to `limit` pending rows of these platforms queued; return (evidence id, platform, ref, name)."""
    if not platforms:
        return []
    stmt = (select(EM.c.evidence_id, EM.c.platform, EM.c.ref, EV.c.media_name)
            .select_from(EM.join(EV, EV.c.id == EM.c.evidence_id))
            .where(EM.c.status == "pending", EM.c.platform.in_(list(platforms)))
            .order_by(EM.c.evidence_id).limit(limit))
    rows = [tuple(r) for r in (await session.execute(stmt)).all()]
    if rows:
        await session.execute(update(EM).where(EM.c.evidence_id.in_([r[0] for r in rows]), EM.c.status == "pending")
                              .values(status="queued", updated_at=now))
    return rows


async def fail_dead(session: AsyncSession, now: datetime) -> int:
    """Mark queued downloads whose task was dead-lettered as failed, keeping the reason; return how many."""
    key = literal(KEY_PREFIX) + cast(EM.c.evidence_id, String)
    dead = (select(TQ.c.last_error).where(TQ.c.idempotency_key == key, TQ.c.status == "dead")
            .limit(1).scalar_subquery())
    stmt = (update(EM).where(EM.c.status == "queued", dead.is_not(None))
            .values(status="failed", error=func.substr(dead, 1, 300), updated_at=now))
    return rowcount(await session.execute(stmt)) or 0


async def mark_stored(db: Database, evidence_id: int, path: str, sha256: str, size: int, now: datetime) -> None:
    """Record the stored copy (its own transaction: called by the task worker after the download)."""
    async with db.session() as s:
        await s.execute(update(EM).where(EM.c.evidence_id == evidence_id).values(
            status="stored", path=path, sha256=sha256, size=size, error="", updated_at=now))


async def mark_failed(db: Database, evidence_id: int, error: str, now: datetime) -> None:
    """Record why a download can never succeed (expired media id, over the size limit …)."""
    async with db.session() as s:
        await s.execute(update(EM).where(EM.c.evidence_id == evidence_id, EM.c.status != "stored")
                        .values(status="failed", error=error[:300], updated_at=now))


async def of_evidence(session: AsyncSession, evidence_id: int) -> tuple[Evidence, EvidenceMedia | None, str] | None:
    """Return the evidence, its media row (None for links and notes) and who attached it; None if unknown."""
    stmt = (select(Evidence, EvidenceMedia, col(Member.name))
            .outerjoin(EvidenceMedia, col(EvidenceMedia.evidence_id) == Evidence.id)
            .outerjoin(Member, col(Member.id) == Evidence.member_id).where(col(Evidence.id) == evidence_id))
    row = (await session.execute(stmt)).first()
    return (row[0], row[1], row[2] or "") if row else None


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Return {(platform, status): rows} for the job summary and metrics."""
    stmt = select(EM.c.platform, EM.c.status, func.count()).group_by(EM.c.platform, EM.c.status)
    return {(p, s): n for p, s, n in (await session.execute(stmt)).all()}
