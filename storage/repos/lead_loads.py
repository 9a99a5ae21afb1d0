"""Lead loads: the per-member counters distribution reads instead of counting the lead table, and pool turns.

`snapshot` reads every rep's counters in one query (rebuilding a missing row from the lead table once);
`apply` adds a transaction's deltas (one executemany of a conditional UPDATE) and says whether every member
still had room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, case, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import OWNED_LEAD_STATUSES
from sales.distribution import Rotation
from sales.lead_loads import LoadMove
from sales.lead_rules import Rep
from storage.models import Lead, LeadLoad, LeadRotation, Member, Team
from storage.repos._sql import dialect_of, insert_ignore, insert_of, rowcount, table_of

L = table_of(LeadLoad)
T = table_of(Lead)
OWNED = OWNED_LEAD_STATUSES


async def snapshot(session: AsyncSession, day_start: datetime, extra: Iterable[int] = (),
                   reps: bool = True) -> list[tuple[Rep, bool]]:
    """Return (member with its loads, is a rep) for every rep (unless reps=False) and the `extra` members."""
    M = table_of(Member)
    extra = sorted(set(extra))
    where = or_(M.c.role == "rep" if reps else false(), M.c.id.in_(extra))
    stmt = (select(M.c.id, M.c.name, col(Team.name).label("team"), M.c.region, M.c.industries, M.c.active, M.c.on_leave,
                   M.c.work_start, M.c.work_end, M.c.capacity, M.c.role, L.c.member_id, L.c.open_leads,
                   L.c.new_today, L.c.today_since, M.c.leave_from, M.c.leave_until)
            .select_from(M).outerjoin(Team, col(Team.id) == M.c.team_id).outerjoin(L, L.c.member_id == M.c.id)
            .where(where).order_by(M.c.id))
    rows = (await session.execute(stmt)).all()
    rebuilt = await _rebuild(session, [r.id for r in rows if r.member_id is None], day_start)
    out = []
    for r in rows:
        open_n, today = rebuilt.get(r.id) or (r.open_leads, r.new_today if r.today_since == day_start else 0)
        out.append((Rep(r.id, r.name, r.team or "", r.region, tuple(r.industries or ()), r.active, r.on_leave,
                        r.work_start, r.work_end, r.capacity, open_n, today, (r.leave_from, r.leave_until)),
                    r.role == "rep"))
    return out


async def _rebuild(session: AsyncSession, ids: list[int], day_start: datetime) -> dict[int, tuple[int, int]]:
    """Count missing members' loads from the lead table (indexed by owner) and store them as their counters."""
    if not ids:
        return {}
    open_n: dict[int, int] = dict((await session.execute(select(T.c.owner_id, func.count()).where(
        T.c.owner_id.in_(ids), T.c.status.in_(OWNED)).group_by(T.c.owner_id))).all())
    today: dict[int, int] = dict((await session.execute(select(T.c.owner_id, func.count()).where(
        T.c.owner_id.in_(ids), T.c.assigned_at >= day_start).group_by(T.c.owner_id))).all())
    counts = {i: (open_n.get(i, 0), today.get(i, 0)) for i in ids}
    rows = [{"member_id": i, "open_leads": o, "new_today": t, "today_since": day_start} for i, (o, t) in counts.items()]
    await session.execute(insert_ignore(L, dialect_of(session), ["member_id"]), rows)
    return counts


async def apply(session: AsyncSession, moves: Sequence[LoadMove], day_start: datetime) -> bool:
    """Add the deltas where every member still has the room its moves need; False if one had not.

    One executemany of a conditional UPDATE by primary key: the driver reports the rows it changed in total.
    """
    if not moves:
        return True
    today = case((L.c.today_since == day_start, L.c.new_today), else_=0)
    room = and_(L.c.open_leads + bindparam("need_open") < bindparam("open_limit"),
                today + bindparam("need_today") < bindparam("today_limit"))
    stmt = (update(L).where(L.c.member_id == bindparam("mid"), room)
            .values(open_leads=L.c.open_leads + bindparam("d_open"), new_today=today + bindparam("d_today"),
                    today_since=day_start))
    rows = [{"mid": m.member_id, "d_open": m.d_open, "d_today": m.d_today, "need_open": m.need_open,
             "need_today": m.need_today, "open_limit": m.open_limit, "today_limit": m.today_limit} for m in moves]
    return rowcount(await session.execute(stmt, rows)) == len(moves)


async def save_rotations(session: AsyncSession, rots: dict[str, Rotation]) -> None:
    """Upsert pools' rotation states in one statement."""
    if not rots:
        return
    rt = table_of(LeadRotation)
    stmt = insert_of(rt, dialect_of(session)).values([
        {"pool_key": k, "last_member_id": r.last_member_id, "position": r.position} for k, r in sorted(rots.items())])
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["pool_key"], set_={"last_member_id": stmt.excluded.last_member_id,
                                           "position": stmt.excluded.position}))
