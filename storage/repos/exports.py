"""Export queries: each a streamed SELECT (rows come in partitions, never all at once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Contact, Customer, Lead, Member, Opportunity, Order
from storage.repos._sql import pk_col, table_of

C, CT, L, OP, OR = (table_of(x) for x in (Customer, Contact, Lead, Opportunity, Order))
PARTITION = 2000


async def member_names(session: AsyncSession) -> dict[int, str]:
    """Every member's name by id (small)."""
    return dict((await session.execute(select(pk_col(Member.id), col(Member.name)))).all())


async def _stream(session: AsyncSession, stmt) -> AsyncIterator[Any]:
    result = await session.stream(stmt.execution_options(yield_per=PARTITION))
    async for part in result.partitions():
        for row in part:
            yield row


def customers(session: AsyncSession) -> AsyncIterator[Any]:
    """Customers with their first contact, by id."""
    first = select(CT.c.customer_id, func.min(CT.c.id).label("cid")).group_by(CT.c.customer_id).subquery()
    stmt = (select(C.c.name, C.c.industry, C.c.region, C.c.owner_id, CT.c.mobile, CT.c.name.label("contact"),
                   C.c.created_at, C.c.grade, C.c.in_pool)
            .select_from(C.outerjoin(first, first.c.customer_id == C.c.id).outerjoin(CT, CT.c.id == first.c.cid))
            .order_by(C.c.id))
    return _stream(session, stmt)


def orders(session: AsyncSession) -> AsyncIterator[Any]:
    """Orders with their customer's name, by id."""
    stmt = (select(C.c.name, OR.c.amount, OR.c.ordered_at, OR.c.product, OR.c.accepted_at, OR.c.owner_id)
            .select_from(OR.join(C, C.c.id == OR.c.customer_id)).order_by(OR.c.id))
    return _stream(session, stmt)


def leads(session: AsyncSession) -> AsyncIterator[Any]:
    """Leads with their customer's name, by id."""
    stmt = (select(L.c.id, L.c.status, L.c.owner_id, C.c.name, L.c.channel, L.c.source, L.c.contact_name,
                   L.c.mobile, L.c.need, L.c.received_at, L.c.first_response_due_at, L.c.first_response_at)
            .select_from(L.outerjoin(C, C.c.id == L.c.customer_id)).order_by(L.c.id))
    return _stream(session, stmt)


def opportunities(session: AsyncSession) -> AsyncIterator[Any]:
    """Opportunities with their customer's name, by id."""
    stmt = (select(OP.c.id, C.c.name, OP.c.stage, OP.c.owner_id, OP.c.budget_text, OP.c.amount, OP.c.status,
                   OP.c.created_at, OP.c.closed_at)
            .select_from(OP.join(C, C.c.id == OP.c.customer_id)).order_by(OP.c.id))
    return _stream(session, stmt)
