"""Customers, opportunities, their stage evidence and history, and reps' feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer, Evidence, Feedback, Interaction, Member, Opportunity, StageChange


async def customer_by_normalized(session: AsyncSession, normalized: str) -> Customer | None:
    """Find a customer by normalized name (unique index)."""
    stmt = select(Customer).where(col(Customer.normalized_name) == normalized)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row):
    """Insert a row and flush so it has its id."""
    session.add(row)
    await session.flush()
    return row


async def open_for_customer(session: AsyncSession, customer_id: int) -> Opportunity | None:
    """Return the customer's open opportunity, newest first."""
    stmt = (select(Opportunity).where(col(Opportunity.customer_id) == customer_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_in_chat(session: AsyncSession, platform: str, chat_id: str,
                         owner_id: int | None = None) -> Opportunity | None:
    """Return the newest open opportunity bound to a chat (only the owner's, when one is given)."""
    stmt = (select(Opportunity).where(col(Opportunity.chat_platform) == platform, col(Opportunity.chat_id) == chat_id,
                                      col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(1))
    if owner_id is not None:
        stmt = stmt.where(col(Opportunity.owner_id) == owner_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_of_owner(session: AsyncSession, owner_id: int) -> Opportunity | None:
    """Return the owner's most recently created open opportunity."""
    stmt = (select(Opportunity).where(col(Opportunity.owner_id) == owner_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def open_of_owner(session: AsyncSession, owner_id: int, limit: int = 10) -> list[Opportunity]:
    """Return the owner's open opportunities, newest first."""
    stmt = (select(Opportunity).where(col(Opportunity.owner_id) == owner_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def open_customer_names(session: AsyncSession, owner_id: int, limit: int = 6) -> list[str]:
    """Return the customers of the owner's open opportunities, newest first (at most `limit`)."""
    stmt = (select(col(Customer.name)).join(Opportunity, col(Opportunity.customer_id) == Customer.id)
            .where(col(Opportunity.owner_id) == owner_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, opp_id: int) -> Opportunity | None:
    """Load one opportunity."""
    return await session.get(Opportunity, opp_id)


async def get_customer(session: AsyncSession, customer_id: int) -> Customer | None:
    """Load one customer."""
    return await session.get(Customer, customer_id)


async def evidence_of(session: AsyncSession, opp_id: int, stage: str) -> list[Evidence]:
    """Return evidence attached to one stage, oldest first."""
    stmt = (select(Evidence).where(col(Evidence.opportunity_id) == opp_id, col(Evidence.stage) == stage)
            .order_by(col(Evidence.id)))
    return list((await session.execute(stmt)).scalars())


async def log_interaction(session: AsyncSession, customer_id: int, member_id: int | None, kind: str,
                          note: str, at: datetime) -> None:
    """Record a touch with the customer (feeds SLA, grading and reports)."""
    session.add(Interaction(customer_id=customer_id, member_id=member_id, kind=kind, note=note, at=at))
    await session.flush()


async def evidence_with_names(session: AsyncSession, opp_id: int, stage: str) -> list[tuple[Evidence, str]]:
    """Return a stage's evidence with the name of who attached it, oldest first."""
    stmt = (select(Evidence, col(Member.name)).outerjoin(Member, col(Member.id) == Evidence.member_id)
            .where(col(Evidence.opportunity_id) == opp_id, col(Evidence.stage) == stage).order_by(col(Evidence.id)))
    return [(e, name or "") for e, name in (await session.execute(stmt)).all()]


async def record_stage_change(session: AsyncSession, opp_id: int, from_stage: str, to_stage: str, via: str,
                              member_id: int | None, reason: str, at: datetime) -> None:
    """Append a stage move or close to the history (who, when, how, why)."""
    session.add(StageChange(opportunity_id=opp_id, from_stage=from_stage, to_stage=to_stage, via=via,
                            member_id=member_id, reason=reason[:400], at=at))
    await session.flush()


async def stage_history(session: AsyncSession, opp_id: int) -> list[StageChange]:
    """Return an opportunity's stage moves, oldest first."""
    stmt = select(StageChange).where(col(StageChange.opportunity_id) == opp_id).order_by(col(StageChange.id))
    return list((await session.execute(stmt)).scalars())


async def add_feedback(session: AsyncSession, member_id: int | None, text: str, platform: str, chat_id: str,
                       at: datetime) -> Feedback:
    """Store one `反馈`."""
    return await add(session, Feedback(member_id=member_id, text=text, platform=platform, chat_id=chat_id,
                                       created_at=at))

