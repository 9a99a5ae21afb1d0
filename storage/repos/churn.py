"""Queries of the churn features: one GROUP BY per fact, merged per customer in Python (no per-customer query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OWNED_LEAD_STATUSES, CustomerEventKind
from storage.models import Customer, CustomerEvent, Interaction, Lead, Member, Opportunity, Order
from storage.repos._sql import table_of

CU, LD, OP, IN, MB = (table_of(t) for t in (Customer, Lead, Opportunity, Interaction, Member))
CE, OR = table_of(CustomerEvent), table_of(Order)
CHURN_KINDS = (CustomerEventKind.RECLAIMED.value, CustomerEventKind.CONTACT_DELETED.value)


@dataclass
class Facts:
    """Everything known about one customer that the churn factors read."""

    id: int
    name: str
    industry: str
    region: str
    grade: str
    owner_id: int | None
    source: str = ""
    breached: bool = False
    opp: tuple[str, str, datetime | None, datetime | None] | None = None  # status, stage, entered, closed
    last_touch: datetime | None = None
    churn_event: tuple[str, datetime, int | None] | None = None  # kind, at, owner before
    orders: tuple[int, datetime | None, datetime | None] = (0, None, None)  # count, first, last
    extra: dict = field(default_factory=dict)


async def facts(session: AsyncSession, since: datetime, now: datetime) -> dict[int, Facts]:
    """Return every customer's facts in seven statements."""
    q = session.execute
    out = {i: Facts(i, n, ind or "", reg or "", g or "", o) for i, n, ind, reg, g, o in
           await q(select(CU.c.id, CU.c.name, CU.c.industry, CU.c.region, CU.c.grade, CU.c.owner_id))}
    first = select(func.min(LD.c.id)).where(LD.c.customer_id.is_not(None)).group_by(LD.c.customer_id)
    for cid, source, channel in await q(select(LD.c.customer_id, LD.c.source, LD.c.channel).where(LD.c.id.in_(first))):
        if cid in out:
            out[cid].source = source or channel or ""
    breached = select(LD.c.customer_id).where(LD.c.breached_at.is_not(None)).distinct()
    for (cid,) in await q(breached):
        if cid in out:
            out[cid].breached = True
    latest = select(func.max(OP.c.id)).group_by(OP.c.customer_id)
    for cid, *opp in await q(select(OP.c.customer_id, OP.c.status, OP.c.stage, OP.c.stage_entered_at, OP.c.closed_at)
                             .where(OP.c.id.in_(latest))):
        if cid in out:
            out[cid].opp = tuple(opp)
    for cid, at in await q(select(IN.c.customer_id, func.max(IN.c.at)).group_by(IN.c.customer_id)):
        if cid in out:
            out[cid].last_touch = at
    events = (select(CE.c.customer_id, CE.c.kind, CE.c.at, CE.c.owner_from)
              .where(CE.c.kind.in_(CHURN_KINDS), CE.c.at >= since, CE.c.at <= now).order_by(CE.c.at))
    for cid, kind, at, owner in await q(events):
        if cid in out:
            out[cid].churn_event = (kind, at, owner)
    for cid, n, lo, hi in await q(select(OR.c.customer_id, func.count(), func.min(OR.c.ordered_at),
                                         func.max(OR.c.ordered_at)).group_by(OR.c.customer_id)):
        if cid in out:
            out[cid].orders = (n, lo, hi)
    return out


async def owners(session: AsyncSession) -> dict[int, tuple[int, int, bool]]:
    """Return {member: (open leads, capacity, is_new)} for the owner-load and new-rep factors."""
    loads: dict[int, int] = dict((await session.execute(select(LD.c.owner_id, func.count())
                                        .where(LD.c.status.in_([s.value for s in OWNED_LEAD_STATUSES]))
                                        .group_by(LD.c.owner_id))).all())
    return {i: (loads.get(i, 0), cap or 1, bool(new)) for i, cap, new in
            await session.execute(select(MB.c.id, MB.c.capacity, MB.c.is_new))}
