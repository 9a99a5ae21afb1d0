"""Queries of the 90-second entry forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer
from storage.repos._sql import pk_col


async def recent_customers(session: AsyncSession, owner_id: int, limit: int = 6) -> list[tuple[int, str]]:
    """The owner's customers, most recently touched first: the quick picks of `客户` without arguments."""
    stmt = (select(pk_col(Customer.id), col(Customer.name)).where(col(Customer.owner_id) == owner_id)
            .order_by(col(Customer.last_touch_at).desc().nulls_last(), col(Customer.id).desc()).limit(limit))
    return [(cid, name) for cid, name in (await session.execute(stmt)).all()]
