"""Handover queries: count and move a member's open book to another member, with its history rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OPEN_LEAD_STATUSES, OWNED_LEAD_STATUSES, CustomerEventKind
from storage.models import Customer, CustomerEvent, Lead, LeadEvent, Opportunity, Task
from storage.repos._sql import table_of
from storage.types import UTCDateTime

C, L, OP, TK = table_of(Customer), table_of(Lead), table_of(Opportunity), table_of(Task)
CE, LE = table_of(CustomerEvent), table_of(LeadEvent)
JSONB = table_of(CustomerEvent).c.detail.type


def _open(table, member_id: int):
    """Each kind's "open and owned by the member" condition."""
    return {
        "leads": (L.c.owner_id == member_id) & L.c.status.in_(OPEN_LEAD_STATUSES),
        "opportunities": (OP.c.owner_id == member_id) & (OP.c.status == "open"),
        "customers": C.c.owner_id == member_id,
        "tasks": (TK.c.owner_id == member_id) & TK.c.done_at.is_(None),
    }[table]


TABLES = {"leads": L, "opportunities": OP, "customers": C, "tasks": TK}


async def counts(session: AsyncSession, member_id: int) -> dict[str, int]:
    """How many open leads, opportunities, customers and tasks the member holds (4 counts)."""
    out = {}
    for name, table in TABLES.items():
        stmt = select(func.count()).select_from(table).where(_open(name, member_id))
        out[name] = (await session.execute(stmt)).scalar_one()
    return out


async def owned_leads(session: AsyncSession, member_id: int) -> int:
    """The member's leads that count against capacity (moved with their load)."""
    stmt = select(func.count()).select_from(L).where(L.c.owner_id == member_id, L.c.status.in_(OWNED_LEAD_STATUSES))
    return (await session.execute(stmt)).scalar_one()


async def move(session: AsyncSession, source: int, target: int, actor_note: str, now: datetime) -> None:
    """Move everything open: history rows first (INSERT … SELECT over the rows being moved), then the owners."""
    at = literal(now, UTCDateTime())
    await session.execute(LE.insert().from_select(
        ["lead_id", "kind", "member_id", "note", "data", "at"],
        select(L.c.id, literal("handover"), literal(target, Integer), literal(actor_note[:300]),
               literal({"from": source, "to": target}, JSONB), at).where(_open("leads", source))))
    await session.execute(CE.insert().from_select(
        ["customer_id", "kind", "member_id", "owner_from", "owner_to", "reason", "detail", "at"],
        select(C.c.id, literal(CustomerEventKind.HANDOVER.value), literal(None, Integer), literal(source, Integer),
               literal(target, Integer), literal(actor_note[:200]), literal({}, JSONB), at)
        .where(_open("customers", source))))
    await session.execute(update(C).where(_open("customers", source)).values(owner_id=target, owned_since=now))
    for name in ("leads", "opportunities", "tasks"):
        table = TABLES[name]
        await session.execute(update(table).where(_open(name, source)).values(owner_id=target))
