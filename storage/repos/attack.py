"""Attack task cards: create a card with its checklist (as task rows), tick actions, the imported playbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import AttackAction, AttackCard, AttackPlaybook, Member, Task
from storage.repos._sql import id_of, rowcount, table_of

TASK_KIND = "attack_action"
TK, AA = table_of(Task), table_of(AttackAction)


@dataclass(frozen=True)
class Line:
    """One checklist line as the card shows it."""

    id: int
    position: int
    title: str
    due_at: datetime | None
    done_at: datetime | None
    done_by: str
    evidence: str


def task_ref(card_id: int, action_id: int) -> str:
    """The task's ref: how the must-do list and reports tell an attack action from other tasks."""
    return f"attack:{card_id}:{action_id}"


async def create_card(session: AsyncSession, card: AttackCard, steps: list[tuple[str, datetime]],
                      customer: str) -> AttackCard:
    """Store the card, one action per step and one task per action (owned by the card's owner)."""
    session.add(card)
    await session.flush()
    card_id = id_of(card)
    for position, (title, due_at) in enumerate(steps, start=1):
        action = AttackAction(card_id=card_id, position=position, title=title)
        session.add(action)
        await session.flush()
        task = Task(kind=TASK_KIND, title=f"{customer}：{title}"[:200], owner_id=card.owner_id, due_at=due_at,
                    ref=task_ref(card_id, id_of(action)), created_at=card.created_at)
        session.add(task)
        await session.flush()
        action.task_id = task.id
    await session.flush()
    return card


async def get_card(session: AsyncSession, card_id: int) -> AttackCard | None:
    """Load one card."""
    return await session.get(AttackCard, card_id)


async def open_cards(session: AsyncSession, opp_id: int) -> list[AttackCard]:
    """The deal's open cards, oldest first."""
    stmt = (select(AttackCard).where(col(AttackCard.opportunity_id) == opp_id, col(AttackCard.status) == "open")
            .order_by(col(AttackCard.id)))
    return list((await session.execute(stmt)).scalars())


async def checklist(session: AsyncSession, card_id: int) -> list[Line]:
    """The card's actions in pack order, with due/done times and who ticked each."""
    stmt = (select(AA.c.id, AA.c.position, AA.c.title, TK.c.due_at, TK.c.done_at, col(Member.name), AA.c.evidence)
            .select_from(AA.join(TK, TK.c.id == AA.c.task_id).outerjoin(Member, col(Member.id) == AA.c.done_by))
            .where(AA.c.card_id == card_id).order_by(AA.c.position))
    return [Line(i, p, t, due, done, who or "", ev) for i, p, t, due, done, who, ev in await session.execute(stmt)]


async def tick(session: AsyncSession, card_id: int, action_id: int, member_id: int, now: datetime,
               evidence: str = "") -> bool:
    """Complete an undone action of the card; False when it was done already (a second click changes nothing)."""
    found = await session.execute(select(AA.c.task_id).where(AA.c.id == action_id, AA.c.card_id == card_id))
    task_id = found.scalar_one_or_none()
    if task_id is None:
        return False
    closed = await session.execute(update(TK).where(TK.c.id == task_id, TK.c.done_at.is_(None)).values(done_at=now))
    if not rowcount(closed):
        return False
    await session.execute(update(AA).where(AA.c.id == action_id).values(done_by=member_id, evidence=evidence[:1000]))
    return True


async def close_if_complete(session: AsyncSession, card: AttackCard, now: datetime) -> bool:
    """Mark the card done once every action is done (also when tasks were finished from the must-do list)."""
    undone = select(func.count()).select_from(AA.join(TK, TK.c.id == AA.c.task_id)).where(
        AA.c.card_id == card.id, TK.c.done_at.is_(None))
    if card.status != "open" or (await session.execute(undone)).scalar_one():
        return False
    card.status, card.done_at = "done", now
    await session.flush()
    return True


async def latest_pack(session: AsyncSession) -> AttackPlaybook | None:
    """The playbook imported last, or None (then the built-in pack is used)."""
    stmt = (select(AttackPlaybook).order_by(col(AttackPlaybook.imported_at).desc(), col(AttackPlaybook.id).desc())
            .limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def save_pack(session: AsyncSession, name: str, source: str, now: datetime) -> None:
    """Store a checked playbook; it is used from the next message on."""
    session.add(AttackPlaybook(name=name[:80], source=source, imported_at=now))
    await session.flush()

