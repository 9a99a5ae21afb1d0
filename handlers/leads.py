"""Leads in chat: the owner's lead card and its buttons (接单, 刷新)."""

from __future__ import annotations

from bot.core.actions import AcceptLead, ShowLead
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick
from bot.core.routing import Router
from bot.core.vocab import LeadStatus
from cards.views import lead_card, notice_card
from flows.lead_targets import may_act
from flows.lead_view import view
from sales.lead_life import status_label
from storage.models import Lead
from storage.repos import leads as repo

router = Router("leads")


@router.action(AcceptLead)
async def accept(click: CardClick[AcceptLead], ctx: Context) -> Reply:
    """The 接单 button: the owner (or their manager / an admin) accepts the lead."""
    assert ctx.member is not None  # dispatch: a click reaches its handler only with a member
    lead = await _lead_for(ctx, click.action.lead_id)
    if lead.accepted_at is None and lead.status == LeadStatus.ASSIGNED:
        now = ctx.now()
        lead.accepted_at, lead.status = now, LeadStatus.ACCEPTED
        await ctx.session.flush()
        await repo.add_event(ctx.session, lead.id, LeadStatus.ACCEPTED, now, ctx.member.id)
    elif lead.accepted_at is None:
        return Reply(card=notice_card("这条线索现在不能接", f"状态：{status_label(lead.status)}。",
                                      Level.WARNING))
    return Reply(card=lead_card(await view(ctx, lead), "已接单："), update=True, toast="已接单")


@router.action(ShowLead)
async def show(click: CardClick[ShowLead], ctx: Context) -> Reply:
    """The 刷新 / 看线索 button."""
    lead = await _lead_for(ctx, click.action.lead_id)
    return Reply(card=lead_card(await view(ctx, lead), ""))


async def _lead_for(ctx: Context, lead_id: int) -> Lead:
    """Load the lead and check the clicker is its owner, the owner's manager, or an admin."""
    lead = await repo.get(ctx.session, lead_id)
    if lead is None:
        raise NotAllowed(f"线索 #{lead_id} 不存在了。")
    if ctx.member is None or not await may_act(ctx.member, lead.owner_id, ctx):
        raise NotAllowed("这条线索不是你的；只有负责人、负责人的主管或管理员能操作。")
    return lead

