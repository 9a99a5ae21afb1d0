"""Queries of the morning breakpoints (断点): every team's stuck deals and leads, set-based.

A handful of statements answer for all teams (or a given few), however many reps they have.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OWNED_LEAD_STATUSES
from sales import breakpoints as bp
from sales.stages import Pipeline
from storage.models import Customer, Lead, Member, Opportunity
from storage.repos._sql import table_of

L, OP, C, M = (table_of(x) for x in (Lead, Opportunity, Customer, Member))


async def breakpoints(session: AsyncSession, as_of: datetime, tz, pipeline: Pipeline,
                      team_ids: Sequence[int] | None = None) -> dict[int, list[bp.Breakpoint]]:
    """Return each team's top stuck items as of `as_of`."""
    return bp.rank(await stuck(session, as_of, pipeline, team_ids), as_of, tz)


async def stuck(session: AsyncSession, as_of: datetime, pipeline: Pipeline,
                team_ids: Sequence[int] | None = None) -> list[bp.Stuck]:
    """Return every stuck deal and lead of these teams (all when None) in two queries."""
    return await _stuck_deals(session, as_of, pipeline, team_ids) + await _stuck_leads(session, as_of, team_ids)


def _team_filter(team_ids):
    return M.c.team_id.is_not(None) if team_ids is None else M.c.team_id.in_(team_ids)


async def _stuck_deals(session: AsyncSession, as_of: datetime, pipeline: Pipeline, team_ids) -> list[bp.Stuck]:
    late = [and_(OP.c.stage == s.key, OP.c.stage_entered_at <= as_of - timedelta(days=s.benchmark_days))
            for s in pipeline.stages]
    stmt = (select(OP.c.id, M.c.team_id, OP.c.owner_id, M.c.name, C.c.name, OP.c.stage, OP.c.stage_entered_at,
                   OP.c.amount, OP.c.budget_low, OP.c.budget_high, M.c.active)
            .select_from(OP.join(M, M.c.id == OP.c.owner_id).join(C, C.c.id == OP.c.customer_id))
            .where(OP.c.status == "open", _team_filter(team_ids), or_(false(), ~M.c.active, *late)))
    out = []
    for oid, team, owner, owner_name, name, stage, entered, amount, low, high, active in (
            await session.execute(stmt)).all():
        st = pipeline.stage(stage)
        out.append(bp.Stuck(f"opp:{oid}", team, owner, owner_name, name, st.name, entered, st.benchmark_days,
                            bp.deal_value(amount, low, high), st.next_step if active else bp.INACTIVE_STEP))
    return out


async def _stuck_leads(session: AsyncSession, as_of: datetime, team_ids) -> list[bp.Stuck]:
    """Stuck leads, at most TOP per team and kind: a lead's score only grows with its age, so older ones win."""
    unanswered = and_(L.c.status.in_(("assigned", "breached")), L.c.first_response_at.is_(None),
                      L.c.assigned_at <= as_of - timedelta(days=bp.LEAD_RESPONSE_DAYS))
    unconverted = and_(L.c.status == "accepted", L.c.accepted_at <= as_of - timedelta(days=bp.LEAD_CONVERT_DAYS))
    orphaned = and_(~M.c.active, L.c.status.in_(OWNED_LEAD_STATUSES))  # a deactivated owner's leads wait for a handover
    kind = case((and_(L.c.status == "accepted", L.c.first_response_at.is_not(None)), "lead_convert"),
                else_="lead_response")
    since = case((kind == "lead_convert", L.c.accepted_at), else_=L.c.assigned_at)
    turn = func.row_number().over(partition_by=(M.c.team_id, kind), order_by=(since, L.c.id))
    inner = (select(L.c.id, M.c.team_id, L.c.owner_id, M.c.name.label("owner"),
                    func.coalesce(C.c.name, L.c.contact_name).label("subject"), kind.label("kind"),
                    since.label("since"), turn.label("turn"), M.c.active.label("active"))
             .select_from(L.join(M, M.c.id == L.c.owner_id).outerjoin(C, C.c.id == L.c.customer_id))
             .where(_team_filter(team_ids), or_(unanswered, unconverted, orphaned)).subquery())
    stmt = select(inner).where(inner.c.turn <= bp.TOP)
    out = []
    for lid, team, owner, owner_name, name, kind_, since_, _, active in (await session.execute(stmt)).all():
        days = bp.LEAD_CONVERT_DAYS if kind_ == "lead_convert" else bp.LEAD_RESPONSE_DAYS
        where, step = bp.LEAD_STEPS[kind_]
        step = step if active else bp.INACTIVE_STEP
        out.append(bp.Stuck(f"lead:{lid}", team, owner, owner_name, name or f"线索 #{lid}", where, since_ or as_of,
                            days, bp.LEAD_VALUE, step))
    return out
