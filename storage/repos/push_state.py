"""Writes of the pushes: a member's item state (done, snoozed, reason), tasks closed from a card, and nudges.

Quiet hours are not applied here: a push decides its `not_before` before its rows are written (ctx.outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Nudge, PushItem, Task
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

P, TK = table_of(PushItem), table_of(Task)


async def mark_item(session: AsyncSession, member_id: int, day: str, key: str,
                    **values: object) -> None:
    """Set done_at / snoozed_until / reason on a member's item of `day`, creating the row when it is new."""
    await session.execute(insert_ignore(P, dialect_of(session), ["member_id", "day", "key"]).values(
        member_id=member_id, day=day, key=key[:40], kind="", text="", rank=0, reason=""))
    await session.execute(update(P).where(P.c.member_id == member_id, P.c.day == day, P.c.key == key).values(**values))


async def finish_task(session: AsyncSession, task_id: int, owner_id: int, now: datetime) -> bool:
    """Close the owner's open task; False when it is not theirs or already done.

    A coaching task is closed only by logging the 1:1 with notes (`辅导`), never by the must-do 完成 button.
    """
    stmt = (update(TK).where(TK.c.id == task_id, TK.c.owner_id == owner_id, TK.c.done_at.is_(None),
                             TK.c.kind != "coaching")
            .values(done_at=now))
    return bool(rowcount(await session.execute(stmt)))


async def add_nudge(session: AsyncSession, key: str, day: str, owner_id: int, from_id: int,
                    text: str, now: datetime) -> bool:
    """Record a 催一下; False when this item was already nudged today."""
    stmt = insert_ignore(table_of(Nudge), dialect_of(session), ["item_key", "day"]).values(
        item_key=key, day=day, owner_id=owner_id, from_id=from_id, text=text, at=now).returning(table_of(Nudge).c.id)
    return (await session.execute(stmt)).scalar() is not None
