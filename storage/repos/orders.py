"""Queries of live orders: the one order of a won deal and the customer's oldest order awaiting acceptance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Order


async def of_opportunity(session: AsyncSession, opportunity_id: int) -> Order | None:
    """The order a won deal wrote (None when it wrote none yet)."""
    stmt = select(Order).where(col(Order.opportunity_id) == opportunity_id).order_by(col(Order.id)).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def add_for_deal(session: AsyncSession, customer_id: int, owner_id: int | None, opportunity_id: int,
                       amount: int, now: datetime) -> Order:
    """Write the won deal's order unless one exists for the opportunity already; return the order."""
    found = await of_opportunity(session, opportunity_id)
    if found is not None:
        return found
    order = Order(customer_id=customer_id, owner_id=owner_id, opportunity_id=opportunity_id, amount=amount,
                  ordered_at=now, source="deal", created_at=now)
    session.add(order)
    await session.flush()
    return order


async def oldest_unaccepted(session: AsyncSession, customer_id: int) -> Order | None:
    """The customer's oldest order whose delivery nobody has recorded as accepted yet."""
    stmt = (select(Order).where(col(Order.customer_id) == customer_id, col(Order.accepted_at).is_(None))
            .order_by(col(Order.ordered_at), col(Order.id)).limit(1))
    return (await session.execute(stmt)).scalars().first()


async def any_accepted(session: AsyncSession, customer_id: int) -> bool:
    """True when some delivery of the customer was accepted already (the first acceptance is behind us)."""
    stmt = (select(col(Order.id)).where(col(Order.customer_id) == customer_id, col(Order.accepted_at).is_not(None))
            .limit(1))
    return (await session.execute(stmt)).first() is not None
