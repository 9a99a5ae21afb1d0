"""Quote approvals: open one, find it (by our id or the platform's instance id), decide it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Approval
from storage.repos._sql import rowcount


async def add(session: AsyncSession, approval: Approval) -> Approval:
    """Insert an approval and flush so it has its id."""
    session.add(approval)
    await session.flush()
    return approval


async def get(session: AsyncSession, approval_id: int) -> Approval | None:
    """Load one approval."""
    return await session.get(Approval, approval_id)


async def pending_for(session: AsyncSession, opp_id: int) -> Approval | None:
    """Return the opportunity's pending approval, if any."""
    stmt = (select(Approval).where(col(Approval.opportunity_id) == opp_id, col(Approval.status) == "pending")
            .order_by(col(Approval.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_decided(session: AsyncSession, opp_id: int) -> Approval | None:
    """Return the opportunity's most recently decided approval (its remark shows on the card)."""
    stmt = (select(Approval).where(col(Approval.opportunity_id) == opp_id, col(Approval.status) != "pending")
            .order_by(col(Approval.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def pending_and_decided(session: AsyncSession, opp_id: int) -> tuple[Approval | None, Approval | None]:
    """Return (pending_for, latest_decided) of an opportunity in one round trip."""
    of_opp = col(Approval.opportunity_id) == opp_id
    pending = select(func.max(Approval.id)).where(of_opp, col(Approval.status) == "pending").scalar_subquery()
    decided = select(func.max(Approval.id)).where(of_opp, col(Approval.status) != "pending").scalar_subquery()
    rows = (await session.execute(select(Approval).where(col(Approval.id).in_([pending, decided])))).scalars().all()
    return (next((a for a in rows if a.status == "pending"), None),
            next((a for a in rows if a.status != "pending"), None))


async def find(session: AsyncSession, platform: str, approval_id: str) -> Approval | None:
    """Resolve an `approval` event's id: the platform instance id first, then salesbot's own id."""
    stmt = select(Approval).where(col(Approval.platform) == platform, col(Approval.instance_id) == approval_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None and approval_id.isdigit():
        found = await get(session, int(approval_id))
    return found


async def attach_instance(session: AsyncSession, approval_id: int, instance_id: str) -> None:
    """Record the platform approval instance created for an approval (DingTalk OA, Feishu approval)."""
    await session.execute(update(Approval).where(col(Approval.id) == approval_id).values(instance_id=instance_id))


async def decide(session: AsyncSession, approval_id: int, status: str, member_id: int | None, remark: str,
                 at: datetime) -> bool:
    """Mark a pending approval decided; False when it was decided already (a second click or a replay)."""
    stmt = (update(Approval).where(col(Approval.id) == approval_id, col(Approval.status) == "pending")
            .values(status=status, decided_by=member_id, remark=remark, decided_at=at))
    result = await session.execute(stmt)
    await session.flush()
    return rowcount(result) == 1
