"""Read API pages of orders (one query per page, names by join); customers are in storage/repos/grading_api.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from storage.db import Database
from storage.models import Customer, Member, Order


def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def orders(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Orders with their customer's name; amount in yuan."""
    stmt = (select(Order, col(Customer.name), col(Member.name)).join(Customer, col(Customer.id) == Order.customer_id)
            .outerjoin(Member, col(Member.id) == Order.owner_id)
            .where(col(Order.id) > after).order_by(col(Order.id)).limit(limit))
    async with db.sessions() as session:
        rows = (await session.execute(stmt)).all()
    return [{"id": o.id, "customer": c, "amount": o.amount, "ordered_at": _iso(o.ordered_at),
             "accepted_at": _iso(o.accepted_at), "product": o.product, "owner": m, "source": o.source}
            for o, c, m in rows]
