"""Manager views of attack actions: the heatmap and the monthly report, each one grouped query (no per-rep loop)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Case, ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AttackAction, AttackCard, Member, Opportunity, Task
from storage.repos._sql import table_of

TK, AA = table_of(Task), table_of(AttackAction)
AC, OP, MB = table_of(AttackCard), table_of(Opportunity), table_of(Member)
_DONE = case((TK.c.done_at.is_not(None), 1), else_=0)


def _counted(as_of: datetime):
    """An action counts once it is due (or done): a not-yet-due action is not skipped."""
    return or_(TK.c.due_at <= as_of, TK.c.done_at.is_not(None))


def _scope(since: datetime, until: datetime, as_of: datetime, member_ids: Sequence[int] | None) -> list:
    where = [AC.c.created_at >= since, AC.c.created_at < until, _counted(as_of)]
    return where + ([TK.c.owner_id.in_(member_ids)] if member_ids is not None else [])


_JOINED = AA.join(AC, AC.c.id == AA.c.card_id).join(TK, TK.c.id == AA.c.task_id)


@dataclass(frozen=True)
class Cell:
    """One rep × action cell of the heatmap: how many were due and how many were done."""

    owner_id: int
    name: str
    is_new: bool
    scenario: str
    strategy: str
    position: int
    title: str
    due: int
    done: int


async def heatmap(session: AsyncSession, since: datetime, until: datetime, as_of: datetime,
                  member_ids: Sequence[int] | None = None) -> list[Cell]:
    """Completion per rep and action for cards created in [since, until), as of `as_of` (one query)."""
    stmt = (select(TK.c.owner_id, MB.c.name, MB.c.is_new, AC.c.scenario, AC.c.strategy, AA.c.position, AA.c.title,
                   func.count(), func.sum(_DONE))
            .select_from(_JOINED.join(MB, MB.c.id == TK.c.owner_id))
            .where(*_scope(since, until, as_of, member_ids))
            .group_by(TK.c.owner_id, MB.c.name, MB.c.is_new, AC.c.scenario, AC.c.strategy, AA.c.position, AA.c.title))
    return [Cell(owner, name, new, scenario, strategy, position, title, int(due), int(done or 0))
            for owner, name, new, scenario, strategy, position, title, due, done in await session.execute(stmt)]


@dataclass(frozen=True)
class ActionStat:
    """One action of the monthly report: done rate, and how the deals did when it was done vs skipped."""

    scenario: str
    strategy: str
    title: str
    due: int
    done: int
    done_closed: int
    done_won: int
    skipped_closed: int
    skipped_won: int


@dataclass(frozen=True)
class StrategyStat:
    """One strategy of the monthly report: cards, actions due and done, and its deals' outcomes."""

    scenario: str
    strategy: str
    cards: int
    due: int
    done: int
    closed: int
    won: int


def _when(*conds: ColumnElement[bool]) -> Case[int]:
    return case((and_(*conds), 1), else_=0)


async def action_stats(session: AsyncSession, since: datetime, until: datetime, as_of: datetime,
                       member_ids: Sequence[int] | None = None) -> list[ActionStat]:
    """Per action of cards created in [since, until): due, done, and won/closed with the action done or skipped."""
    done, closed, won = TK.c.done_at.is_not(None), OP.c.status.in_(("won", "lost")), OP.c.status == "won"
    stmt = (select(AC.c.scenario_name, AC.c.strategy_name, AA.c.title, func.count(), func.sum(_DONE),
                   func.sum(_when(done, closed)), func.sum(_when(done, won)),
                   func.sum(_when(~done, closed)), func.sum(_when(~done, won)))
            .select_from(_JOINED.join(OP, OP.c.id == AC.c.opportunity_id))
            .where(*_scope(since, until, as_of, member_ids))
            .group_by(AC.c.scenario, AC.c.scenario_name, AC.c.strategy, AC.c.strategy_name, AA.c.position, AA.c.title)
            .order_by(AC.c.scenario, AC.c.strategy, AA.c.position))
    return [ActionStat(s, g, t, *(int(v or 0) for v in rest)) for s, g, t, *rest in await session.execute(stmt)]


async def strategy_stats(session: AsyncSession, since: datetime, until: datetime, as_of: datetime,
                         member_ids: Sequence[int] | None = None) -> list[StrategyStat]:
    """Per strategy of cards created in [since, until): cards, actions due/done, deals closed and won."""
    deal = AC.c.opportunity_id
    stmt = (select(AC.c.scenario_name, AC.c.strategy_name, func.count(func.distinct(AC.c.id)), func.count(),
                   func.sum(_DONE), func.count(func.distinct(case((OP.c.status.in_(("won", "lost")), deal)))),
                   func.count(func.distinct(case((OP.c.status == "won", deal)))))
            .select_from(_JOINED.join(OP, OP.c.id == AC.c.opportunity_id))
            .where(*_scope(since, until, as_of, member_ids))
            .group_by(AC.c.scenario, AC.c.scenario_name, AC.c.strategy, AC.c.strategy_name)
            .order_by(AC.c.scenario, AC.c.strategy))
    return [StrategyStat(s, g, *(int(v or 0) for v in rest)) for s, g, *rest in await session.execute(stmt)]


async def team_member_ids(session: AsyncSession, manager: Member) -> list[int]:
    """The reps a manager sees: their team and the people who report to them."""
    stmt = select(MB.c.id).where(or_(MB.c.manager_id == manager.id,
                                     and_(MB.c.team_id.is_not(None), MB.c.team_id == manager.team_id)))
    return [i for (i,) in await session.execute(stmt)]


async def scope_members(session: AsyncSession, scope: str) -> list[int] | None:
    """Resolve a dashboard scope: "all" → None (everyone), "mgr:<id>" → that manager's reps; ValueError if bad."""
    if scope == "all":
        return None
    kind, _, ident = scope.partition(":")
    manager = await session.get(Member, int(ident)) if kind == "mgr" and ident.isdigit() else None
    if manager is None:
        raise ValueError(f"unknown scope {scope!r}")
    return await team_member_ids(session, manager)
