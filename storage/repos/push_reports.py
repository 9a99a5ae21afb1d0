"""Queries of the daily and weekly reports: every member's numbers in a few GROUP BY statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import LeadStatus
from sales.insight import Deal
from sales.reports import DayNumbers, ReportItem, WeekNumbers
from storage.models import (
    Customer,
    DailyReport,
    Interaction,
    Lead,
    LeadEvent,
    Member,
    Opportunity,
    PushItem,
    StageChange,
    Task,
)
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

IN, LD, OP, TK, SC = (table_of(x) for x in (Interaction, Lead, Opportunity, Task, StageChange))
P, DR = table_of(PushItem), table_of(DailyReport)
CHUNK = 2000  # keys per IN list, under SQLite's bound-parameter limit
LE = table_of(LeadEvent)
# Conversion counts real transitions (a `converted` lead_event), never a status only a seeder could write.
_CONVERTED = select(LE.c.lead_id).where(LE.c.kind == LeadStatus.CONVERTED)
DEMO_KEY, QUOTE_KEY = "demo", "quote"


def _of(col, ids: Sequence[int] | None):
    return col.is_not(None) if ids is None else col.in_(ids)


async def _counts(session: AsyncSession, owner, at, start: datetime, end: datetime, ids) -> dict[int, int]:
    stmt = select(owner, func.count()).where(at >= start, at < end, _of(owner, ids)).group_by(owner)
    return dict((await session.execute(stmt)).all())


async def day_numbers(session: AsyncSession, start: datetime, end: datetime,
                      ids: Sequence[int] | None = None) -> dict[int, DayNumbers]:
    """Return follow-ups, stage moves and actions done per member in [start, end), in three queries."""
    follow = await _counts(session, IN.c.member_id, IN.c.at, start, end, ids)
    moves = await _counts(session, SC.c.member_id, SC.c.at, start, end, ids)
    done = await _counts(session, TK.c.owner_id, TK.c.done_at, start, end, ids)
    return {m: DayNumbers(follow.get(m, 0), moves.get(m, 0), done.get(m, 0)) for m in {*follow, *moves, *done}}


async def report_items(session: AsyncSession, day: str, start: datetime,
                       ids: Sequence[int] | None = None) -> dict[int, list[ReportItem]]:
    """Return each member's must-do items of `day`; an item counts as done when clicked or when its work shows."""
    stmt = select(P.c.member_id, P.c.key, P.c.text, P.c.done_at, P.c.reason).where(P.c.day == day, P.c.rank > 0)
    if ids is not None:
        stmt = stmt.where(P.c.member_id.in_(ids))
    rows = (await session.execute(stmt.order_by(P.c.member_id, P.c.rank, P.c.id))).all()
    worked = await _worked(session, [r.key for r in rows if r.done_at is None], start)
    out: dict[int, list[ReportItem]] = defaultdict(list)
    for member, key, text, done_at, reason in rows:
        out[member].append(ReportItem(key, text, done_at is not None or key in worked, reason))
    return dict(out)


async def _worked(session: AsyncSession, keys: list[str], start: datetime) -> set[str]:
    """Keys whose work shows since `start`: lead answered, deal moved, task closed, customer touched."""
    ids: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        kind, _, ident = key.partition(":")
        if ident.isdigit():
            ids[kind].append(int(ident))
    checks = {"lead": (LD.c.id, LD.c.first_response_at), "opp": (SC.c.opportunity_id, SC.c.at),
              "task": (TK.c.id, TK.c.done_at), "cust": (IN.c.customer_id, IN.c.at)}
    found: set[str] = set()
    for kind, (col, at) in checks.items():
        wanted = ids.get(kind, [])
        for i in range(0, len(wanted), CHUNK):
            stmt = select(col).where(col.in_(wanted[i:i + CHUNK]), at >= start).distinct()
            found |= {f"{kind}:{v}" for v in (await session.execute(stmt)).scalars()}
    return found


async def ensure_reports(session: AsyncSession, day: str, summaries: dict[int, dict],
                         now: datetime) -> None:
    """Create the day's report rows (once) with their generated summaries."""
    rows = [{"member_id": m, "day": day, "summary": s, "created_at": now} for m, s in summaries.items()]
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert_ignore(DR, dialect_of(session), ["member_id", "day"]), rows[i:i + CHUNK])


async def submitted(session: AsyncSession, day: str, ids: Sequence[int]) -> set[int]:
    """Return which of these members submitted their report of `day`."""
    stmt = select(DR.c.member_id).where(DR.c.day == day, DR.c.member_id.in_(ids), DR.c.submitted_at.is_not(None))
    return set((await session.execute(stmt)).scalars())


async def submit(session: AsyncSession, member_id: int, day: str, summary: dict,
                 now: datetime) -> bool:
    """Mark the report submitted with the summary the rep confirmed; False when it already was."""
    await ensure_reports(session, day, {member_id: summary}, now)
    stmt = (update(DR).where(DR.c.member_id == member_id, DR.c.day == day, DR.c.submitted_at.is_(None))
            .values(submitted_at=now, summary=summary))
    return bool(rowcount(await session.execute(stmt)))


