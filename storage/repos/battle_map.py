"""Queries of the battle map: counts per (owner, industry) and the records behind them, set-based.

Every count is one GROUP BY over its index; the records are fetched oldest first with a cap (RECORD_CAP per
kind), so a company of 10,000 reps and a million leads costs a dozen statements, not one per rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import CustomerEventKind, LeadStatus
from sales.battle_map import Signal
from sales.stages import Pipeline
from storage.models import Customer, Interaction, Lead, Member, Opportunity
from storage.models_history import CustomerEvent, Order

LD, CU, OP, IN = Lead.__table__, Customer.__table__, Opportunity.__table__, Interaction.__table__
CE, OR, MB = CustomerEvent.__table__, Order.__table__, Member.__table__
RECORD_CAP = 5000
LEAD_CONVERT_DAYS = 14
RECENT = timedelta(days=30)
CHURN_KINDS = (CustomerEventKind.RECLAIMED.value, CustomerEventKind.CONTACT_DELETED.value)


def _owned(col, ids: Sequence[int] | None):
    return col.is_not(None) if ids is None else col.in_(ids)


def _sources(now: datetime, pipe: Pipeline, dormant_days: int, ids) -> dict[str, object]:
    """Each signal kind as a subquery of (owner, industry, customer, subject, since, detail)."""
    cutoff = case(*((OP.c.stage == s.key, literal(now - timedelta(days=s.benchmark_days))) for s in pipe.stages),
                  else_=literal(now - timedelta(days=7)))
    stage = case(*((OP.c.stage == s.key, literal(s.name)) for s in pipe.stages), else_=OP.c.stage)
    lead_cust = LD.join(CU, CU.c.id == LD.c.customer_id, isouter=True)
    subject = func.coalesce(CU.c.name, LD.c.contact_name)
    quiet = now - timedelta(days=dormant_days)
    touched = select(IN.c.id).where(IN.c.customer_id == CU.c.id, IN.c.at >= quiet).exists()
    empty = cast(literal(""), String)
    last = select(func.max(IN.c.at)).where(IN.c.customer_id == CU.c.id).scalar_subquery()
    return {
        "deal_stalled": select(OP.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, OP.c.stage_entered_at, stage)
        .select_from(OP.join(CU, CU.c.id == OP.c.customer_id))
        .where(OP.c.status == "open", OP.c.stage_entered_at < cutoff, _owned(OP.c.owner_id, ids)),
        "lead_breached": select(LD.c.owner_id, CU.c.industry, CU.c.id, subject, LD.c.breached_at, LD.c.source)
        .select_from(lead_cust).where(LD.c.status == LeadStatus.BREACHED.value, _owned(LD.c.owner_id, ids)),
        "lead_stuck": select(LD.c.owner_id, CU.c.industry, CU.c.id, subject, LD.c.accepted_at, LD.c.source)
        .select_from(lead_cust).where(LD.c.status == LeadStatus.ACCEPTED.value, _owned(LD.c.owner_id, ids),
                                      LD.c.accepted_at < now - timedelta(days=LEAD_CONVERT_DAYS)),
        "dormant": select(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, func.coalesce(last, CU.c.created_at), empty)
        .where(_owned(CU.c.owner_id, ids), CU.c.created_at < quiet, ~touched),
        "churn": select(CE.c.owner_from, CU.c.industry, CU.c.id, CU.c.name, CE.c.at, CE.c.kind)
        .select_from(CE.join(CU, CU.c.id == CE.c.customer_id))
        .where(CE.c.kind.in_(CHURN_KINDS), CE.c.at >= now - RECENT, _owned(CE.c.owner_from, ids)),
        "deal_lost": select(OP.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, OP.c.closed_at, OP.c.lost_reason)
        .select_from(OP.join(CU, CU.c.id == OP.c.customer_id))
        .where(OP.c.status == "lost", OP.c.closed_at >= now - RECENT, _owned(OP.c.owner_id, ids)),
    }


async def density(session: AsyncSession, since: datetime, ids: Sequence[int] | None) -> list[tuple[int, str, int]]:
    """Return (owner, industry, leads received since `since`) rows."""
    stmt = (select(LD.c.owner_id, func.coalesce(CU.c.industry, ""), func.count())
            .select_from(LD.join(CU, CU.c.id == LD.c.customer_id, isouter=True))
            .where(LD.c.received_at >= since, _owned(LD.c.owner_id, ids))
            .group_by(LD.c.owner_id, func.coalesce(CU.c.industry, "")))
    return [(o, i, n) for o, i, n in await session.execute(stmt)]


async def signals(session: AsyncSession, now: datetime, pipe: Pipeline, dormant_days: int,
                  ids: Sequence[int] | None) -> tuple[list[tuple[int, str, str, int]], list[Signal]]:
    """Return per-kind (owner, industry, kind, n) counts and the oldest records of each kind."""
    counts: list[tuple[int, str, str, int]] = []
    records: list[Signal] = []
    for kind, stmt in _sources(now, pipe, dormant_days, ids).items():
        sub = stmt.subquery()
        owner, industry = sub.c[0], func.coalesce(sub.c[1], "")
        grouped = select(owner, industry, func.count()).group_by(owner, industry)
        counts += [(o, i, kind, n) for o, i, n in await session.execute(grouped)]
        oldest = select(sub).order_by(sub.c[4], sub.c[2]).limit(RECORD_CAP)
        records += [Signal(kind, o, i or "", c, s or "", at, d or "") for o, i, c, s, at, d in
                    await session.execute(oldest) if at is not None]
    overdue = await order_overdue(session, now, ids)
    counts += [(s.owner_id, s.industry, "order_overdue", 1) for s in overdue]
    return counts, records + overdue[:RECORD_CAP]


async def order_overdue(session: AsyncSession, now: datetime, ids: Sequence[int] | None) -> list[Signal]:
    """Customers with 2+ orders whose last order is older than 1.5 × their average gap between orders."""
    stmt = (select(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, func.count(), func.min(OR.c.ordered_at),
                   func.max(OR.c.ordered_at))
            .select_from(OR.join(CU, CU.c.id == OR.c.customer_id))
            .where(_owned(CU.c.owner_id, ids), OR.c.ordered_at.is_not(None))
            .group_by(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name).having(and_(func.count() >= 2)))
    out = []
    for owner, industry, cid, name, n, first, last in await session.execute(stmt):
        due = last + (last - first) / (n - 1) * 1.5
        if due < now:
            out.append(Signal("order_overdue", owner, industry or "", cid, name, due, f"上次下单 {last:%m-%d}"))
    return sorted(out, key=lambda s: s.since)


async def people(session: AsyncSession, ids: Sequence[int] | None) -> dict[int, tuple[str, str]]:
    """Return {member id: (name, region)} of the members in scope (everyone when ids is None)."""
    stmt = select(MB.c.id, MB.c.name, MB.c.region)
    if ids is not None:
        stmt = stmt.where(MB.c.id.in_(ids))
    return {i: (n, r or "") for i, n, r in await session.execute(stmt)}
