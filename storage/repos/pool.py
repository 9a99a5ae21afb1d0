"""The pool (公海) queries: reclaim candidates, bulk moves to the pool, the pool's listing, claim facts.

Set-based: the candidates come from one query over the customer table (correlated EXISTS on indexed
columns), the moves are one UPDATE per chunk of ids, the events one multi-row insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, JSON, Integer, and_, any_, case, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OPEN_LEAD_STATUSES, OWNED_LEAD_STATUSES, CustomerEventKind, LeadStatus
from sales.pool import Owned, Windows
from storage.models import Customer, CustomerEvent, Lead, LeadEvent, Opportunity, Order
from storage.repos._sql import dialect_of, rowcount, table_of
from storage.types import UTCDateTime

C, L, OP, OR = table_of(Customer), table_of(Lead), table_of(Opportunity), table_of(Order)
CE, LE = table_of(CustomerEvent), table_of(LeadEvent)
CHUNK = 2000  # ids per IN list, under SQLite's bound-parameter limit


async def candidates(session: AsyncSession, now: datetime, w: Windows, exempt_order_days: int) -> list[Owned]:
    """Owned customers within `warn` days of a window (or past it), without an open deal or a recent order.

    The per-grade follow-up cut-offs are bound timestamps picked by a CASE on the grade, so the filtering is
    the database's and only the customers that need a warning or a reclaim come back.
    """
    touched = func.coalesce(C.c.last_touch_at, C.c.owned_since, C.c.created_at)
    since = func.coalesce(C.c.owned_since, C.c.created_at)

    def cut(days: int) -> datetime:
        return now - timedelta(days=max(days - w.warn, 0))

    fu_cut = case(*((C.c.grade == g, cut(d)) for g, d in sorted(w.by_grade.items())), else_=cut(w.follow_up)) \
        if w.by_grade else cut(w.follow_up)
    open_deal = exists().where(OP.c.customer_id == C.c.id, OP.c.status == "open")
    recent_order = exists().where(OR.c.customer_id == C.c.id,
                                  OR.c.ordered_at >= now - timedelta(days=exempt_order_days))
    dealt = or_(exists().where(OR.c.customer_id == C.c.id, OR.c.ordered_at >= since),
                exists().where(OP.c.customer_id == C.c.id, OP.c.status == "won", OP.c.closed_at >= since))
    stmt = (select(C.c.id, C.c.name, C.c.owner_id, C.c.grade, touched.label("touched"), since.label("since"),
                   dealt.label("dealt"), C.c.pool_warned_at.is_not(None).label("warned"))
            .where(C.c.owner_id.is_not(None), or_(touched < fu_cut, and_(since < cut(w.deal), ~dealt)),
                   ~open_deal, ~recent_order))
    return [Owned(r.id, r.name, r.owner_id, r.grade or "", r.touched, r.since, bool(r.dealt), bool(r.warned))
            for r in (await session.execute(stmt)).all()]


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _in(session: AsyncSession, col, ids: Sequence[int]):
    """`col IN ids`: one array parameter on PostgreSQL (parsing thousands of parameters cost more than the
    statement), a plain IN list on SQLite."""
    if dialect_of(session) == "postgresql":
        return col == any_(literal(list(ids), ARRAY(Integer)))
    return col.in_(ids)


async def to_pool(session: AsyncSession, moves: dict[int, tuple[int | None, str]], kind: CustomerEventKind,
                  actor: int | None, now: datetime) -> dict[int, int]:
    """Move customers {id: (owner, reason)} and their open leads to the pool; return {owner: leads freed}.

    Server-side: per reason and chunk, the timeline rows are INSERT … SELECT from the rows being moved, so a day
    of thousands of reclaims is a few statements, not thousands of parameter sets.
    """
    by_reason: dict[str, list[int]] = {}
    for cid, (_, reason) in moves.items():
        by_reason.setdefault(reason[:200], []).append(cid)
    freed: dict[int, int] = {}
    for reason, ids in sorted(by_reason.items()):
        for part in _chunks(sorted(ids)):
            owned = (select(L.c.owner_id, func.count()).group_by(L.c.owner_id)
                     .where(_in(session, L.c.customer_id, part), L.c.status.in_(OWNED_LEAD_STATUSES)))
            for owner, n in (await session.execute(owned)).all():
                freed[owner] = freed.get(owner, 0) + n
            await _move_part(session, part, reason, kind, actor, now)
    return freed


async def _move_part(session: AsyncSession, part: Sequence[int], reason: str, kind: CustomerEventKind,
                     actor: int | None, now: datetime) -> None:
    """One chunk: timeline rows first (they read the current owners), then the moves."""
    who = literal(actor, Integer) if actor is not None else L.c.owner_id
    leads = select(L.c.id, literal(LeadStatus.POOL.value), who, literal(reason[:300]),
                   literal({"reason": kind.value}, JSON), literal(now, UTCDateTime())).where(
        _in(session, L.c.customer_id, part), L.c.status.in_(OPEN_LEAD_STATUSES))
    await session.execute(LE.insert().from_select(["lead_id", "kind", "member_id", "note", "data", "at"], leads))
    custs = select(C.c.id, literal(kind.value), literal(actor, Integer), C.c.owner_id, literal(None, Integer),
                   literal(reason), literal({}, JSON), literal(now, UTCDateTime())).where(_in(session, C.c.id, part))
    await session.execute(CE.insert().from_select(
        ["customer_id", "kind", "member_id", "owner_from", "owner_to", "reason", "detail", "at"], custs))
    await session.execute(update(L).where(_in(session, L.c.customer_id, part), L.c.status.in_(OPEN_LEAD_STATUSES))
                          .values(status=LeadStatus.POOL, owner_id=None))
    await session.execute(update(C).where(_in(session, C.c.id, part)).values(
        owner_id=None, in_pool=True, pool_since=now, pool_warned_at=None))


async def mark_warned(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Remember the warning went out (a follow-up clears it, so the next countdown warns again)."""
    for part in _chunks(list(ids)):
        await session.execute(update(C).where(_in(session, C.c.id, part)).values(pool_warned_at=now))


