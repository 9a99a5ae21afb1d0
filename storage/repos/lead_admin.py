"""What admins see of leads: refused intake payloads (and their replay) and the lead numbers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sales.sla import median_minutes
from storage.db import Database
from storage.models import IntakeReject, Lead, Member, Team
from storage.repos._sql import table_of

R = table_of(IntakeReject)
L = table_of(Lead)


async def add_reject(db: Database, channel: str, content_type: str, body: bytes, reason: str,
                     fields: dict[str, str], now: datetime) -> int:
    """Keep a payload that could not become a lead, with the field-level reasons; return its id."""
    text = body.decode("utf-8", errors="replace")
    async with db.engine.begin() as conn:
        stmt = R.insert().values(channel=channel[:40], content_type=content_type[:120], body=text, reason=reason,
                                 fields=fields, status="open", received_at=now).returning(R.c.id)
        return (await conn.execute(stmt)).scalar_one()


async def open_rejects(session: AsyncSession, channel: str | None = None, limit: int = 10_000) -> list[Any]:
    """Return open rejects (oldest first), of one channel or all."""
    stmt = select(R).where(R.c.status == "open").order_by(R.c.id).limit(limit)
    if channel:
        stmt = stmt.where(R.c.channel == channel)
    return list((await session.execute(stmt)).all())


async def mark_replayed(session: AsyncSession, reject_id: int, lead_id: int, now: datetime) -> None:
    """Close a reject that became a lead on replay."""
    await session.execute(update(R).where(R.c.id == reject_id)
                          .values(status="replayed", lead_id=lead_id, replayed_at=now))


async def note_retry(session: AsyncSession, reject_id: int, reason: str, fields: dict[str, str]) -> None:
    """Refresh why a reject still fails after a replay."""
    await session.execute(update(R).where(R.c.id == reject_id).values(reason=reason, fields=fields))


async def rejects_between(session: AsyncSession, start: datetime, end: datetime,
                          sample: int = 5_000) -> tuple[dict[str, tuple[int, int]], list[tuple[str, dict]]]:
    """Return {channel: (received, still open)} of rejects received in [start, end) and their (channel, fields).

    Counts are exact; the fields come from the newest `sample` rejects only, enough to rank the reasons
    without reading a whole flood of refusals into memory.
    """
    window = (R.c.received_at >= start, R.c.received_at < end)
    counts = (await session.execute(select(R.c.channel, func.count(), func.count().filter(R.c.status == "open"))
                                    .where(*window).group_by(R.c.channel))).all()
    rows = (await session.execute(select(R.c.channel, R.c.fields).where(*window)
                                  .order_by(R.c.id.desc()).limit(sample))).all()
    return {c: (n, o) for c, n, o in counts}, [(c, f or {}) for c, f in rows]


async def open_reject_count(session: AsyncSession) -> int:
    """Count rejects still waiting for a map fix and a replay."""
    return (await session.execute(select(func.count()).select_from(R).where(R.c.status == "open"))).scalar_one()


async def reject_listing(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Read-API page of intake rejects."""
    stmt = select(R).where(R.c.id > after).order_by(R.c.id).limit(limit)
    async with db.sessions() as s:
        rows = (await s.execute(stmt)).all()
    return [{"id": r.id, "channel": r.channel, "status": r.status, "reason": r.reason, "fields": r.fields,
             "lead_id": r.lead_id, "received_at": r.received_at.isoformat() if r.received_at else None,
             "body": r.body[:4000]} for r in rows]


async def numbers(db: Database, now: datetime, days: int = 30) -> dict[str, Any]:
    """Auto-distribution success rate, median minutes to first response, breaches per team (last `days`)."""
    since = now - timedelta(days=days)
    async with db.sessions() as s:
        total, assigned = (await s.execute(select(func.count(), func.count(L.c.assigned_at))
                                           .where(L.c.received_at >= since))).one()
        pairs = (await s.execute(select(L.c.received_at, L.c.first_response_at)
                                 .where(L.c.received_at >= since, L.c.first_response_at.is_not(None)))).all()
        teams = (await s.execute(select(col(Team.name), func.count()).select_from(L)
                                 .join(Member, col(Member.id) == L.c.owner_id)
                                 .join(Team, col(Team.id) == Member.team_id)
                                 .where(L.c.received_at >= since, L.c.breached_at.is_not(None))
                                 .group_by(col(Team.name)))).all()
    minutes = [(b - a).total_seconds() / 60 for a, b in pairs if a and b]
    return {"days": days, "leads": total, "auto_assigned": assigned,
            "auto_distribution_rate": round(assigned / total, 4) if total else None,
            "median_first_response_minutes": median_minutes(minutes),
            "breaches_per_team": {t: n for t, n in teams}}


def gauges(n: dict[str, Any]) -> dict[str, tuple[str, dict[tuple, float]]]:
    """The lead numbers as /metrics gauges (last 30 days)."""
    rate, median = n["auto_distribution_rate"], n["median_first_response_minutes"]
    return {
        "salesbot_leads_auto_distribution_ratio": ("Share of leads (30 days) assigned automatically",
                                                   {(): float(rate)} if rate is not None else {}),
        "salesbot_leads_first_response_median_minutes": ("Median minutes from receipt to first response (30 days)",
                                                         {(): float(median)} if median is not None else {}),
        "salesbot_leads_breaches": ("Leads (30 days) that missed the first-response deadline, by owner's team",
                                    {(("team", t),): float(c) for t, c in n["breaches_per_team"].items()}),
    }
