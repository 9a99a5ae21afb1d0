"""NPS surveys: one per customer, created once their first delivery is accepted; one answer each."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer, NpsSurvey, Order
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

OR, C, NS = table_of(Order), table_of(Customer), table_of(NpsSurvey)


async def create_due(session: AsyncSession, now: datetime, since: datetime,
                     valid: timedelta) -> list[tuple[int, int | None, str]]:
    """Create the survey of every customer whose first acceptance fell in [since, now) and has none yet.

    Returns (survey id, owner, customer name) of the surveys created now — one INSERT … SELECT for all.
    """
    first = (select(OR.c.customer_id, func.min(OR.c.accepted_at).label("acc"), func.min(OR.c.id).label("oid"))
             .where(OR.c.accepted_at.is_not(None)).group_by(OR.c.customer_id)
             .having(and_(func.min(OR.c.accepted_at) >= since, func.min(OR.c.accepted_at) < now)).subquery())
    rows = (select(first.c.customer_id, C.c.owner_id, first.c.oid, literal(now, NS.c.sent_at.type),
                   literal(now + valid, NS.c.expires_at.type))
            .select_from(first.join(C, C.c.id == first.c.customer_id))
            .where(~select(NS.c.id).where(NS.c.customer_id == first.c.customer_id).exists()))
    stmt = (insert_ignore(NS, dialect_of(session), ["customer_id"])
            .from_select(["customer_id", "member_id", "order_id", "sent_at", "expires_at"], rows)
            .returning(NS.c.id, NS.c.member_id, NS.c.customer_id))
    made = (await session.execute(stmt)).all()
    names = dict((await session.execute(select(C.c.id, C.c.name).where(C.c.id.in_([c for _, _, c in made]))))
                 .all()) if made else {}
    return [(sid, owner, names.get(cid, "")) for sid, owner, cid in made]


async def get(session: AsyncSession, survey_id: int) -> tuple[NpsSurvey, str] | None:
    """Return a survey with its customer's name."""
    stmt = select(NpsSurvey, col(Customer.name)).join(Customer, col(Customer.id) == NpsSurvey.customer_id).where(
        col(NpsSurvey.id) == survey_id)
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def answer(session: AsyncSession, survey_id: int, score: int, comment: str, now: datetime) -> bool:
    """Record the answer; False when the survey was answered before (nothing is recorded twice)."""
    stmt = (update(NS).where(NS.c.id == survey_id, NS.c.answered_at.is_(None))
            .values(score=score, comment=comment, answered_at=now))
    return bool(rowcount(await session.execute(stmt)))
