"""The SLA scan's writes, set-based: reminder and breach flags for many leads in one conditional UPDATE each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lead

T = Lead.__table__


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
