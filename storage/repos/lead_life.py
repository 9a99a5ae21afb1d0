"""Lead lifecycle queries: a customer's open leads, releasing load counters, conversion counts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import OPEN_LEAD_STATUSES, OWNED_LEAD_STATUSES
from storage.models import Customer, Lead, LeadEvent, LeadLoad
from storage.repos._sql import table_of

L = table_of(LeadLoad)


async def open_of_customer(session: AsyncSession, customer_id: int) -> list[Lead]:
    """The customer's open leads, newest first."""
    stmt = (select(Lead).where(col(Lead.customer_id) == customer_id, col(Lead.status).in_(OPEN_LEAD_STATUSES))
            .order_by(col(Lead.id).desc()))
    return list((await session.execute(stmt)).scalars())


async def owned_open(session: AsyncSession, member_id: int) -> list[Lead]:
    """A member's owned open leads, those with a running clock first, newest first."""
    stmt = (select(Lead).where(col(Lead.owner_id) == member_id, col(Lead.status).in_(OWNED_LEAD_STATUSES))
            .order_by(col(Lead.first_response_at).is_not(None), col(Lead.id).desc()).limit(50))
    return list((await session.execute(stmt)).scalars())


async def release_loads(session: AsyncSession, counts: Mapping[int, int]) -> None:
    """Take `n` open leads off each member's load counter (never below zero)."""
    rows = [{"mid": m, "n": n} for m, n in counts.items() if m and n]
    if not rows:
        return
    n: BindParameter[int] = bindparam("n")
    stmt = (update(L).where(L.c.member_id == bindparam("mid"))
            .values(open_leads=case((L.c.open_leads > n, L.c.open_leads - n), else_=0)))
    await session.execute(stmt, rows)


async def customers_named(session: AsyncSession, normalized: str, name: str) -> list[Customer]:
    """Customers whose normalized name or display name is this word (indexed name first)."""
    found = (await session.execute(select(Customer).where(col(Customer.normalized_name) == normalized))).scalars().all()
    if found:
        return list(found)
    return list((await session.execute(select(Customer).where(col(Customer.name) == name).limit(5))).scalars())


async def open_by_contact(session: AsyncSession, contact: str) -> list[Lead]:
    """Open leads whose contact is called this (a lead without a company)."""
    stmt = (select(Lead).where(col(Lead.contact_name) == contact, col(Lead.status).in_(OPEN_LEAD_STATUSES))
            .order_by(col(Lead.id).desc()).limit(5))
    return list((await session.execute(stmt)).scalars())


async def add_loads(session: AsyncSession, counts: Mapping[int, int]) -> None:
    """Put `n` more open leads on each member's load counter (leads they claimed themselves)."""
    rows = [{"mid": m, "n": n} for m, n in counts.items() if m and n]
    if rows:
        stmt = update(L).where(L.c.member_id == bindparam("mid")).values(open_leads=L.c.open_leads + bindparam("n"))
        await session.execute(stmt, rows)


async def add_events(session: AsyncSession, lead_ids: list[int], kind: str, member_id: int | None, note: str,
                     at: datetime) -> None:
    """The same timeline line on many leads (one multi-row insert)."""
    if lead_ids:
        await session.execute(table_of(LeadEvent).insert(), [
            {"lead_id": i, "kind": kind, "member_id": member_id, "note": note[:300], "data": {}, "at": at}
            for i in lead_ids])
