"""Helpers for lead lifecycle tests: leads through the real intake flow, rows read back."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from flows import lead_intake
from sales.intake import validate
from storage.models import Lead, LeadEvent, Member
from tests.handlers.opp_helpers import Chat


async def new_lead(rt: Runtime, mobile: str, company: str, name: str = "王经理") -> tuple[int, str, str | None]:
    """Post a lead as the intake route would; return (lead id, status answer, owner)."""
    async with rt.db.session() as s:
        li = validate("web", {"手机号": mobile, "公司": company, "姓名": name}, {})
        result = await lead_intake.accept(await rt.context(s), li, {"手机号": mobile}, f"key-{mobile}")
    return result.lead_id, result.status, result.owner


async def set_capacity(rt: Runtime, member_id: int, capacity: int) -> None:
    async with rt.db.session() as s:
        (await s.get(Member, member_id)).capacity = capacity


async def lead(rt: Runtime, lead_id: int) -> Lead:
    async with rt.db.session() as s:
        return await s.get(Lead, lead_id)


async def events(rt: Runtime, lead_id: int) -> list[tuple[str, int | None, str]]:
    async with rt.db.session() as s:
        rows = (await s.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id))).scalars()
        return [(e.kind, e.member_id, e.note) for e in rows]


async def dm(client, rt, member: int) -> Chat:
    """The member's 1:1 chat with the bot, past cards already read."""
    chat = Chat(client, rt, f"dm:{member}")
    await chat._new()
    return chat
