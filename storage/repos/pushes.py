"""Queries of the scheduled pushes: who gets them and each rep's must-do items, set-based (the candidates:
storage/repos/candidates.py; the teams' stuck items: storage/repos/breakpoints.py).

Every function answers for all members (or a given few) in one statement, so 10,000 reps cost the same
handful of queries as ten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sales import mustdo
from sales.mustdo import Item
from sales.stages import Pipeline
from storage.models import Member, PushItem, Team
from storage.repos import candidates
from storage.repos._sql import dialect_of, insert_ignore, table_of

M, P = table_of(Member), table_of(PushItem)


@dataclass(frozen=True)
class Person:
    """An active member as the pushes need them."""

    id: int
    name: str
    role: str
    team_id: int | None


async def people(session: AsyncSession, roles: Sequence[str], ids: Sequence[int] | None = None) -> list[Person]:
    """Return active members with these roles (optionally only `ids`), ordered by id."""
    stmt = select(M.c.id, M.c.name, M.c.role, M.c.team_id).where(M.c.active.is_(True), M.c.role.in_(roles))
    if ids is not None:
        stmt = stmt.where(M.c.id.in_(ids))
    return [Person(*row) for row in (await session.execute(stmt.order_by(M.c.id))).all()]


async def teams(session: AsyncSession) -> list[Team]:
    """Return every team (with its group chat)."""
    return list((await session.execute(select(Team).order_by(col(Team.id)))).scalars())


async def must_do(session: AsyncSession, now: datetime, day: str, pipeline: Pipeline,
                  owner_ids: Sequence[int] | None = None) -> dict[int, list[Item]]:
    """Return each owner's ranked must-do items for `day`, leaving out what they finished or snoozed."""
    return mustdo.rank(await candidates.ranking(session, now, day, pipeline, owner_ids), now)


async def record_items(session: AsyncSession, day: str, ranked: dict[int, list[Item]]) -> None:
    """Remember which items each member was shown on `day` (first showing wins), in one multi-row insert."""
    rows = [{"member_id": mid, "day": day, "key": it.key, "kind": it.kind, "text": it.text[:200], "rank": i,
             "reason": ""} for mid, items in ranked.items() for i, it in enumerate(items, 1)]
    dialect = dialect_of(session)
    if dialect == "postgresql" and rows:  # one parameter for 30k rows: no per-row binds for the driver to convert
        await session.execute(_PG_ITEMS, {"rows": json.dumps(rows, ensure_ascii=False)})
        return
    for start in range(0, len(rows), 2000):  # stay under SQLite's bound-parameter limit
        await session.execute(insert_ignore(P, dialect, ["member_id", "day", "key"]), rows[start:start + 2000])


_PG_ITEMS = text(
    "INSERT INTO push_item (member_id, day, key, kind, text, rank, reason) "
    "SELECT member_id, day, key, kind, text, rank, reason FROM json_to_recordset(CAST(:rows AS json)) "
    "AS r(member_id int, day text, key text, kind text, text text, rank int, reason text) "
    "ON CONFLICT (member_id, day, key) DO NOTHING")


async def team_name(session: AsyncSession, team_id: int | None) -> str:
    """Return a team's name ("" when none)."""
    team = await session.get(Team, team_id) if team_id else None
    return team.name if team else ""
