"""Must-do candidates of every rep, set-based: all of them (the workbench), or only those that can still rank.

`ranking` answers the 09:00 push for 10,000 reps without building every candidate. Within one rep's candidates
of one kind the score only falls as the deadline grows, and the score order breaks ties by the earlier deadline,
then the key (sales/mustdo.py). So walking them in (deadline, key) order, a line about a subject already seen
can never be picked (the earlier line about it comes first), and once TOP different subjects were seen no later
line can be picked either: `sales.mustdo.rank` over the lines kept returns exactly what it returns over all of
them. Snoozed and finished lines are left out before that walk.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from sqlalchemy import DateTime, Row, Select, and_, case, false, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OWNED_LEAD_STATUSES
from sales.mustdo import CADENCE_DAYS, QUOTE_FOLLOWUP_DAYS, TOP, Candidate
from sales.stages import Pipeline
from storage.models import AttackAction, AttackCard, Customer, Interaction, Lead, Opportunity, PushItem, Task
from storage.repos._sql import table_of

L, OP, C, IN, TK = (table_of(x) for x in (Lead, Opportunity, Customer, Interaction, Task))
AA, AC, P = table_of(AttackAction), table_of(AttackCard), table_of(PushItem)
HORIZON = timedelta(days=3)  # candidates due later than this are not today's business
SLA_LOOKBACK = timedelta(days=7)  # older unanswered leads are the manager's breakpoints, not a rep's must-do
TASK_LOOKBACK = timedelta(days=30)  # tasks overdue for longer are stale; the manager sees the deal as stuck
DEAL_LOOKBACK = timedelta(days=30)  # deals 30+ days past their stage deadline are breakpoints for the manager
_SUBJECTS = {"opportunity": "opp", "lead": "lead", "customer": "cust"}  # a task's ref kind -> subject key prefix
# A candidate's fields as a plain tuple (owner_id, key, kind, subject, due_at, detail, about), due_at naive UTC as
# stored: 300,000 of them cost a fraction of as many Candidate objects; only the lines that can rank become ones.
Line = tuple[int, str, str, str, datetime, str, str]
_ORDER = itemgetter(4, 1)  # (due_at, key)
Source = tuple[Select, Callable[[Sequence[Row]], list[Line]]]  # a query and what makes its rows lines


def _naive(column):
    """The stored naive UTC datetime, without the per-row tzinfo of UTCDateTime (added to the lines kept)."""
    return type_coerce(column, DateTime())


def _candidate(line: Line) -> Candidate:
    owner, key, kind, subject, due, detail, about = line
    return Candidate(owner, key, kind, subject, due.replace(tzinfo=UTC), detail, about)


def _owned(column, owner_ids: Sequence[int] | None):
    return column.is_not(None) if owner_ids is None else column.in_(owner_ids)


async def suppressed(session: AsyncSession, now: datetime, day: str,
                     owner_ids: Sequence[int] | None = None) -> set[tuple[int, str]]:
    """Return (member, item key) pairs snoozed past `now` or done on `day`."""
    stmt: Select = select(P.c.member_id, P.c.key).where(
        or_(P.c.snoozed_until > now, and_(P.c.day == day, P.c.done_at.is_not(None))))
    if owner_ids is not None:
        stmt = stmt.where(P.c.member_id.in_(owner_ids))
    return {(m, k) for m, k in (await session.execute(stmt)).all()}


async def candidates(session: AsyncSession, now: datetime, pipeline: Pipeline,
                     owner_ids: Sequence[int] | None = None) -> list[Candidate]:
    """Return every must-do candidate of these owners (all when None) in four queries."""
    return [_candidate(line) for line in await _lines(session, now, pipeline, owner_ids)]


async def ranking(session: AsyncSession, now: datetime, day: str, pipeline: Pipeline,
                  owner_ids: Sequence[int] | None = None) -> list[Candidate]:
    """Return the unsuppressed candidates that can make an owner's top TOP (see the module docstring)."""
    skip = await suppressed(session, now, day, owner_ids)
    groups: dict[tuple[int, str], list[Line]] = defaultdict(list)
    for line in await _lines(session, now, pipeline, owner_ids):
        if (line[0], line[1]) not in skip:
            groups[line[0], line[2]].append(line)
    return [_candidate(line) for group in groups.values() for line in _firsts(group)]


def _firsts(group: list[Line]) -> list[Line]:
    """The lines of one owner and kind that can rank: walking by (due, key), each subject's first until TOP."""
    if len(group) <= TOP:
        return group
    seen: set[str] = set()
    out = []
    for line in sorted(group, key=_ORDER):
        if line[6] not in seen:
            seen.add(line[6])
            out.append(line)
            if len(seen) == TOP:
                break
    return out


async def _lines(session: AsyncSession, now: datetime, pipeline: Pipeline, owner_ids) -> list[Line]:
    """Run the four queries back to back: one's rows become lines while the database runs the next."""
    now = now.astimezone(UTC)  # the cadence of a never-touched customer is due now: the lines' clock is UTC
    horizon = now + HORIZON
    sources = [_sla(now, horizon, owner_ids), _tasks(now, horizon, owner_ids),
               _deals(now, horizon, pipeline, owner_ids), _cadence(now, horizon, owner_ids)]
    out: list[Line] = []
    running = asyncio.ensure_future(session.execute(sources[0][0]))
    try:
        for i, (_, lines_of) in enumerate(sources):
            rows = (await running).all()
            if i + 1 < len(sources):
                running = asyncio.ensure_future(session.execute(sources[i + 1][0]))
                await asyncio.sleep(0)  # let it reach the database before the rows below hold the loop
            out += lines_of(rows)
    finally:
        if not running.done():  # making lines failed: let the query in flight finish before unwinding
            await asyncio.wait([running])
            running.exception()  # retrieved; the first error is the one raised
    return out


