"""Read API pages of orders (one query per page, names by join); customers are in storage/repos/grading_api.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import Customer, Member
from storage.models_history import Order


def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def orders(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Orders with their customer's name; amount in yuan."""
    stmt = (select(Order, Customer.name, Member.name).join(Customer, Customer.id == Order.customer_id)
            .outerjoin(Member, Member.id == Order.owner_id)
            .where(Order.id > after).order_by(Order.id).limit(limit))
    async with db.sessions() as session:
        rows = (await session.execute(stmt)).all()
    return [{"id": o.id, "customer": c, "amount": o.amount, "ordered_at": _iso(o.ordered_at),
             "accepted_at": _iso(o.accepted_at), "product": o.product, "owner": m, "source": o.source}
            for o, c, m in rows]
