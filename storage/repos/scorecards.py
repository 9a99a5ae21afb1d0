"""Queries of the scorecards: the reps to score, weekly history, coaching tasks and their 1:1 notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.models import CoachingNote, Member, ScorecardRow, Task
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

M, TK, S = table_of(Member), table_of(Task), table_of(ScorecardRow)
COACHING = "coaching"
CHUNK = 1000  # rows per multi-row insert: under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Rep:
    """An active rep as the scorecards need them: who, which team, whose manager."""

    id: int
    name: str
    team_id: int | None
    manager_id: int | None


async def reps(session: AsyncSession, team_id: int | None = None, ids: Sequence[int] | None = None) -> list[Rep]:
    """Return active reps (of one team, or only `ids`), each with their manager (else their team's first)."""
    boss = aliased(Member)
    bosses = (select(col(boss.team_id), func.min(col(boss.id)).label("boss_id"))
              .where(col(boss.role) == "manager", col(boss.active).is_(True)).group_by(col(boss.team_id)).subquery())
    stmt = (select(M.c.id, M.c.name, M.c.team_id, func.coalesce(M.c.manager_id, bosses.c.boss_id))
            .select_from(M.outerjoin(bosses, bosses.c.team_id == M.c.team_id))
            .where(M.c.active.is_(True), M.c.role == "rep"))
    if team_id is not None:
        stmt = stmt.where(M.c.team_id == team_id)
    if ids is not None:
        stmt = stmt.where(M.c.id.in_(ids))
    return [Rep(*row) for row in (await session.execute(stmt.order_by(M.c.id))).all()]


async def save(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store a week's scores (first write wins: a re-run of the same week changes nothing)."""
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert_ignore(S, dialect_of(session), ["member_id", "period"]), rows[start:start + CHUNK])


async def totals(session: AsyncSession, period: str, ids: Sequence[int] | None = None) -> dict[int, float | None]:
    """Return each member's total of a period."""
    stmt = select(S.c.member_id, S.c.total).where(S.c.period == period)
    if ids is not None:
        stmt = stmt.where(S.c.member_id.in_(ids))
    return dict((await session.execute(stmt)).all())


async def latest(session: AsyncSession, ids: Sequence[int]) -> dict[int, ScorecardRow]:
    """Return each member's most recent weekly row."""
    last = (select(S.c.member_id, func.max(S.c.period).label("p")).where(S.c.member_id.in_(ids))
            .group_by(S.c.member_id).subquery())
    on = (last.c.member_id == col(ScorecardRow.member_id)) & (last.c.p == col(ScorecardRow.period))
    stmt = select(ScorecardRow).join(last, on)
    return {r.member_id: r for r in (await session.execute(stmt)).scalars()}


async def history(session: AsyncSession, member_id: int, weeks: int = 12) -> list[ScorecardRow]:
    """Return the member's last `weeks` weekly rows, oldest first."""
    stmt = (select(ScorecardRow).where(col(ScorecardRow.member_id) == member_id)
            .order_by(col(ScorecardRow.period).desc()))
    return list(reversed((await session.execute(stmt.limit(weeks))).scalars().all()))


async def open_coaching(session: AsyncSession) -> set[int]:
    """Return the reps who already have an open coaching task."""
    stmt = select(TK.c.ref).where(TK.c.kind == COACHING, TK.c.done_at.is_(None))
    return {int(ref.removeprefix("member:")) for ref in (await session.execute(stmt)).scalars()}


async def add_coaching(session: AsyncSession, rows: list[dict[str, Any]]) -> list[tuple[int, int, int]]:
    """Create coaching tasks; return (task id, manager id, rep id) of each."""
    if not rows:
        return []
    stmt = TK.insert().returning(TK.c.id, TK.c.owner_id, TK.c.ref, sort_by_parameter_order=True)
    made = (await session.execute(stmt, [{"kind": COACHING, **row} for row in rows])).all()
    return [(tid, owner, int(ref.removeprefix("member:"))) for tid, owner, ref in made]


async def keep_coaching_visible(session: AsyncSession, older_than: datetime, now: datetime) -> int:
    """Re-date open coaching tasks overdue since before `older_than`, so the must-do list never drops them."""
    stmt = (update(TK).where(TK.c.kind == COACHING, TK.c.done_at.is_(None), TK.c.due_at < older_than)
            .values(due_at=now))
    return rowcount(await session.execute(stmt)) or 0


async def coaching_task(session: AsyncSession, member_id: int) -> Task | None:
    """Return the rep's open coaching task."""
    stmt = select(Task).where(col(Task.kind) == COACHING, col(Task.ref) == f"member:{member_id}",
                              col(Task.done_at).is_(None))
    return (await session.execute(stmt.order_by(col(Task.id)))).scalars().first()


async def log_coaching(session: AsyncSession, task: Task | None, manager_id: int, member_id: int, notes: str,
                       now: datetime) -> None:
    """Store the 1:1 notes and close the coaching task they answer."""
    session.add(CoachingNote(task_id=task.id if task else None, manager_id=manager_id, member_id=member_id,
                             notes=notes, at=now))
    if task is not None:
        await session.execute(update(TK).where(TK.c.id == task.id, TK.c.done_at.is_(None)).values(done_at=now))


async def listing(session: AsyncSession, after: int, limit: int) -> list[tuple[ScorecardRow, str]]:
    """Return a page of weekly rows with the member's name, by id."""
    stmt = (select(ScorecardRow, col(Member.name)).join(Member, col(Member.id) == ScorecardRow.member_id)
            .where(col(ScorecardRow.id) > after).order_by(col(ScorecardRow.id)).limit(limit))
    return list((await session.execute(stmt)).all())


async def api_listing(db, after: int, limit: int) -> list[dict[str, Any]]:
    """The read API's /api/v1/scorecards page: member, period, scores, health weight, total, light (null: no data)."""
    async with db.sessions() as session:
        rows = await listing(session, after, limit)
    return [{"id": r.id, "member": name, "period": r.period, "result_score": r.result_score,
             "health_score": r.health_score, "health_weight": r.health_weight, "total": r.total,
             "light": r.light or None} for r, name in rows]
