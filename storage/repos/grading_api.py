"""Read-API listings of grading: grade proposals, and customers with their grade, activity score and LTV.

`score_fields` is what any customers listing calls to add `activity_score` and `ltv` to its rows, and
`grade_filter` the WHERE clause of `?grade=` — so a customers endpoint built elsewhere can use both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.models import Customer, CustomerScore, GradeProposal, Member
from storage.repos._sql import id_of


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def grade_filter(grade: str | None):
    """Return the condition of `?grade=` ("" or "none" lists the ungraded), or None when no filter is asked."""
    if grade is None:
        return None
    return col(Customer.grade) == ("" if grade in ("", "none") else grade)


async def score_fields(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, float | None]]:
    """Return {customer: {"activity_score", "ltv"}} for these customers (None before the first grading)."""
    stmt = select(col(CustomerScore.customer_id), col(CustomerScore.activity), col(CustomerScore.ltv)).where(
        col(CustomerScore.customer_id).in_(ids))
    found: dict[int, dict[str, float | None]] = {
        c: {"activity_score": round(a, 2), "ltv": round(v, 2)} for c, a, v in (await session.execute(stmt)).all()}
    return {c: found.get(c, {"activity_score": None, "ltv": None}) for c in ids}


async def customers(db: Database, after: int, limit: int, grade: str | None = None) -> list[dict[str, Any]]:
    """Customers with owner name, grade, activity score, LTV and whether they are in the pool."""
    stmt = (select(Customer, col(Member.name)).outerjoin(Member, col(Member.id) == Customer.owner_id)
            .where(col(Customer.id) > after).order_by(col(Customer.id)).limit(limit))
    if (cond := grade_filter(grade)) is not None:
        stmt = stmt.where(cond)
    async with db.sessions() as s:
        rows = (await s.execute(stmt)).all()
        scores = await score_fields(s, [id_of(c) for c, _ in rows])
    return [{"id": c.id, "name": c.name, "owner": o, "industry": c.industry, "region": c.region, "grade": c.grade,
             **scores[id_of(c)], "in_pool": c.in_pool, "created_at": _iso(c.created_at)} for c, o in rows]


async def grade_proposals(db: Database, after: int, limit: int, status: str | None = None) -> list[dict[str, Any]]:
    """Quarterly re-grade proposals with the customer's name and the decision."""
    stmt = (select(GradeProposal, col(Customer.name)).join(Customer, col(Customer.id) == GradeProposal.customer_id)
            .where(col(GradeProposal.id) > after).order_by(col(GradeProposal.id)).limit(limit))
    if status:
        stmt = stmt.where(col(GradeProposal.status) == status)
    async with db.sessions() as s:
        rows = (await s.execute(stmt)).all()
    return [{"id": p.id, "customer": n, "customer_id": p.customer_id, "quarter": p.quarter,
             "from_grade": p.from_grade, "to_grade": p.to_grade, "reason": p.reason, "status": p.status,
             "numbers": p.numbers, "decision_note": p.decision_note, "decided_at": _iso(p.decided_at)}
            for p, n in rows]
