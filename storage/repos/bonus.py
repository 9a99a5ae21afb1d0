"""Queries of the bonus: each month's new customers with their first acceptance, and the deferral ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BonusDeferral, Customer, Order
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

OR, C, BD = table_of(Order), table_of(Customer), table_of(BonusDeferral)


def _accepted(customer_col):
    """The first time any delivery of the customer was accepted (NULL while none is)."""
    inner = OR.alias("acc")  # its own alias: the outer query may read customer_order too
    return (select(func.min(inner.c.accepted_at)).where(inner.c.customer_id == customer_col)
            .correlate_except(inner).scalar_subquery())


async def new_customers(session: AsyncSession, start: datetime, end: datetime,
                        ids: Sequence[int] | None = None) -> list[tuple[int, int, str, datetime | None]]:
    """Return (owner, customer, name, first acceptance) of customers whose first order falls in [start, end)."""
    first = (select(OR.c.customer_id, func.min(OR.c.ordered_at).label("first_at")).group_by(OR.c.customer_id)
             .having(and_(func.min(OR.c.ordered_at) >= start, func.min(OR.c.ordered_at) < end)).subquery())
    stmt = (select(OR.c.owner_id, OR.c.customer_id, C.c.name, _accepted(OR.c.customer_id))
            .select_from(OR.join(first, and_(first.c.customer_id == OR.c.customer_id,
                                             first.c.first_at == OR.c.ordered_at)).join(C, C.c.id == OR.c.customer_id))
            .where(OR.c.owner_id.is_not(None)))
    if ids is not None:
        stmt = stmt.where(OR.c.owner_id.in_(ids))
    seen: set[int] = set()
    out = []
    for owner, cid, name, accepted in (await session.execute(stmt.order_by(OR.c.customer_id, OR.c.id))).all():
        if cid not in seen:  # two orders at the same first instant: the customer counts once
            seen.add(cid)
            out.append((owner, cid, name, accepted))
    return out


async def record(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Write deferrals (first write wins per customer, so a re-run never changes an amount)."""
    for start in range(0, len(rows), 1000):
        await session.execute(insert_ignore(BD, dialect_of(session), ["customer_id"]), rows[start:start + 1000])


async def amounts(session: AsyncSession, customer_ids: Sequence[int]) -> dict[int, int]:
    """Return the recorded deferral amount of these customers."""
    if not customer_ids:
        return {}
    stmt = select(BD.c.customer_id, BD.c.amount).where(BD.c.customer_id.in_(customer_ids))
    return dict((await session.execute(stmt)).all())


async def release(session: AsyncSession) -> int:
    """Release every deferral whose customer has accepted a delivery, dated at that acceptance."""
    accepted = _accepted(BD.c.customer_id)
    stmt = update(BD).where(BD.c.released_at.is_(None), accepted.is_not(None)).values(released_at=accepted)
    return rowcount(await session.execute(stmt)) or 0


async def released_in(session: AsyncSession, start: datetime, end: datetime,
                      ids: Sequence[int] | None = None) -> list[tuple[int, int, str, int, str, datetime]]:
    """Return (member, customer, name, amount, month earned, released at) released in [start, end)."""
    stmt = (select(BD.c.member_id, BD.c.customer_id, C.c.name, BD.c.amount, BD.c.month, BD.c.released_at)
            .join(C, C.c.id == BD.c.customer_id).where(BD.c.released_at >= start, BD.c.released_at < end))
    if ids is not None:
        stmt = stmt.where(BD.c.member_id.in_(ids))
    return [tuple(r) for r in (await session.execute(stmt.order_by(BD.c.id))).all()]
