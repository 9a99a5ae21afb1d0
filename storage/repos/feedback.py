"""Reps' feedback (`反馈`): what the weekly digest reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, Member, Team
from storage.repos._sql import table_of

F, M, T = table_of(Feedback), table_of(Member), table_of(Team)


@dataclass(frozen=True)
class Entry:
    """One piece of feedback with who sent it."""

    id: int
    who: str
    team: str
    text: str
    at: datetime


async def between(session: AsyncSession, since: datetime, until: datetime) -> list[Entry]:
    """Return the feedback sent in [since, until), oldest first (index ix_feedback_created_at)."""
    stmt = (select(F.c.id, M.c.name, T.c.name, F.c.text, F.c.created_at)
            .select_from(F.outerjoin(M, M.c.id == F.c.member_id).outerjoin(T, T.c.id == M.c.team_id))
            .where(F.c.created_at >= since, F.c.created_at < until).order_by(F.c.created_at, F.c.id))
    rows = (await session.execute(stmt)).all()
    return [Entry(i, who or "?", team or "", text, at) for i, who, team, text, at in rows]
