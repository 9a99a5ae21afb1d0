"""Queries of the scheduled pushes: who gets them and each rep's must-do candidates, set-based (the teams'
stuck items: storage/repos/breakpoints.py).

Every function answers for all members (or a given few) in one statement, so 10,000 reps cost the same
handful of queries as ten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, false, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import OWNED_LEAD_STATUSES
from sales import mustdo
from sales.mustdo import CADENCE_DAYS, QUOTE_FOLLOWUP_DAYS, Candidate, Item
from sales.stages import Pipeline
from storage.models import (
    AttackAction,
    AttackCard,
    Customer,
    Interaction,
    Lead,
    Member,
    Opportunity,
    PushItem,
    Task,
    Team,
)
from storage.repos._sql import dialect_of, insert_ignore, table_of

L, OP, C, IN, TK, M = (table_of(x) for x in (Lead, Opportunity, Customer, Interaction, Task, Member))
AA, AC = table_of(AttackAction), table_of(AttackCard)
P = table_of(PushItem)
HORIZON = timedelta(days=3)  # candidates due later than this are not today's business
SLA_LOOKBACK = timedelta(days=7)  # older unanswered leads are the manager's breakpoints, not a rep's must-do
TASK_LOOKBACK = timedelta(days=30)  # tasks overdue for longer are stale; the manager sees the deal as stuck
DEAL_LOOKBACK = timedelta(days=30)  # deals 30+ days past their stage deadline are breakpoints for the manager
UNANSWERED = OWNED_LEAD_STATUSES


@dataclass(frozen=True)
class Person:
    """An active member as the pushes need them."""

    id: int
    name: str
    role: str
    team_id: int | None


async def people(session: AsyncSession, roles: Sequence[str], ids: Sequence[int] | None = None) -> list[Person]:
    """Return active members with these roles (optionally only `ids`), ordered by id."""
    stmt = select(M.c.id, M.c.name, M.c.role, M.c.team_id).where(M.c.active.is_(True), M.c.role.in_(roles))
    if ids is not None:
        stmt = stmt.where(M.c.id.in_(ids))
    return [Person(*row) for row in (await session.execute(stmt.order_by(M.c.id))).all()]


async def teams(session: AsyncSession) -> list[Team]:
    """Return every team (with its group chat)."""
    return list((await session.execute(select(Team).order_by(col(Team.id)))).scalars())


def _owned(col, owner_ids: Sequence[int] | None):
    return col.is_not(None) if owner_ids is None else col.in_(owner_ids)


async def mustdo_candidates(session: AsyncSession, now: datetime, pipeline: Pipeline,
                            owner_ids: Sequence[int] | None = None) -> list[Candidate]:
    """Return every must-do candidate of these owners (all when None) in four queries."""
    horizon = now + HORIZON
    out = await _sla(session, now, horizon, owner_ids)
    out += await _tasks(session, now, horizon, owner_ids)
    out += await _deals(session, now, horizon, pipeline, owner_ids)
    out += await _cadence(session, now, horizon, owner_ids)
    return out


async def _sla(session: AsyncSession, now: datetime, horizon: datetime, owner_ids) -> list[Candidate]:
    stmt = (select(L.c.id, L.c.owner_id, func.coalesce(C.c.name, L.c.contact_name), L.c.first_response_due_at)
            .select_from(L.outerjoin(C, C.c.id == L.c.customer_id))
            .where(L.c.status.in_(UNANSWERED), L.c.first_response_at.is_(None), _owned(L.c.owner_id, owner_ids),
                   L.c.first_response_due_at.between(now - SLA_LOOKBACK, horizon)))
    return [Candidate(owner, f"lead:{lid}", "sla", name or f"线索 #{lid}", due, about=f"lead:{lid}")
            for lid, owner, name, due in (await session.execute(stmt)).all()]


async def _tasks(session: AsyncSession, now: datetime, horizon: datetime, owner_ids) -> list[Candidate]:
    # An attack action of a deal that is already won or lost is no longer a must-do.
    deal = TK.outerjoin(AA, AA.c.task_id == TK.c.id).outerjoin(AC, AC.c.id == AA.c.card_id) \
        .outerjoin(OP, OP.c.id == AC.c.opportunity_id)
    stmt = select(TK.c.id, TK.c.owner_id, TK.c.kind, TK.c.title, TK.c.due_at, TK.c.ref).select_from(deal).where(
        TK.c.done_at.is_(None), _owned(TK.c.owner_id, owner_ids), TK.c.due_at.between(now - TASK_LOOKBACK, horizon),
        or_(OP.c.status.is_(None), OP.c.status == "open"),
    ).order_by(TK.c.due_at, TK.c.id)
    return [Candidate(owner, f"task:{tid}", "attack" if kind == "attack_action" else "task", title, due,
                      about=_about(ref) or f"task:{tid}")
            for tid, owner, kind, title, due, ref in (await session.execute(stmt)).all()]


def _about(ref: str) -> str:
    """Map a task's ref ("opportunity:7", "lead:12") to the subject key the other candidates use."""
    kind, _, ident = (ref or "").partition(":")
    return {"opportunity": f"opp:{ident}", "lead": f"lead:{ident}", "customer": f"cust:{ident}"}.get(kind, "")


