"""Script submissions (`话术 投稿`) and point redemptions, each waiting for a manager's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Member, Redemption, Script, ScriptSubmission
from storage.repos._sql import id_of, rowcount, table_of

SS, RD, M = table_of(ScriptSubmission), table_of(Redemption), table_of(Member)
SUBMISSION_PACK = "投稿"


async def submit(session: AsyncSession, member_id: int, title: str, text: str, now: datetime) -> int:
    """Store a submitted script as pending; return its id."""
    row = ScriptSubmission(member_id=member_id, title=title, text=text, created_at=now)
    session.add(row)
    await session.flush()
    return id_of(row)


async def pending_submissions(session: AsyncSession, team_id: int | None) -> list[tuple[ScriptSubmission, str]]:
    """Return the pending submissions of a team's members (all teams when None), oldest first."""
    stmt = (select(ScriptSubmission, col(Member.name)).join(Member, col(Member.id) == ScriptSubmission.member_id)
            .where(col(ScriptSubmission.status) == "pending"))
    if team_id is not None:
        stmt = stmt.where(col(Member.team_id) == team_id)
    return list((await session.execute(stmt.order_by(col(ScriptSubmission.id)).limit(20))).all())


async def decide_submission(session: AsyncSession, sub_id: int, approve: bool, manager_id: int,
                            now: datetime) -> ScriptSubmission | None:
    """Approve (into the library) or reject a pending submission; None when it is not pending any more."""
    done = await session.execute(update(SS).where(SS.c.id == sub_id, SS.c.status == "pending").values(
        status="approved" if approve else "rejected", decided_by=manager_id, decided_at=now))
    if not rowcount(done):
        return None
    sub = await session.get(ScriptSubmission, sub_id)
    assert sub is not None  # the update above just matched it
    if approve:
        script = Script(key=f"submission-{sub.id}", title=sub.title, text=sub.text, pack=SUBMISSION_PACK,
                        keywords=[], updated_at=now)
        session.add(script)
        await session.flush()
        sub.script_id = script.id
    return sub


async def request_redemption(session: AsyncSession, member_id: int, item: str, points: int, now: datetime) -> int:
    """Store a pending redemption; return its id."""
    row = Redemption(member_id=member_id, item=item, points=points, created_at=now)
    session.add(row)
    await session.flush()
    return id_of(row)


async def pending_redemptions(session: AsyncSession, team_id: int | None) -> list[tuple[Redemption, str]]:
    """Return the pending redemptions of a team's members (all teams when None), oldest first."""
    stmt = (select(Redemption, col(Member.name)).join(Member, col(Member.id) == Redemption.member_id)
            .where(col(Redemption.status) == "pending"))
    if team_id is not None:
        stmt = stmt.where(col(Member.team_id) == team_id)
    return list((await session.execute(stmt.order_by(col(Redemption.id)).limit(20))).all())


async def decide_redemption(session: AsyncSession, rid: int, approve: bool, manager_id: int,
                            now: datetime) -> Redemption | None:
    """Approve or reject a pending redemption; None when it is not pending any more."""
    done = await session.execute(update(RD).where(RD.c.id == rid, RD.c.status == "pending").values(
        status="approved" if approve else "rejected", decided_by=manager_id, decided_at=now))
    return await session.get(Redemption, rid) if rowcount(done) else None


async def team_of(session: AsyncSession, member_id: int) -> int | None:
    """Return a member's team id."""
    return (await session.execute(select(M.c.team_id).where(M.c.id == member_id))).scalar()


async def is_pending(session: AsyncSession, model: type[ScriptSubmission] | type[Redemption], row_id: int) -> bool:
    """Return True when the submission or redemption exists and still waits for a decision (any team)."""
    row: ScriptSubmission | Redemption | None = await session.get(model, row_id)
    return row is not None and row.status == "pending"
