"""Customers, opportunities and their stage evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Evidence, Interaction, Opportunity


async def customer_by_normalized(session: AsyncSession, normalized: str) -> Customer | None:
    """Find a customer by normalized name (unique index)."""
    stmt = select(Customer).where(Customer.normalized_name == normalized)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, row):
    """Insert a row and flush so it has its id."""
    session.add(row)
    await session.flush()
    return row


async def open_for_customer(session: AsyncSession, customer_id: int) -> Opportunity | None:
    """Return the customer's open opportunity, newest first."""
    stmt = (select(Opportunity).where(Opportunity.customer_id == customer_id, Opportunity.status == "open")
            .order_by(Opportunity.id.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_in_chat(session: AsyncSession, platform: str, chat_id: str) -> Opportunity | None:
    """Return the newest open opportunity bound to a chat."""
    stmt = (select(Opportunity).where(Opportunity.chat_platform == platform, Opportunity.chat_id == chat_id,
                                      Opportunity.status == "open")
            .order_by(Opportunity.id.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_of_owner(session: AsyncSession, owner_id: int) -> Opportunity | None:
    """Return the owner's most recently created open opportunity."""
    stmt = (select(Opportunity).where(Opportunity.owner_id == owner_id, Opportunity.status == "open")
            .order_by(Opportunity.id.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, opp_id: int) -> Opportunity | None:
    """Load one opportunity."""
    return await session.get(Opportunity, opp_id)


async def get_customer(session: AsyncSession, customer_id: int) -> Customer | None:
    """Load one customer."""
    return await session.get(Customer, customer_id)


async def evidence_of(session: AsyncSession, opp_id: int, stage: str) -> list[Evidence]:
    """Return evidence attached to one stage, oldest first."""
    stmt = (select(Evidence).where(Evidence.opportunity_id == opp_id, Evidence.stage == stage)
            .order_by(Evidence.id))
    return list((await session.execute(stmt)).scalars())


async def log_interaction(session: AsyncSession, customer_id: int, member_id: int | None, kind: str,
                          note: str, at: datetime) -> None:
    """Record a touch with the customer (feeds SLA, grading and reports)."""
    session.add(Interaction(customer_id=customer_id, member_id=member_id, kind=kind, note=note, at=at))
    await session.flush()