def _sla(now: datetime, horizon: datetime, owner_ids) -> Source:
    stmt = (select(L.c.id, L.c.owner_id, func.coalesce(C.c.name, L.c.contact_name),
                   _naive(L.c.first_response_due_at))
            .select_from(L.outerjoin(C, C.c.id == L.c.customer_id))
            .where(L.c.status.in_(OWNED_LEAD_STATUSES), L.c.first_response_at.is_(None),
                   _owned(L.c.owner_id, owner_ids), L.c.first_response_due_at.between(now - SLA_LOOKBACK, horizon)))
    return stmt, lambda rows: [(owner, f"lead:{lid}", "sla", name or f"线索 #{lid}", due, "", f"lead:{lid}")
                               for lid, owner, name, due in rows]


def _tasks(now: datetime, horizon: datetime, owner_ids) -> Source:
    # An attack action of a deal that is already won or lost is no longer a must-do.
    deal = TK.outerjoin(AA, AA.c.task_id == TK.c.id).outerjoin(AC, AC.c.id == AA.c.card_id) \
        .outerjoin(OP, OP.c.id == AC.c.opportunity_id)
    stmt = select(TK.c.id, TK.c.owner_id, TK.c.kind, TK.c.title, _naive(TK.c.due_at), TK.c.ref).select_from(deal).where(
        TK.c.done_at.is_(None), _owned(TK.c.owner_id, owner_ids), TK.c.due_at.between(now - TASK_LOOKBACK, horizon),
        or_(OP.c.status.is_(None), OP.c.status == "open"),
    ).order_by(TK.c.due_at, TK.c.id)
    return stmt, lambda rows: [(owner, f"task:{tid}", "attack" if kind == "attack_action" else "task", title, due,
                                "", _about(ref) or f"task:{tid}") for tid, owner, kind, title, due, ref in rows]


def _about(ref: str) -> str:
    """Map a task's ref ("opportunity:7", "lead:12") to the subject key the other candidates use."""
    kind, _, ident = (ref or "").partition(":")
    short = _SUBJECTS.get(kind)
    return f"{short}:{ident}" if short else ""


def _deals(now: datetime, horizon: datetime, pipeline: Pipeline, owner_ids) -> Source:
    """Open deals whose stage deadline (benchmark, or the quote follow-up) falls before the horizon."""
    last = pipeline.stages[-1].key
    days = {s.key: min(s.benchmark_days, QUOTE_FOLLOWUP_DAYS) if s.key == last else s.benchmark_days
            for s in pipeline.stages}
    late = {key: timedelta(days=d) for key, d in days.items()}
    names = {key: pipeline.stage_name(key) for key in days}
    due_if = [and_(OP.c.stage == key, OP.c.stage_entered_at.between(now - DEAL_LOOKBACK - timedelta(days=d),
                                                                    horizon - timedelta(days=d)))
              for key, d in days.items()]
    stmt = (select(OP.c.id, OP.c.owner_id, C.c.name, OP.c.stage, _naive(OP.c.stage_entered_at))
            .select_from(OP.join(C, C.c.id == OP.c.customer_id))
            .where(OP.c.status == "open", _owned(OP.c.owner_id, owner_ids), or_(false(), *due_if)))
    return stmt, lambda rows: [(owner, f"opp:{oid}", "quote" if stage == last else "stalled", name,
                                entered + late[stage], names[stage], f"opp:{oid}")
                               for oid, owner, name, stage, entered in rows]


def _cadence(now: datetime, horizon: datetime, owner_ids) -> Source:
    """Graded customers with an open deal who have not heard from us within their grade's cadence."""
    last = select(func.max(IN.c.at)).where(IN.c.customer_id == C.c.id).scalar_subquery()
    in_play = select(OP.c.id).where(OP.c.customer_id == C.c.id, OP.c.status == "open").exists()
    # The last touch is looked up once per customer: OFFSET 0 keeps the planner from copying the lookup into
    # the filter below (PostgreSQL then also semi-joins the open deals in parallel: 3× faster at 1M customers).
    graded = (select(C.c.id, C.c.owner_id, C.c.name, C.c.grade, last.label("touched"))
              .where(C.c.grade.in_(list(CADENCE_DAYS)), _owned(C.c.owner_id, owner_ids), in_play)
              .offset(0).subquery())
    cutoff = case(*((graded.c.grade == g, horizon - timedelta(days=d)) for g, d in CADENCE_DAYS.items()))
    stmt = select(graded.c.id, graded.c.owner_id, graded.c.name, graded.c.grade, _naive(graded.c.touched)) \
        .where(or_(graded.c.touched.is_(None), graded.c.touched <= cutoff))
    every, naive_now = {grade: timedelta(days=d) for grade, d in CADENCE_DAYS.items()}, now.replace(tzinfo=None)
    return stmt, lambda rows: [(owner, f"cust:{cid}", "cadence", name,
                                naive_now if touched is None else touched + every[grade], grade, f"cust:{cid}")
                               for cid, owner, name, grade, touched in rows]
