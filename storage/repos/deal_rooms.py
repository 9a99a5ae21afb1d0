"""Deal rooms: who goes into an opportunity's group, and binding the created group to the opportunity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from storage.db import Database
from storage.models import Member, Opportunity
from storage.repos import card_views


async def managers_of(session, owner: Member) -> list[Member]:
    """The owner's managers: the named one, else the managers of the owner's team."""
    cond = [Member.id == owner.manager_id] if owner.manager_id else []
    if owner.team_id is not None:
        cond.append((Member.team_id == owner.team_id) & (Member.role == "manager"))
    if not cond:
        return []
    stmt = select(Member).where(or_(*cond), Member.id != owner.id, Member.active.is_(True)).order_by(Member.id)
    return list((await session.execute(stmt)).scalars())


async def bind(db: Database, opportunity_id: int, platform: str, chat_id: str, views: dict, now: datetime) -> None:
    """Make the created group the opportunity's chat (messages there act on this deal without naming it), and
    store the full views its card links to."""
    async with db.session() as s:
        await s.execute(update(Opportunity).where(Opportunity.id == opportunity_id)
                        .values(chat_platform=platform, chat_id=chat_id))
        await card_views.save(s, db.dialect, views, now)
