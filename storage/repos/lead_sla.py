"""The SLA scan's queries: the leads whose first-response deadline is near, and their reminder and breach flags
(set-based for the scan: many leads in one conditional UPDATE each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import OPEN_LEAD_STATUSES, LeadStatus
from storage.models import Customer, Lead, OutboxMessage
from storage.repos._sql import rowcount, table_of

T = table_of(Lead)
OUT = table_of(OutboxMessage)


async def sla_due(session: AsyncSession, horizon: datetime, limit: int = 2000) -> list[Any]:
    """Open leads whose deadline is before `horizon`, through the partial index of unanswered leads."""
    C = table_of(Customer)
    stmt = (select(T.c.id, T.c.owner_id, T.c.status, T.c.first_response_due_at, T.c.reminded_minutes,
                   T.c.received_at, T.c.contact_name, T.c.customer_id, C.c.name.label("customer"))
            .outerjoin(C, C.c.id == T.c.customer_id)
            .where(T.c.first_response_at.is_(None), T.c.breached_at.is_(None),
                   T.c.first_response_due_at <= horizon, T.c.status.in_(OPEN_LEAD_STATUSES))
            .order_by(T.c.first_response_due_at).limit(limit))
    return list((await session.execute(stmt)).all())


async def set_reminded(session: AsyncSession, lead_id: int, minutes: int) -> bool:
    """Record that the reminder at `minutes` went out (only moving towards the deadline)."""
    stmt = (update(T).where(T.c.id == lead_id, T.c.first_response_at.is_(None),
                            (T.c.reminded_minutes.is_(None)) | (T.c.reminded_minutes > minutes))
            .values(reminded_minutes=minutes))
    return rowcount(await session.execute(stmt)) == 1


async def set_breached(session: AsyncSession, lead_id: int, at: datetime) -> bool:
    """Flag the breach once; False when another scan or a response got there first."""
    stmt = (update(T).where(T.c.id == lead_id, T.c.first_response_at.is_(None), T.c.breached_at.is_(None))
            .values(breached_at=at))
    return rowcount(await session.execute(stmt)) == 1


async def set_reminded_many(session: AsyncSession, reminders: Iterable[tuple[int, int]]) -> set[int]:
    """Record (lead, minutes) reminders (only moving towards the deadline); return the leads flagged now.

    One UPDATE … RETURNING per offset: a lead another replica (or a first response) got to first is not returned.
    """
    by_minutes: dict[int, list[int]] = {}
    for lead_id, minutes in reminders:
        by_minutes.setdefault(minutes, []).append(lead_id)
    done: set[int] = set()
    for minutes, ids in sorted(by_minutes.items()):
        stmt = (update(T).where(T.c.id.in_(sorted(ids)), T.c.first_response_at.is_(None),
                                T.c.reminded_minutes.is_(None) | (T.c.reminded_minutes > minutes))
                .values(reminded_minutes=minutes).returning(T.c.id))
        done |= set((await session.execute(stmt)).scalars())
    return done


async def set_breached_many(session: AsyncSession, lead_ids: Iterable[int], at: datetime) -> set[int]:
    """Flag breaches once, in one UPDATE … RETURNING; return the leads flagged now."""
    ids = sorted(set(lead_ids))
    if not ids:
        return set()
    stmt = (update(T).where(T.c.id.in_(ids), T.c.first_response_at.is_(None), T.c.breached_at.is_(None))
            .values(breached_at=at).returning(T.c.id))
    return set((await session.execute(stmt)).scalars())


async def breached_between(session: AsyncSession, since: datetime, until: datetime, due_from: datetime,
                           ids: Iterable[int] = ()) -> list[Any]:
    """Leads that breached in [since, until] (their deadline after `due_from`), plus the leads `ids`.

    The deadline bound lets the (status, first_response_due_at) index find them instead of a scan of every lead;
    `ids` (this scan's breaches) are read by primary key, so they are listed whatever their deadline.
    """
    C = table_of(Customer)
    cols = (T.c.id, T.c.owner_id, T.c.received_at, T.c.first_response_due_at, T.c.breached_at, T.c.contact_name,
            C.c.name.label("customer"))
    base = select(*cols).outerjoin(C, C.c.id == T.c.customer_id)
    ranged = base.where(T.c.status.in_([s.value for s in LeadStatus]), T.c.first_response_due_at >= due_from,
                        T.c.first_response_due_at <= until, T.c.breached_at >= since, T.c.breached_at <= until)
    rows = {r.id: r for r in (await session.execute(ranged)).all()}
    if wanted := sorted(set(ids) - set(rows)):
        rows.update((r.id, r) for r in (await session.execute(base.where(T.c.id.in_(wanted)))).all())
    return sorted(rows.values(), key=lambda r: (r.breached_at, r.id))


async def outbox_id(session: AsyncSession, key: str) -> int | None:
    """The outbox row id of a queued card (the playground names a card by it)."""
    return (await session.execute(select(OUT.c.id).where(OUT.c.idempotency_key == key))).scalar_one_or_none()
