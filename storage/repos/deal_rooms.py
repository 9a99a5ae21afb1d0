"""Deal rooms: who goes into an opportunity's group, and binding the created group to the opportunity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlmodel import col

from storage.db import Database
from storage.models import Customer, Member, Opportunity
from storage.repos import card_views


async def managers_of(session, owner: Member) -> list[Member]:
    """The owner's managers: the named one, else the managers of the owner's team."""
    cond = [col(Member.id) == owner.manager_id] if owner.manager_id else []
    if owner.team_id is not None:
        cond.append((col(Member.team_id) == owner.team_id) & (col(Member.role) == "manager"))
    if not cond:
        return []
    stmt = (select(Member).where(or_(*cond), col(Member.id) != owner.id, col(Member.active).is_(True))
            .order_by(col(Member.id)))
    return list((await session.execute(stmt)).scalars())


PLAYGROUND_PREFIX = "group:deal"  # the playground's deal rooms: group:deal<opportunity id>


async def bind_in(session, opportunity_id: int, platform: str, chat_id: str) -> None:
    """Bind a room to its opportunity in the caller's transaction."""
    await session.execute(update(Opportunity).where(col(Opportunity.id) == opportunity_id)
                          .values(chat_platform=platform, chat_id=chat_id))


async def playground_rooms(session) -> list[tuple[str, str]]:
    """(chat id, customer name) of the playground's deal rooms."""
    stmt = (select(col(Opportunity.chat_id), col(Customer.name))
            .join(Customer, col(Customer.id) == Opportunity.customer_id)
            .where(col(Opportunity.chat_platform) == "playground",
                   col(Opportunity.chat_id).like(PLAYGROUND_PREFIX + "%"))
            .order_by(col(Opportunity.id)))
    return [(c, n) for c, n in (await session.execute(stmt)).all()]


async def bind(db: Database, opportunity_id: int, platform: str, chat_id: str, views: dict, now: datetime) -> None:
    """Make the created group the opportunity's chat (messages there act on this deal without naming it), and
    store the full views its card links to."""
    async with db.session() as s:
        await bind_in(s, opportunity_id, platform, chat_id)
        await card_views.save(s, views, now)
