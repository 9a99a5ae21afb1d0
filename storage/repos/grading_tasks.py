"""Tasks of grading: activation plan items and cadence items (Task kinds "activation" and "cadence")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer, Interaction, Task
from storage.repos._sql import rowcount, table_of
from storage.repos.grading import bulk_insert

C, IN, TK = table_of(Customer), table_of(Interaction), table_of(Task)
CHUNK = 5000


def customer_ref(customer_id: int) -> str:
    """Return a task's ref for a customer (the must-do list groups by it)."""
    return f"customer:{customer_id}"


async def add_tasks(session: AsyncSession, rows: list[dict]) -> None:
    """Insert tasks (kind, title, owner_id, due_at, ref, created_at; the same keys in every row) in bulk."""
    await bulk_insert(session, "task", rows)


async def activation_tasks(session: AsyncSession, customer_id: int, since: datetime) -> list[Task]:
    """Return the customer's activation items created since `since`, in plan order."""
    stmt = select(Task).where(col(Task.kind) == "activation", col(Task.ref) == customer_ref(customer_id),
                              col(Task.created_at) >= since).order_by(col(Task.id))
    return list((await session.execute(stmt)).scalars())


async def names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    """Return the names of these customers."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(C.c.id, C.c.name).where(C.c.id.in_(ids[i:i + CHUNK]))
        out.update(dict((await session.execute(stmt)).all()))
    return out


async def graded_customers(session: AsyncSession, grades: list[str]) -> list[tuple]:
    """Return (id, name, owner, grade) of every owned customer in these grades, ordered by id."""
    stmt = (select(C.c.id, C.c.name, C.c.owner_id, C.c.grade)
            .where(C.c.grade.in_(grades), C.c.owner_id.is_not(None)).order_by(C.c.id))
    return list((await session.execute(stmt)).all())


async def recent_touches(session: AsyncSession, now: datetime, days: list[int], deep: tuple[str, ...]) -> list[tuple]:
    """Return (customer, deep 0/1, k, count): interactions since now − days[k] (days ascending), in one GROUP BY."""
    span = case(*((IN.c.at >= now - timedelta(days=d), k) for k, d in enumerate(days)), else_=len(days))
    is_deep = case((IN.c.kind.in_(deep), 1), else_=0)
    stmt = (select(IN.c.customer_id, is_deep, span, func.count())
            .where(IN.c.at >= now - timedelta(days=days[-1]), IN.c.at <= now)
            .group_by(IN.c.customer_id, is_deep, span))
    return list((await session.execute(stmt)).all())


async def cadence_refs(session: AsyncSession, since: datetime) -> dict[str, tuple[datetime, int]]:
    """Return, per ref with a cadence task since `since` or still open: (newest creation, open count)."""
    stmt = (select(TK.c.ref, func.max(TK.c.created_at), func.sum(case((TK.c.done_at.is_(None), 1), else_=0)))
            .where(TK.c.kind == "cadence", or_(TK.c.done_at.is_(None), TK.c.created_at >= since))
            .group_by(TK.c.ref))
    return {ref: (at, int(n or 0)) for ref, at, n in (await session.execute(stmt)).all()}


async def close_cadence(session: AsyncSession, customer_ids: list[int], now: datetime) -> int:
    """Close the open cadence tasks of customers whose cadence is met; return how many were closed."""
    closed = 0
    for i in range(0, len(customer_ids), CHUNK):
        refs = [customer_ref(c) for c in customer_ids[i:i + CHUNK]]
        stmt = (update(TK).where(TK.c.kind == "cadence", TK.c.done_at.is_(None), TK.c.ref.in_(refs))
                .values(done_at=now))
        closed += rowcount(await session.execute(stmt)) or 0
    return closed
