"""Queries of the 90-second entry forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer


async def recent_customers(session: AsyncSession, owner_id: int, limit: int = 6) -> list[tuple[int, str]]:
    """The owner's customers, most recently touched first: the quick picks of `客户` without arguments."""
    stmt = (select(Customer.id, Customer.name).where(Customer.owner_id == owner_id)
            .order_by(Customer.last_touch_at.desc().nulls_last(), Customer.id.desc()).limit(limit))
    return [(cid, name) for cid, name in (await session.execute(stmt)).all()]
