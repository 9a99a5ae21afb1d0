"""Lead loads: the per-member counters distribution reads instead of counting the lead table, and pool turns.

`snapshot` reads every rep's counters in one query (rebuilding a missing row from the lead table once);
`apply` adds a transaction's deltas in one conditional UPDATE and says whether every member still had room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from sales.distribution import Rotation
from sales.lead_loads import LoadMove
from sales.lead_rules import Rep
from storage.models import Lead, Member, Team
from storage.models_leads import LeadLoad, LeadRotation
from storage.repos._sql import insert_ignore

L = LeadLoad.__table__
T = Lead.__table__
OWNED = ("assigned", "accepted", "breached")


async def snapshot(session: AsyncSession, day_start: datetime, extra: Iterable[int] = ()) -> list[tuple[Rep, bool]]:
    """Return (member with its loads, is a rep) for every rep plus the `extra` members, in one query."""
    M = Member.__table__
    extra = sorted(set(extra))
    where = M.c.role == "rep" if not extra else or_(M.c.role == "rep", M.c.id.in_(extra))
    stmt = (select(M.c.id, M.c.name, Team.name.label("team"), M.c.region, M.c.industries, M.c.active, M.c.on_leave,
                   M.c.work_start, M.c.work_end, M.c.capacity, M.c.role, L.c.member_id, L.c.open_leads,
                   L.c.new_today, L.c.today_since)
            .select_from(M).outerjoin(Team, Team.id == M.c.team_id).outerjoin(L, L.c.member_id == M.c.id)
            .where(where).order_by(M.c.id))
    rows = (await session.execute(stmt)).all()
    rebuilt = await _rebuild(session, [r.id for r in rows if r.member_id is None], day_start)
    out = []
    for r in rows:
        open_n, today = rebuilt.get(r.id) or (r.open_leads, r.new_today if r.today_since == day_start else 0)
        out.append((Rep(r.id, r.name, r.team or "", r.region, tuple(r.industries or ()), r.active, r.on_leave,
                        r.work_start, r.work_end, r.capacity, open_n, today), r.role == "rep"))
    return out


async def _rebuild(session: AsyncSession, ids: list[int], day_start: datetime) -> dict[int, tuple[int, int]]:
    """Count missing members' loads from the lead table (indexed by owner) and store them as their counters."""
    if not ids:
        return {}
    open_n = dict((await session.execute(select(T.c.owner_id, func.count()).where(
        T.c.owner_id.in_(ids), T.c.status.in_(OWNED)).group_by(T.c.owner_id))).all())
    today = dict((await session.execute(select(T.c.owner_id, func.count()).where(
        T.c.owner_id.in_(ids), T.c.assigned_at >= day_start).group_by(T.c.owner_id))).all())
    counts = {i: (open_n.get(i, 0), today.get(i, 0)) for i in ids}
    rows = [{"member_id": i, "open_leads": o, "new_today": t, "today_since": day_start} for i, (o, t) in counts.items()]
    await session.execute(insert_ignore(L, session.bind.dialect.name, ["member_id"]), rows)
    return counts


async def apply(session: AsyncSession, moves: Sequence[LoadMove], day_start: datetime) -> bool:
    """Add the deltas in one UPDATE where every member still has the room its moves need; False if one had not."""
    if not moves:
        return True

    def per(attr: str):
        return case({m.member_id: getattr(m, attr) for m in moves}, value=L.c.member_id)

    today = case((L.c.today_since == day_start, L.c.new_today), else_=0)
    room = and_(L.c.open_leads + per("need_open") < per("open_limit"),
                today + per("need_today") < per("today_limit"))
    stmt = (update(L).where(L.c.member_id.in_([m.member_id for m in moves]), room)
            .values(open_leads=L.c.open_leads + per("d_open"), new_today=today + per("d_today"),
                    today_since=day_start).returning(L.c.member_id))
    return len((await session.execute(stmt)).all()) == len(moves)


async def save_rotations(session: AsyncSession, rots: dict[str, Rotation]) -> None:
    """Upsert pools' rotation states in one statement."""
    if not rots:
        return
    rt = LeadRotation.__table__
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = module.insert(rt).values([{"pool_key": k, "last_member_id": r.last_member_id, "position": r.position}
                                     for k, r in sorted(rots.items())])
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["pool_key"], set_={"last_member_id": stmt.excluded.last_member_id,
                                           "position": stmt.excluded.position}))
