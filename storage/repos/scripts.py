"""The script library: upsert packs, pick candidates, record shown/used, and adoption per script and rep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member, Script, ScriptUse
from storage.repos._sql import dialect_of, id_of, insert_ignore, table_of

GENERIC = ("", "通用", "any")


async def upsert(session: AsyncSession, rows: Iterable[dict], pack: str, at: datetime) -> tuple[int, int]:
    """Create or update scripts by key; return (created, updated)."""
    rows = list(rows)
    keys = [r["key"] for r in rows]
    existing = {s.key: s for s in (await session.execute(select(Script).where(col(Script.key).in_(keys)))).scalars()}
    for row in rows:
        script = existing.get(row["key"]) or Script(key=row["key"], title="", text="")
        for name, value in row.items():
            setattr(script, name, value)
        script.pack, script.active, script.updated_at = pack, True, at
        session.add(script)
    await session.flush()
    return len(rows) - len(existing), len(existing)


async def candidates(session: AsyncSession, stage: str, industry: str) -> list[Script]:
    """Active scripts for this stage (or any stage) and this industry (or any); unknown industry gets all."""
    stmt = select(Script).where(col(Script.active), col(Script.stage).in_((stage, *GENERIC)))
    if industry:
        stmt = stmt.where(or_(col(Script.industry) == industry, col(Script.industry).in_(GENERIC)))
    return list((await session.execute(stmt.order_by(col(Script.id)))).scalars())


async def by_ids(session: AsyncSession, ids: list[int]) -> dict[int, Script]:
    """Load scripts by id."""
    return {id_of(s): s for s in (await session.execute(select(Script).where(col(Script.id).in_(ids)))).scalars()}


def _counts():
    shown = func.sum(case((col(ScriptUse.kind) == "shown", 1), else_=0))
    used = func.sum(case((col(ScriptUse.kind) == "used", 1), else_=0))
    return shown, used


async def adoption(session: AsyncSession, script_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return {script id: (times shown, times used)} in one grouped query."""
    shown, used = _counts()
    stmt = (select(col(ScriptUse.script_id), shown, used).where(col(ScriptUse.script_id).in_(script_ids))
            .group_by(col(ScriptUse.script_id)))
    return {sid: (int(s or 0), int(u or 0)) for sid, s, u in (await session.execute(stmt)).all()}


async def record(session: AsyncSession, kind: str, script_ids: list[int], opp_id: int,
                 member_id: int, at: datetime, day: str) -> None:
    """Record scripts shown to or used by a rep; repeats on the same day count once."""
    if not script_ids:
        return
    rows = [{"kind": kind, "script_id": sid, "opportunity_id": opp_id, "member_id": member_id, "day": day,
             "at": at} for sid in script_ids]
    stmt = insert_ignore(table_of(ScriptUse), dialect_of(session),
                         ["kind", "script_id", "opportunity_id", "member_id", "day"])
    await session.execute(stmt, rows)


async def stats_by_script(session: AsyncSession, limit: int = 10) -> list[tuple[str, int, int]]:
    """Return (title, shown, used) of the most-shown scripts, most used first."""
    shown, used = _counts()
    stmt = (select(col(Script.title), shown, used).join(ScriptUse, col(ScriptUse.script_id) == Script.id)
            .group_by(col(Script.id), col(Script.title)).order_by(used.desc(), shown.desc(), col(Script.id))
            .limit(limit))
    return [(t, int(s or 0), int(u or 0)) for t, s, u in (await session.execute(stmt)).all()]


async def stats_by_rep(session: AsyncSession, team_id: int | None = None,
                       limit: int = 20) -> list[tuple[str, int, int]]:
    """Return (rep name, shown, used) per rep (of one team when given), most used first."""
    shown, used = _counts()
    stmt = (select(col(Member.name), shown, used).join(ScriptUse, col(ScriptUse.member_id) == Member.id)
            .group_by(col(Member.id), col(Member.name)).order_by(used.desc(), shown.desc(), col(Member.id))
            .limit(limit))
    if team_id is not None:
        stmt = stmt.where(col(Member.team_id) == team_id)
    return [(n, int(s or 0), int(u or 0)) for n, s, u in (await session.execute(stmt)).all()]
