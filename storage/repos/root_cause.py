"""Queries of the root-cause job: every lead received or converted in the three weeks, with its factor facts.

One statement with correlated sub-selects per fact (each on an index) plus one for the owners' action
completion per week — never a query per lead or per rep.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OWNED_LEAD_STATUSES, LeadStatus
from storage.models import Customer, Interaction, Lead, LeadEvent, Member, Opportunity, ScriptUse, Task
from storage.repos._sql import table_of

LD, LE, CU, MB, IN, OP, TK = (table_of(t) for t in (Lead, LeadEvent, Customer, Member, Interaction, Opportunity,
                                                     Task))
SU = table_of(ScriptUse)
MOVES = ("reassigned", "claimed", LeadStatus.POOL.value)
COMPETITOR = ("%竞品%", "%竞争对手%")


async def lead_facts(session: AsyncSession, start: datetime, end: datetime) -> list[dict]:
    """Return one dict per lead received in [start, end) or converted then, with everything the factors read."""
    converted = (select(func.min(LE.c.at)).where(LE.c.lead_id == LD.c.id, LE.c.kind == LeadStatus.CONVERTED.value,
                                                 LE.c.at >= start, LE.c.at < end).scalar_subquery())
    moved = select(LE.c.id).where(LE.c.lead_id == LD.c.id, LE.c.kind.in_(MOVES)).exists()
    touches = (select(func.count()).where(IN.c.customer_id == LD.c.customer_id, IN.c.at >= LD.c.received_at,
                                          IN.c.at < end).scalar_subquery())
    rival = or_(*(LD.c.need.like(p) for p in COMPETITOR),
                select(OP.c.id).where(OP.c.customer_id == LD.c.customer_id,
                                      or_(*(OP.c.lost_reason.like(p) for p in COMPETITOR))).exists())
    script = (select(SU.c.id).select_from(SU.join(OP, OP.c.id == SU.c.opportunity_id))
              .where(OP.c.customer_id == LD.c.customer_id, SU.c.kind == "used").exists())
    opp_stage = (select(OP.c.stage).where(OP.c.customer_id == LD.c.customer_id, OP.c.status == "open")
                 .order_by(OP.c.id.desc()).limit(1).scalar_subquery())
    opp_since = (select(OP.c.stage_entered_at).where(OP.c.customer_id == LD.c.customer_id, OP.c.status == "open")
                 .order_by(OP.c.id.desc()).limit(1).scalar_subquery())
    got = LE.c.kind == LeadStatus.CONVERTED.value
    any_conv = select(LE.c.id).where(LE.c.lead_id == LD.c.id, got, LE.c.at >= start, LE.c.at < end).exists()
    stmt = (select(LD.c.id, LD.c.received_at, converted.label("converted_at"), LD.c.owner_id, MB.c.team_id,
                   MB.c.region.label("owner_region"), MB.c.is_new, MB.c.capacity, LD.c.source, LD.c.channel,
                   CU.c.industry, CU.c.region, LD.c.breached_at, LD.c.assigned_at, LD.c.first_response_at,
                   moved.label("moved"), touches.label("touches"), rival.label("rival"), script.label("script"),
                   opp_stage.label("opp_stage"), opp_since.label("opp_since"))
            .select_from(LD.join(CU, CU.c.id == LD.c.customer_id, isouter=True)
                         .join(MB, MB.c.id == LD.c.owner_id, isouter=True))
            .where(or_(and_(LD.c.received_at >= start, LD.c.received_at < end), any_conv)))
    return [dict(r._mapping) for r in await session.execute(stmt)]


async def owner_loads(session: AsyncSession) -> dict[int, int]:
    """Return each owner's open (capacity-counting) leads now."""
    stmt = (select(LD.c.owner_id, func.count()).where(LD.c.status.in_([s.value for s in OWNED_LEAD_STATUSES]))
            .group_by(LD.c.owner_id))
    return dict((await session.execute(stmt)).all())


async def completion(session: AsyncSession, start: datetime, end: datetime) -> list[tuple[int, datetime, bool]]:
    """Return (owner, due, done) of every task due in [start, end); the job folds them per owner and week."""
    stmt = select(TK.c.owner_id, TK.c.due_at, TK.c.done_at.is_not(None)).where(TK.c.due_at >= start,
                                                                               TK.c.due_at < end)
    return [(o, d, bool(done)) for o, d, done in await session.execute(stmt) if o is not None]


async def managers(session: AsyncSession) -> list[tuple[int, str, str, int | None]]:
    """Return (id, name, role, team) of active managers and admins."""
    stmt = select(MB.c.id, MB.c.name, MB.c.role, MB.c.team_id).where(MB.c.role.in_(("manager", "admin")),
                                                                     MB.c.active.is_(True))
    return [tuple(r) for r in await session.execute(stmt)]
