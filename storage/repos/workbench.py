"""The WeCom workbench's key data for every member at once, one member's page, and what was pushed last.

Counts reuse the must-do queries of storage/repos/candidates.py (the same candidates, windows and
snoozes), so "今日必做 3" on the workbench is exactly what `今日必做` shows. All members cost the
same six statements as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import OWNED_LEAD_STATUSES
from sales import mustdo
from sales.mustdo import Candidate, Item
from sales.stages import Pipeline
from storage.db import Database
from storage.models import Customer, Identity, Lead, WorkbenchState
from storage.repos import candidates as must
from storage.repos._sql import dialect_of, insert_ignore, table_of

L, C, WS = table_of(Lead), table_of(Customer), table_of(WorkbenchState)
FOLLOW_UP = OWNED_LEAD_STATUSES  # a lead that is the owner's to follow up


@dataclass(frozen=True)
class Counts:
    """The three numbers on a member's workbench."""

    must_do: int = 0
    open_leads: int = 0
    overdue: int = 0

    def label(self) -> str:
        """Return the stored digest, e.g. "3/5/1"."""
        return f"{self.must_do}/{self.open_leads}/{self.overdue}"


@dataclass(frozen=True)
class OpenLead:
    """One lead on the personal page."""

    id: int
    subject: str
    status: str
    due_at: datetime | None
    answered: bool


def _overdue(candidates: list[Candidate], now: datetime, skip: set[tuple[int, str]]) -> dict[int, list[Candidate]]:
    """Each owner's overdue candidates, one per subject (a deal, lead or customer), earliest deadline first."""
    out: dict[int, dict[str, Candidate]] = defaultdict(dict)
    for c in sorted(candidates, key=lambda c: (c.due_at, c.key)):
        if c.due_at < now and (c.owner_id, c.key) not in skip:
            out[c.owner_id].setdefault(c.about or c.key, c)
    return {owner: list(by_subject.values()) for owner, by_subject in out.items()}


async def lead_counts(session: AsyncSession, member_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Return {owner: leads to follow up} in one grouped query (index ix_lead_owner_status)."""
    stmt = select(L.c.owner_id, func.count()).where(L.c.status.in_(FOLLOW_UP), L.c.owner_id.is_not(None))
    if member_ids is not None:
        stmt = stmt.where(L.c.owner_id.in_(member_ids))
    return dict((await session.execute(stmt.group_by(L.c.owner_id))).all())


async def counts(session: AsyncSession, now: datetime, day: str, pipeline: Pipeline,
                 member_ids: Sequence[int] | None = None) -> dict[int, Counts]:
    """Return every member's (or these members') workbench counts; members with nothing get no entry."""
    candidates = await must.candidates(session, now, pipeline, member_ids)
    skip = await must.suppressed(session, now, day, member_ids)
    ranked = mustdo.rank(candidates, now, skip)
    late = _overdue(candidates, now, skip)
    leads = await lead_counts(session, member_ids)
    owners = set(ranked) | set(late) | set(leads)
    return {m: Counts(len(ranked.get(m, [])), leads.get(m, 0), len(late.get(m, []))) for m in owners}


async def page(session: AsyncSession, now: datetime, day: str, pipeline: Pipeline,
               member_id: int) -> tuple[list[Item], list[OpenLead], list[str]]:
    """One member's must-do items, leads to follow up (newest deadline last, at most 50) and overdue lines."""
    candidates = await must.candidates(session, now, pipeline, [member_id])
    skip = await must.suppressed(session, now, day, [member_id])
    items = mustdo.rank(candidates, now, skip).get(member_id, [])
    late = [mustdo.describe(c, now) for c in _overdue(candidates, now, skip).get(member_id, [])]
    stmt = (select(L.c.id, func.coalesce(C.c.name, L.c.contact_name), L.c.status, L.c.first_response_due_at,
                   L.c.first_response_at).select_from(L.outerjoin(C, C.c.id == L.c.customer_id))
            .where(L.c.owner_id == member_id, L.c.status.in_(FOLLOW_UP))
            .order_by(L.c.first_response_due_at, L.c.id).limit(50))
    leads = [OpenLead(i, name or f"线索 #{i}", status, due, answered is not None)
             for i, name, status, due, answered in (await session.execute(stmt)).all()]
    return items, leads, late


async def platform_ids(session: AsyncSession, platform: str) -> dict[int, str]:
    """Return {member: their user id on `platform`} for everyone linked there, in one query."""
    stmt = select(col(Identity.member_id), col(Identity.platform_user_id)).where(col(Identity.platform) == platform)
    return dict((await session.execute(stmt)).all())


async def states(session: AsyncSession) -> dict[int, tuple[str, str, datetime | None]]:
    """Return {member: (counts label, chain, pushed_at)} of every member pushed before."""
    rows = await session.execute(select(WS.c.member_id, WS.c.counts, WS.c.chain, WS.c.pushed_at))
    return {m: (c, ch, at) for m, c, ch, at in rows.all()}


async def is_latest(db: Database, member_id: int, chain: str) -> bool:
    """Whether `chain` is the member's newest pushed state (an older queued update is superseded by it)."""
    async with db.engine.connect() as conn:
        latest = (await conn.execute(select(WS.c.chain).where(WS.c.member_id == member_id))).scalar()
    return latest is None or latest == chain


async def save_states(session: AsyncSession, rows: list[dict]) -> None:
    """Upsert {member_id, counts, chain, pushed_at} rows: delete-then-insert keeps it one dialect-neutral pair."""
    for start in range(0, len(rows), 2000):  # stay under SQLite's bound-parameter limit
        chunk = rows[start:start + 2000]
        await session.execute(WS.delete().where(WS.c.member_id.in_([r["member_id"] for r in chunk])))
        await session.execute(insert_ignore(WS, dialect_of(session), ["member_id"]), chunk)
