"""Quarterly re-grade proposals: write them once per quarter, list a team's pending ones, record decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, GradeProposal, Member
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

C, M, GP = table_of(Customer), table_of(Member), table_of(GradeProposal)
CHUNK = 2000


async def add_proposals(session: AsyncSession, quarter: str, rows: list[dict]) -> int:
    """Insert proposals, ignoring ones already made for that customer and quarter; return how many are new.

    Counted before and after: a driver's executemany does not always report the rows it inserted.
    """
    count = select(func.count()).select_from(GP).where(GP.c.quarter == quarter)
    before = (await session.execute(count)).scalar_one()
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert_ignore(GP, dialect_of(session), ["quarter", "customer_id"]), rows[i:i + CHUNK])
    return (await session.execute(count)).scalar_one() - before


def _scope(team_id: int | None, everyone: bool):
    if everyone:
        return GP.c.id.is_not(None)
    return GP.c.owner_id.in_(select(M.c.id).where(M.c.team_id == team_id))


async def pending(session: AsyncSession, team_id: int | None, everyone: bool, limit: int) -> tuple[list, int]:
    """Return (first `limit` pending proposals of the team with customer and owner names, how many are pending)."""
    where = (GP.c.status == "pending", _scope(team_id, everyone))
    total = (await session.execute(select(func.count()).select_from(GP).where(*where))).scalar_one()
    stmt = (select(GP.c.id, C.c.name, func.coalesce(M.c.name, ""), GP.c.from_grade, GP.c.to_grade, GP.c.reason,
                   GP.c.quarter)
            .select_from(GP.join(C, C.c.id == GP.c.customer_id).outerjoin(M, M.c.id == GP.c.owner_id))
            .where(*where).order_by(GP.c.id).limit(limit))
    return list((await session.execute(stmt)).all()), int(total)


async def pending_rows(session: AsyncSession, team_id: int | None, everyone: bool,
                       ids: Sequence[int] | None = None, quarter: str | None = None) -> list[GradeProposal]:
    """Return the team's pending proposals (only `ids`, or one quarter's, when given)."""
    stmt = select(GradeProposal).where(GP.c.status == "pending", _scope(team_id, everyone))
    if ids is not None:
        stmt = stmt.where(GP.c.id.in_(list(ids)))
    if quarter is not None:
        stmt = stmt.where(GP.c.quarter == quarter)
    return list((await session.execute(stmt.order_by(GP.c.id))).scalars())


async def decide(session: AsyncSession, ids: Sequence[int], status: str, member_id: int, note: str,
                 now: datetime) -> int:
    """Mark still-pending proposals approved or rejected; return how many this call decided."""
    stmt = (update(GP).where(GP.c.id.in_(list(ids)), GP.c.status == "pending")
            .values(status=status, decided_by=member_id, decided_at=now, decision_note=note[:200]))
    return rowcount(await session.execute(stmt)) or 0


async def managers_with_pending(session: AsyncSession, quarter: str) -> dict[int, int]:
    """Return {manager id: pending count of their team} for one quarter's proposals."""
    owner = M.alias("owner")
    stmt = (select(M.c.id, func.count()).select_from(
        GP.join(owner, owner.c.id == GP.c.owner_id).join(M, (M.c.team_id == owner.c.team_id)
                                                           & (M.c.role == "manager") & M.c.active.is_(True)))
        .where(GP.c.quarter == quarter, GP.c.status == "pending").group_by(M.c.id))
    return dict((await session.execute(stmt)).all())


async def current_grades(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """Return the present grade of these customers."""
    stmt = select(C.c.id, C.c.grade).where(C.c.id.in_(list(ids)))
    return dict((await session.execute(stmt)).all())
