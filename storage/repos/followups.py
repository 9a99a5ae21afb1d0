"""Follow-up writes: the interaction, the customer's touch stamp, next-contact tasks, drafts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer, FollowUpDraft, Interaction, Opportunity, Task
from storage.repos._sql import id_of, rowcount

NEXT_CONTACT = "next_contact"


async def add_interaction(session: AsyncSession, customer_id: int, member_id: int | None, kind: str, note: str,
                          at: datetime) -> None:
    """Record the touch and stamp the customer's last touch (the pool countdown restarts from it)."""
    session.add(Interaction(customer_id=customer_id, member_id=member_id, kind=kind, note=note, at=at))
    touch = col(Customer.last_touch_at)
    await session.execute(update(Customer).where(col(Customer.id) == customer_id, touch.is_(None) | (touch < at))
                          .values(last_touch_at=at, pool_warned_at=None))
    await session.flush()


async def set_next_contact(session: AsyncSession, owner_id: int, ref: str, title: str, due: datetime,
                           now: datetime) -> Task:
    """One open next-contact task per record: the newest date replaces an earlier open one."""
    await session.execute(update(Task).where(col(Task.owner_id) == owner_id, col(Task.kind) == NEXT_CONTACT,
                                             col(Task.ref) == ref, col(Task.done_at).is_(None)).values(done_at=now))
    task = Task(kind=NEXT_CONTACT, title=title[:200], owner_id=owner_id, due_at=due, ref=ref, created_at=now)
    session.add(task)
    await session.flush()
    return task


async def open_opps_of(session: AsyncSession, owner_id: int, limit: int = 5) -> list[Opportunity]:
    """The owner's open opportunities, newest first."""
    stmt = (select(Opportunity).where(col(Opportunity.owner_id) == owner_id, col(Opportunity.status) == "open")
            .order_by(col(Opportunity.id).desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def add_draft(session: AsyncSession, member_id: int, kind: str, text: str, next_date: str,
                    now: datetime) -> int:
    """Keep an ambiguous follow-up until the rep picks its record; return its id."""
    draft = FollowUpDraft(member_id=member_id, kind=kind, text=text, next_date=next_date, created_at=now)
    session.add(draft)
    await session.flush()
    return id_of(draft)


async def take_draft(session: AsyncSession, draft_id: int, member_id: int, now: datetime) -> FollowUpDraft | None:
    """Claim the draft once (a second click finds nothing)."""
    stmt = (update(FollowUpDraft).where(col(FollowUpDraft.id) == draft_id, col(FollowUpDraft.member_id) == member_id,
                                        col(FollowUpDraft.used_at).is_(None)).values(used_at=now))
    if rowcount(await session.execute(stmt)) != 1:
        return None
    return await session.get(FollowUpDraft, draft_id)