async def _deals(session: AsyncSession, now: datetime, horizon: datetime, pipeline: Pipeline,
                 owner_ids) -> list[Candidate]:
    """Open deals whose stage deadline (benchmark, or the quote follow-up) falls before the horizon."""
    last = pipeline.stages[-1].key
    days = {s.key: min(s.benchmark_days, QUOTE_FOLLOWUP_DAYS) if s.key == last else s.benchmark_days
            for s in pipeline.stages}
    due_if = [and_(OP.c.stage == key, OP.c.stage_entered_at.between(now - DEAL_LOOKBACK - timedelta(days=d),
                                                                    horizon - timedelta(days=d)))
              for key, d in days.items()]
    stmt = (select(OP.c.id, OP.c.owner_id, C.c.name, OP.c.stage, OP.c.stage_entered_at)
            .select_from(OP.join(C, C.c.id == OP.c.customer_id))
            .where(OP.c.status == "open", _owned(OP.c.owner_id, owner_ids), or_(false(), *due_if)))
    return [Candidate(owner, f"opp:{oid}", "quote" if stage == last else "stalled", name,
                      entered + timedelta(days=days[stage]), pipeline.stage_name(stage), f"opp:{oid}")
            for oid, owner, name, stage, entered in (await session.execute(stmt)).all()]


async def _cadence(session: AsyncSession, now: datetime, horizon: datetime, owner_ids) -> list[Candidate]:
    """Graded customers with an open deal who have not heard from us within their grade's cadence."""
    last = select(func.max(IN.c.at)).where(IN.c.customer_id == C.c.id).scalar_subquery()
    cutoff = case(*((C.c.grade == g, horizon - timedelta(days=d)) for g, d in CADENCE_DAYS.items()))
    in_play = select(OP.c.id).where(OP.c.customer_id == C.c.id, OP.c.status == "open").exists()
    stmt = (select(C.c.id, C.c.owner_id, C.c.name, C.c.grade, last)
            .where(C.c.grade.in_(list(CADENCE_DAYS)), _owned(C.c.owner_id, owner_ids), in_play,
                   or_(last.is_(None), last <= cutoff)))
    out = []
    for cid, owner, name, grade, touched in (await session.execute(stmt)).all():
        due = now if touched is None else touched + timedelta(days=CADENCE_DAYS[grade])
        out.append(Candidate(owner, f"cust:{cid}", "cadence", name, due, grade, f"cust:{cid}"))
    return out


async def must_do(session: AsyncSession, now: datetime, day: str, pipeline: Pipeline,
                  owner_ids: Sequence[int] | None = None) -> dict[int, list[Item]]:
    """Return each owner's ranked must-do items for `day`, leaving out what they finished or snoozed."""
    candidates = await mustdo_candidates(session, now, pipeline, owner_ids)
    return mustdo.rank(candidates, now, await suppressed(session, now, day, owner_ids))


async def suppressed(session: AsyncSession, now: datetime, day: str,
                     owner_ids: Sequence[int] | None = None) -> set[tuple[int, str]]:
    """Return (member, item key) pairs snoozed past `now` or done on `day`."""
    stmt = select(P.c.member_id, P.c.key).where(
        or_(P.c.snoozed_until > now, and_(P.c.day == day, P.c.done_at.is_not(None))))
    if owner_ids is not None:
        stmt = stmt.where(P.c.member_id.in_(owner_ids))
    return {(m, k) for m, k in (await session.execute(stmt)).all()}


async def record_items(session: AsyncSession, day: str, ranked: dict[int, list[Item]]) -> None:
    """Remember which items each member was shown on `day` (first showing wins), in one multi-row insert."""
    rows = [{"member_id": mid, "day": day, "key": it.key, "kind": it.kind, "text": it.text[:200], "rank": i,
             "reason": ""} for mid, items in ranked.items() for i, it in enumerate(items, 1)]
    dialect = dialect_of(session)
    if dialect == "postgresql" and rows:  # one parameter for 30k rows: no per-row binds for the driver to convert
        await session.execute(_PG_ITEMS, {"rows": json.dumps(rows, ensure_ascii=False)})
        return
    for start in range(0, len(rows), 2000):  # stay under SQLite's bound-parameter limit
        await session.execute(insert_ignore(P, dialect, ["member_id", "day", "key"]), rows[start:start + 2000])


_PG_ITEMS = text(
    "INSERT INTO push_item (member_id, day, key, kind, text, rank, reason) "
    "SELECT member_id, day, key, kind, text, rank, reason FROM json_to_recordset(CAST(:rows AS json)) "
    "AS r(member_id int, day text, key text, kind text, text text, rank int, reason text) "
    "ON CONFLICT (member_id, day, key) DO NOTHING")


async def team_name(session: AsyncSession, team_id: int | None) -> str:
    """Return a team's name ("" when none)."""
    team = await session.get(Team, team_id) if team_id else None
    return team.name if team else ""