async def listing(session: AsyncSession, limit: int = 10) -> list[tuple[str, str, datetime | None]]:
    """The pool, newest first: (ref, label, since) for customers in the pool and pooled leads."""
    custs = (await session.execute(select(C.c.id, C.c.name, C.c.industry, C.c.pool_since).where(C.c.in_pool)
                                   .order_by(C.c.pool_since.desc().nulls_last(), C.c.id.desc()).limit(limit))).all()
    leads = (await session.execute(
        select(L.c.id, func.coalesce(C.c.name, L.c.contact_name), L.c.received_at)
        .select_from(L.outerjoin(C, C.c.id == L.c.customer_id))
        .where(L.c.status == LeadStatus.POOL, or_(C.c.in_pool.is_(None), ~C.c.in_pool))
        .order_by(L.c.id.desc()).limit(limit))).all()
    out = [(f"customer:{i}", f"{n}{'（' + ind + '）' if ind else ''}", at) for i, n, ind, at in custs]
    out += [(f"lead:{i}", f"#{i} {n}", at) for i, n, at in leads]
    return out[:limit]


async def claim_facts(session: AsyncSession, member_id: int, customer_id: int | None, day_start: datetime,
                      cool_since: datetime) -> tuple[int, int, datetime | None]:
    """(claims today, customers owned, newest release/reclaim of this customer from this member since cool_since)."""
    today = (await session.execute(select(func.count()).select_from(CE).where(
        CE.c.kind == CustomerEventKind.CLAIMED, CE.c.member_id == member_id, CE.c.at >= day_start))).scalar_one()
    owned = (await session.execute(select(func.count()).select_from(C).where(C.c.owner_id == member_id))).scalar_one()
    last = None
    if customer_id is not None:
        last = (await session.execute(select(func.max(CE.c.at)).where(
            CE.c.customer_id == customer_id, CE.c.owner_from == member_id, CE.c.at >= cool_since,
            CE.c.kind.in_((CustomerEventKind.RELEASED, CustomerEventKind.RECLAIMED))))).scalar_one()
    return today, owned, last


async def take(session: AsyncSession, customer_id: int, member_id: int, now: datetime) -> bool:
    """Give a pooled (or owner-less) customer to the member; False when someone else was faster."""
    stmt = (update(C).where(C.c.id == customer_id, C.c.owner_id.is_(None))
            .values(owner_id=member_id, in_pool=False, pool_since=None, owned_since=now, pool_warned_at=None,
                    last_touch_at=None))
    return rowcount(await session.execute(stmt)) == 1


async def take_leads(session: AsyncSession, customer_id: int, member_id: int, now: datetime) -> list[int]:
    """The customer's pooled leads become the claimer's, accepted (they chose it); return their ids."""
    stmt = (update(L).where(L.c.customer_id == customer_id, L.c.status == LeadStatus.POOL)
            .values(status=LeadStatus.ACCEPTED, owner_id=member_id, assigned_at=now, accepted_at=now)
            .returning(L.c.id))
    return list((await session.execute(stmt)).scalars())


async def add_event(session: AsyncSession, customer_id: int, kind: CustomerEventKind, actor: int | None,
                    owner_from: int | None, owner_to: int | None, reason: str, now: datetime,
                    detail: dict | None = None) -> None:
    """Record one move of a customer."""
    await session.execute(CE.insert().values(customer_id=customer_id, kind=kind.value, member_id=actor,
                                             owner_from=owner_from, owner_to=owner_to, reason=reason[:200],
                                             detail=detail or {}, at=now))
