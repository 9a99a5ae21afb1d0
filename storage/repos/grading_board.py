"""Queries of the grading board: a team's customers with their scores, and who moved since a date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, CustomerScore, GradeHistory, Member
from storage.repos._sql import table_of

C, M, CS, GH = (table_of(x) for x in (Customer, Member, CustomerScore, GradeHistory))
DOTS = 600  # the most valuable customers drawn; more would not be readable on a phone


@dataclass(frozen=True)
class Dot:
    """One customer on the scatter."""

    id: int
    name: str
    owner: str
    grade: str
    activity: float
    ltv: float


async def dots(session: AsyncSession, team_id: int) -> tuple[list[Dot], Counter]:
    """Return the team's most valuable customers (at most DOTS) and the count of every customer per grade."""
    team = (C.c.owner_id == M.c.id) & (M.c.team_id == team_id)
    stmt = (select(C.c.id, C.c.name, M.c.name, C.c.grade, CS.c.activity, CS.c.ltv)
            .select_from(C.join(M, team).outerjoin(CS, CS.c.customer_id == C.c.id)))
    rows = (await session.execute(stmt)).all()
    counts = Counter(r[3] or "" for r in rows)
    rows = sorted(rows, key=lambda r: -(r[5] or 0))[:DOTS]
    return [Dot(r[0], r[1], r[2], r[3] or "", float(r[4] or 0), float(r[5] or 0)) for r in rows], counts


async def moved_since(session: AsyncSession, team_id: int, since: datetime) -> dict[int, tuple[str, str, str]]:
    """Return {customer: (name, grade at `since`, grade now)} for the team's customers whose grade changed since."""
    stmt = (select(GH.c.customer_id, GH.c.from_grade, C.c.name, C.c.grade)
            .select_from(GH.join(C, C.c.id == GH.c.customer_id).join(M, M.c.id == C.c.owner_id))
            .where(M.c.team_id == team_id, GH.c.at >= since).order_by(GH.c.customer_id, GH.c.at, GH.c.id))
    out: dict[int, tuple[str, str, str]] = {}
    for cid, before, name, now in (await session.execute(stmt)).all():
        out.setdefault(cid, (name, before or "", now or ""))
    return {cid: v for cid, v in out.items() if v[1] != v[2]}
