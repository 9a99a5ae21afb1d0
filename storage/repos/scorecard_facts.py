"""The scorecard's raw numbers for every rep at once: a handful of GROUP BY queries, never one per rep.

Each function answers {member id: …} for all owners (or only `ids`); the caller builds sales.scorecard.Facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, not_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import CustomerEventKind, LeadStatus
from storage.models import Customer, CustomerEvent, Lead, LeadEvent, NpsSurvey, Opportunity, Order, StageChange
from storage.repos._sql import table_of

OR, C, L, OP = table_of(Order), table_of(Customer), table_of(Lead), table_of(Opportunity)
LE, SC, CE, NS = table_of(LeadEvent), table_of(StageChange), table_of(CustomerEvent), table_of(NpsSurvey)
CHURN = (CustomerEventKind.RECLAIMED, CustomerEventKind.RELEASED, CustomerEventKind.CONTACT_DELETED)
DWELL_LOOKBACK = timedelta(days=365)  # a stage entered longer ago than this before the window is not looked up


def _only(col, ids: Sequence[int] | None):
    return col.is_not(None) if ids is None else col.in_(ids)


async def tune(session: AsyncSession) -> None:
    """On PostgreSQL, fit this transaction to a few big aggregates: no JIT, sorts in memory.

    The planner's cost of the grouped scans over 1M leads crosses the JIT thresholds, and compiling the plan
    then takes longer (seconds) than running it; a 64 MB sort keeps the GROUP BY of 300k stage moves off disk.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))
        await session.execute(text("SET LOCAL work_mem = '64MB'"))


