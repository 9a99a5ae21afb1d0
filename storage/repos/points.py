"""The contribution-points ledger (过程贡献值): awards, balances, the leaderboard, competitor tags.

Every ledger line has a unique `ref`, so an award computed twice (a re-run, two replicas) is written once.
Awards for customer updates and adopted scripts are read from the rows other flows write (customer_event
`updated`, script_use `used`) in two INSERT … SELECT statements — no hook into those flows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import CustomerEventKind
from storage.models import CompetitorTag, CustomerEvent, Member, PointsEntry, Redemption, ScriptSubmission, ScriptUse
from storage.repos._sql import dialect_of, insert_ignore, table_of

P, CE, SU, SS = table_of(PointsEntry), table_of(CustomerEvent), table_of(ScriptUse), table_of(ScriptSubmission)
M, CT, RD = table_of(Member), table_of(CompetitorTag), table_of(Redemption)
COLS = ["member_id", "kind", "points", "ref", "note", "at"]


def _ref(prefix: str, col):
    return literal(prefix, String) + cast(col, String)


async def award_history(session: AsyncSession, points: dict[str, int]) -> None:
    """Award points for customer-information updates and for scripts other reps adopted (set-based, once each)."""
    upd = points.get("customer_update", 0)
    if upd:
        rows = select(CE.c.member_id, literal("customer_update", String), literal(upd, Integer), _ref("cev:", CE.c.id),
                      literal("更新客户信息", String), CE.c.at).where(
            CE.c.kind == CustomerEventKind.UPDATED.value, CE.c.member_id.is_not(None))
        await session.execute(insert_ignore(P, dialect_of(session), ["ref"]).from_select(COLS, rows))
    adopted = points.get("script_adopted", 0)
    if adopted:
        rows = (select(SS.c.member_id, literal("script_adopted", String), literal(adopted, Integer),
                       _ref("use:", SU.c.id), literal("投稿的话术被同事采用", String), SU.c.at)
                .select_from(SU.join(SS, SS.c.script_id == SU.c.script_id))
                .where(SU.c.kind == "used", SU.c.member_id != SS.c.member_id))
        await session.execute(insert_ignore(P, dialect_of(session), ["ref"]).from_select(COLS, rows))


async def add(session: AsyncSession, member_id: int, kind: str, points: int, ref: str, note: str,
              now: datetime) -> bool:
    """Write one ledger line; False when its ref was written before."""
    stmt = insert_ignore(P, dialect_of(session), ["ref"]).values(member_id=member_id, kind=kind, points=points, ref=ref,
                                                      note=note[:200], at=now).returning(P.c.id)
    return (await session.execute(stmt)).scalar() is not None


async def balance(session: AsyncSession, member_id: int) -> tuple[int, int]:
    """Return (ledger balance, points held by pending redemptions)."""
    total = (await session.execute(select(func.coalesce(func.sum(P.c.points), 0))
                                   .where(P.c.member_id == member_id))).scalar_one()
    held = (await session.execute(select(func.coalesce(func.sum(RD.c.points), 0))
                                  .where(RD.c.member_id == member_id, RD.c.status == "pending"))).scalar_one()
    return int(total), int(held)


async def ledger(session: AsyncSession, member_id: int, limit: int = 8) -> list[PointsEntry]:
    """Return the member's latest ledger lines."""
    stmt = select(PointsEntry).where(col(PointsEntry.member_id) == member_id).order_by(col(PointsEntry.id).desc())
    return list((await session.execute(stmt.limit(limit))).scalars())


async def leaderboard(session: AsyncSession, team_id: int | None, since: datetime, limit: int = 10) -> list[tuple]:
    """Return (name, points earned since `since`) of the team's members, most first."""
    earned = func.sum(P.c.points)
    stmt = (select(M.c.name, earned).select_from(P.join(M, M.c.id == P.c.member_id))
            .where(P.c.points > 0, P.c.at >= since, M.c.team_id == team_id)
            .group_by(M.c.name).order_by(earned.desc(), M.c.name).limit(limit))
    return [(n, int(p)) for n, p in (await session.execute(stmt)).all()]


async def add_tag(session: AsyncSession, customer_id: int, competitor: str, member_id: int,
                  now: datetime) -> int | None:
    """Store a competitor tag; return its id, or None when the customer already had that competitor."""
    stmt = insert_ignore(CT, dialect_of(session), ["customer_id", "competitor"]).values(
        customer_id=customer_id, competitor=competitor, member_id=member_id, at=now).returning(CT.c.id)
    return (await session.execute(stmt)).scalar()


async def tags(session: AsyncSession, customer_id: int) -> list[str]:
    """Return the competitors tagged on a customer."""
    stmt = select(CT.c.competitor).where(CT.c.customer_id == customer_id).order_by(CT.c.id)
    return list((await session.execute(stmt)).scalars())
