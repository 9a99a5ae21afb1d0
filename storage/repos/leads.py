"""Leads: intake, assignment and the first-response SLA."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lead

T = Lead.__table__


async def mark_breached(session: AsyncSession, now: datetime) -> list[int]:
    """Stamp breached_at on every lead past its first-response deadline, once; return their ids."""
    stmt = (update(T).where(T.c.first_response_due_at < now, T.c.first_response_at.is_(None),
                            T.c.breached_at.is_(None))
            .values(breached_at=now).returning(T.c.id))
    return sorted((await session.execute(stmt)).scalars())