def days_between(session: AsyncSession, later, earlier):
    """Return the SQL expression of (later − earlier) in days on this session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


async def orders(session: AsyncSession, start: datetime, end: datetime,
                 ids: Sequence[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """Return (amount, new customers' amount, new customers) per owner for orders placed in [start, end).

    A new customer is one whose first order ever falls in the window; it counts for the owner of that order.
    """
    first = (select(OR.c.customer_id, func.min(OR.c.ordered_at).label("first_at")).group_by(OR.c.customer_id)
             .having(func.min(OR.c.ordered_at) >= start).subquery())
    is_new = first.c.first_at.is_not(None)
    first_order = case((and_(is_new, OR.c.ordered_at == first.c.first_at), OR.c.customer_id))
    stmt = (select(OR.c.owner_id, func.sum(OR.c.amount), func.sum(case((is_new, OR.c.amount), else_=0)),
                   func.count(func.distinct(first_order)))
            .select_from(OR.outerjoin(first, first.c.customer_id == OR.c.customer_id))
            .where(OR.c.ordered_at >= start, OR.c.ordered_at < end, _only(OR.c.owner_id, ids)).group_by(OR.c.owner_id))
    return {m: (int(a or 0), int(n or 0), int(c or 0)) for m, a, n, c in (await session.execute(stmt)).all()}


async def wins(session: AsyncSession, start: datetime, end: datetime,
               ids: Sequence[int] | None = None) -> dict[int, int]:
    """Return the number of deals won in [start, end) per owner."""
    stmt = (select(OP.c.owner_id, func.count()).where(OP.c.status == "won", OP.c.closed_at >= start,
                                                      OP.c.closed_at < end, _only(OP.c.owner_id, ids))
            .group_by(OP.c.owner_id))
    return {m: int(n) for m, n in (await session.execute(stmt)).all()}


async def conversions(session: AsyncSession, start: datetime, end: datetime,
                      ids: Sequence[int] | None = None) -> dict[int, dict[str, tuple[int, int]]]:
    """Return {industry: (leads assigned in [start, end), of them converted)} per owner.

    Converted means the lead has a `converted` lead_event (written by the lifecycle flows), whenever it came.
    """
    converted = exists().where(LE.c.lead_id == L.c.id, LE.c.kind == LeadStatus.CONVERTED.value)
    industry = func.coalesce(C.c.industry, "")
    stmt = (select(L.c.owner_id, industry, func.count(), func.sum(case((converted, 1), else_=0)))
            .select_from(L.outerjoin(C, C.c.id == L.c.customer_id))
            .where(L.c.assigned_at >= start, L.c.assigned_at < end, _only(L.c.owner_id, ids))
            .group_by(L.c.owner_id, industry))
    out: dict[int, dict[str, tuple[int, int]]] = {}
    for m, ind, n, conv in (await session.execute(stmt)).all():
        out.setdefault(m, {})[ind] = (int(n), int(conv or 0))
    return out


async def dwell(session: AsyncSession, start: datetime, end: datetime,
                ids: Sequence[int] | None = None) -> dict[int, dict[tuple[str, str], tuple[int, float]]]:
    """Return {(industry, stage): (moves out of it in [start, end), total days spent)} per deal owner.

    The days of a move are the time since the deal's previous stage change (or its creation).
    """
    prev = func.lag(SC.c.at).over(partition_by=SC.c.opportunity_id, order_by=(SC.c.at, SC.c.id))
    moves = (select(SC.c.opportunity_id, SC.c.from_stage, SC.c.at, prev.label("prev"))
             .where(SC.c.at >= start - DWELL_LOOKBACK, SC.c.at < end).subquery())
    days = days_between(session, moves.c.at, func.coalesce(moves.c.prev, OP.c.created_at))
    industry = func.coalesce(C.c.industry, "")
    stmt = (select(OP.c.owner_id, industry, moves.c.from_stage, func.count(), func.sum(days))
            .select_from(moves.join(OP, OP.c.id == moves.c.opportunity_id).join(C, C.c.id == OP.c.customer_id))
            .where(moves.c.at >= start, _only(OP.c.owner_id, ids))
            .group_by(OP.c.owner_id, industry, moves.c.from_stage))
    out: dict[int, dict[tuple[str, str], tuple[int, float]]] = {}
    for m, ind, stage, n, total in (await session.execute(stmt)).all():
        out.setdefault(m, {})[(ind, stage)] = (int(n), max(0.0, float(total or 0)))
    return out


async def nps(session: AsyncSession, start: datetime, end: datetime,
              ids: Sequence[int] | None = None) -> dict[int, dict[str, tuple[int, int, int]]]:
    """Return {industry: (answers, promoters, detractors)} per member for surveys answered in [start, end)."""
    industry = func.coalesce(C.c.industry, "")
    stmt = (select(NS.c.member_id, industry, func.count(), func.sum(case((NS.c.score >= 9, 1), else_=0)),
                   func.sum(case((NS.c.score <= 6, 1), else_=0)))
            .select_from(NS.join(C, C.c.id == NS.c.customer_id))
            .where(NS.c.answered_at >= start, NS.c.answered_at < end, _only(NS.c.member_id, ids))
            .group_by(NS.c.member_id, industry))
    out: dict[int, dict[str, tuple[int, int, int]]] = {}
    for m, ind, n, pro, det in (await session.execute(stmt)).all():
        out.setdefault(m, {})[ind] = (int(n), int(pro or 0), int(det or 0))
    return out


async def retention(session: AsyncSession, start: datetime, end: datetime,
                    ids: Sequence[int] | None = None) -> dict[int, tuple[int, int]]:
    """Return (base, lost) per owner: customers who ordered from them in the window before [start, end), and
    of those the ones lost in it (moved to the pool, given back, or deleted us) without ordering again.

    Customers handed over to another rep in the window leave the base: they are not lost to the company.
    """
    base = (select(OR.c.owner_id, OR.c.customer_id).distinct()
            .where(OR.c.ordered_at >= start - (end - start), OR.c.ordered_at < start, _only(OR.c.owner_id, ids))
            .subquery())
    in_window = and_(CE.c.customer_id == base.c.customer_id, CE.c.at >= start, CE.c.at < end)
    handed = exists().where(in_window, CE.c.kind == CustomerEventKind.HANDOVER.value)
    churned = exists().where(in_window, CE.c.kind.in_([k.value for k in CHURN]))
    again = exists().where(OR.c.customer_id == base.c.customer_id, OR.c.ordered_at >= start, OR.c.ordered_at < end)
    lost = case((and_(churned, not_(again)), 1), else_=0)
    stmt = (select(base.c.owner_id, func.count(), func.sum(lost)).where(not_(handed))
            .group_by(base.c.owner_id))
    return {m: (int(n), int(x or 0)) for m, n, x in (await session.execute(stmt)).all()}


