"""Who gets the monthly action-completion report, and who counts as a new rep."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member
from storage.repos._sql import pk_col


async def bosses(session: AsyncSession) -> list[Member]:
    """Return the active managers and admins, by id."""
    stmt = (select(Member).where(col(Member.active).is_(True), col(Member.role).in_(("manager", "admin")))
            .order_by(col(Member.id)))
    return list((await session.execute(stmt)).scalars())


async def new_reps(session: AsyncSession) -> set[int]:
    """Return the ids of members marked as new reps (is_new)."""
    return set((await session.execute(select(pk_col(Member.id)).where(col(Member.is_new).is_(True)))).scalars())
