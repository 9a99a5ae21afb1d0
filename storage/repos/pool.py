"""The pool (公海) queries: reclaim candidates, bulk moves to the pool, the pool's listing, claim facts.

Set-based: the candidates come from one query over the customer table (correlated EXISTS on indexed
columns), the moves are one UPDATE per chunk of ids, the events one multi-row insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OPEN_LEAD_STATUSES, CustomerEventKind, LeadStatus
from sales.pool import Owned
from storage.models import Customer, Lead, Opportunity
from storage.models_history import CustomerEvent, Order
from storage.models_leads import LeadEvent

C, L, OP, OR = Customer.__table__, Lead.__table__, Opportunity.__table__, Order.__table__
CE, LE = CustomerEvent.__table__, LeadEvent.__table__
CHUNK = 2000  # ids per IN list, under SQLite's bound-parameter limit


async def candidates(session: AsyncSession, now: datetime, shortest_days: int, warn_days: int,
                     exempt_order_days: int) -> list[Owned]:
    """Owned customers near or past their shortest window, without an open deal or a recent order."""
    touched = func.coalesce(C.c.last_touch_at, C.c.owned_since, C.c.created_at)
    since = func.coalesce(C.c.owned_since, C.c.created_at)
    horizon = now - timedelta(days=max(shortest_days - warn_days, 0))
    open_deal = exists().where(OP.c.customer_id == C.c.id, OP.c.status == "open")
    recent_order = exists().where(OR.c.customer_id == C.c.id,
                                  OR.c.ordered_at >= now - timedelta(days=exempt_order_days))
    dealt = or_(exists().where(OR.c.customer_id == C.c.id, OR.c.ordered_at >= since),
                exists().where(OP.c.customer_id == C.c.id, OP.c.status == "won", OP.c.closed_at >= since))
    stmt = (select(C.c.id, C.c.owner_id, C.c.grade, touched.label("touched"), since.label("since"),
                   dealt.label("dealt"), C.c.pool_warned_at.is_not(None).label("warned"))
            .where(C.c.owner_id.is_not(None), or_(touched < horizon, since < horizon), ~open_deal, ~recent_order))
    return [Owned(r.id, r.owner_id, r.grade or "", r.touched, r.since, bool(r.dealt), bool(r.warned))
            for r in (await session.execute(stmt)).all()]


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


async def to_pool(session: AsyncSession, moves: dict[int, tuple[int | None, str]], kind: CustomerEventKind,
                  actor: int | None, now: datetime) -> dict[int, int]:
    """Move customers {id: (owner, reason)} and their open leads to the pool; return {owner: leads freed}."""
    ids = sorted(moves)
    freed: dict[int, int] = {}
    lead_events: list[dict[str, Any]] = []
    for part in _chunks(ids):
        await session.execute(update(C).where(C.c.id.in_(part)).values(
            owner_id=None, in_pool=True, pool_since=now, pool_warned_at=None))
        rows = (await session.execute(
            update(L).where(L.c.customer_id.in_(part), L.c.status.in_(OPEN_LEAD_STATUSES))
            .values(status=LeadStatus.POOL, owner_id=None)
            .returning(L.c.id, L.c.customer_id))).all()
        for lead_id, customer_id in rows:
            owner, reason = moves[customer_id]
            lead_events.append({"lead_id": lead_id, "kind": LeadStatus.POOL.value, "member_id": actor or owner,
                                "note": reason[:300], "data": {"owner": owner, "reason": kind.value}, "at": now})
            if owner:
                freed[owner] = freed.get(owner, 0) + 1
    events = [{"customer_id": cid, "kind": kind.value, "member_id": actor, "owner_from": owner, "owner_to": None,
               "reason": reason[:200], "detail": {}, "at": now} for cid, (owner, reason) in moves.items()]
    if events:
        await session.execute(CE.insert(), events)
    if lead_events:
        await session.execute(LE.insert(), lead_events)
    return freed


async def mark_warned(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Remember the warning went out (a follow-up clears it, so the next countdown warns again)."""
    for part in _chunks(list(ids)):
        await session.execute(update(C).where(C.c.id.in_(part)).values(pool_warned_at=now))


async def names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """Customer names by id."""
    out: dict[int, str] = {}
    for part in _chunks(list(ids)):
        out.update((await session.execute(select(C.c.id, C.c.name).where(C.c.id.in_(part)))).all())
    return out


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
    return (await session.execute(stmt)).rowcount == 1


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