async def week_numbers(session: AsyncSession, start: datetime, end: datetime,
                       ids: Sequence[int] | None = None) -> dict[int, WeekNumbers]:
    """Return every member's week in [start, end) in six GROUP BY queries (plus one for stage velocity)."""
    q = session.execute
    leads = {o: (n, c) for o, n, c in (await q(
        select(LD.c.owner_id, func.count(), func.sum(case((LD.c.id.in_(_CONVERTED), 1), else_=0)))
        .where(LD.c.assigned_at >= start, LD.c.assigned_at < end, _of(LD.c.owner_id, ids))
        .group_by(LD.c.owner_id))).all()}
    closed = {o: (w, a, lo) for o, w, a, lo in (await q(
        select(OP.c.owner_id, func.sum(case((OP.c.status == "won", 1), else_=0)),
               func.sum(case((OP.c.status == "won", OP.c.amount), else_=0)),
               func.sum(case((OP.c.status == "lost", 1), else_=0)))
        .where(OP.c.closed_at >= start, OP.c.closed_at < end, _of(OP.c.owner_id, ids))
        .group_by(OP.c.owner_id))).all()}
    breaches = await _counts(session, LD.c.owner_id, LD.c.breached_at, start, end, ids)
    tasks = {o: (n, d) for o, n, d in (await q(
        select(TK.c.owner_id, func.count(), func.count(TK.c.done_at))
        .where(TK.c.due_at >= start, TK.c.due_at < end, _of(TK.c.owner_id, ids)).group_by(TK.c.owner_id))).all()}
    moves = await _stage_days(session, start, end, ids)
    out = {}
    for m in {*leads, *closed, *breaches, *tasks, *moves}:
        (n, conv), (won, amount, lost) = leads.get(m, (0, 0)), closed.get(m, (0, 0, 0))
        out[m] = WeekNumbers(n, int(conv or 0), *moves.get(m, (0, 0.0)), int(won or 0), int(amount or 0),
                             int(lost or 0), breaches.get(m, 0), *tasks.get(m, (0, 0)))
    return out


async def _stage_days(session: AsyncSession, start: datetime, end: datetime, ids) -> dict[int, tuple[int, float]]:
    """Return (moves, days spent in the left stage) per member for stage moves in [start, end)."""
    moved = select(SC.c.opportunity_id).where(SC.c.at >= start, SC.c.at < end)
    prev = func.lag(SC.c.at, type_=SC.c.at.type).over(  # typed: SQLite hands a window function back as text
        partition_by=SC.c.opportunity_id, order_by=(SC.c.at, SC.c.id))
    inner = (select(SC.c.member_id, SC.c.at, prev.label("prev"), OP.c.created_at)
             .select_from(SC.join(OP, OP.c.id == SC.c.opportunity_id))
             .where(SC.c.opportunity_id.in_(moved), SC.c.to_stage.not_in(("won", "lost"))).subquery())
    stmt = select(inner).where(inner.c.at >= start, inner.c.at < end, _of(inner.c.member_id, ids))
    out: dict[int, tuple[int, float]] = {}
    for member, at, before, created in (await session.execute(stmt)).all():
        began = before or created or at
        n, days = out.get(member, (0, 0.0))
        out[member] = (n + 1, days + (at - began).total_seconds() / 86400)
    return out


async def closed_deals(session: AsyncSession, since: datetime, until: datetime) -> list[tuple[int | None, Deal]]:
    """Return (owner's team, Deal) for every deal closed in [since, until), with its behaviours, in one query.

    `quick_quote`: the deal entered the quote stage within 3 days of entering the demo stage (stage keys
    DEMO_KEY and QUOTE_KEY, the built-in pipeline's).
    """
    C, M = table_of(Customer), table_of(Member)
    during = (IN.c.customer_id == OP.c.customer_id) & (IN.c.at >= OP.c.created_at) & (IN.c.at <= OP.c.closed_at)

    def touched(kind: str):
        return select(IN.c.id).where(during, IN.c.kind == kind).exists()

    def entered(key: str):
        return select(func.min(SC.c.at)).where(SC.c.opportunity_id == OP.c.id, SC.c.to_stage == key).scalar_subquery()

    touches = select(func.count()).where(during).scalar_subquery()
    answered = select(func.min(LD.c.first_response_at)).where(LD.c.customer_id == OP.c.customer_id).scalar_subquery()
    assigned = select(func.min(LD.c.assigned_at)).where(LD.c.customer_id == OP.c.customer_id).scalar_subquery()
    stmt = (select(M.c.team_id, C.c.industry, OP.c.status, touched("visit"), touched("demo"), touches, answered,
                   assigned, OP.c.owner_id, entered(DEMO_KEY), entered(QUOTE_KEY))
            .select_from(OP.join(C, C.c.id == OP.c.customer_id).outerjoin(M, M.c.id == OP.c.owner_id))
            .where(OP.c.status.in_(("won", "lost")), OP.c.closed_at >= since, OP.c.closed_at < until))
    out = []
    for team, industry, status, visit, demo, n, first, given, owner, demo_at, quote_at in \
            (await session.execute(stmt)).all():
        fast = first is not None and given is not None and (first - given).total_seconds() <= 1800
        quick = demo_at is not None and quote_at is not None and (quote_at - demo_at).total_seconds() <= 3 * 86400
        traits = {k for k, on in (("visit", visit), ("demo", demo), ("touch8", n >= 8), ("fast", fast),
                                  ("quick_quote", quick)) if on}
        out.append((team, Deal(industry or "", status == "won", frozenset(traits), owner)))
    return out
