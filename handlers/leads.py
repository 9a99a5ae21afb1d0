"""Leads in chat: the owner's lead card and its buttons (接单, 刷新)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.core.vocab import LeadStatus
from bot.errors import NotAllowed
from bot.events import Event, Reply
from bot.routing import Router
from cards.actions import AcceptLead, ShowLead
from cards.model import Level
from cards.views import LeadView, lead_card, notice_card
from flows.lead_targets import may_act
from sales import sla
from sales.lead_life import status_label
from sales.names import mask_mobile
from storage.models import Customer, Lead
from storage.repos import leads as repo
from storage.repos import members as members_repo

router = Router("leads")
EVENT_LABELS = {"received": "收到", "assigned": "分配", "queued": "等待分配", "accepted": "接单",
                "first_response": "首次响应", "reclaimed": "收回", "came_back": "再次来访", "duplicate": "重复提交",
                "reminded": "提醒", "breached": "超时", "undeliverable": "无法送达", "converted": "转为商机",
                "lost": "关闭为无效", "pool": "进入公海", "claimed": "从公海领取", "reassigned": "改派",
                "followup": "跟进", "handover": "交接"}


@router.action(AcceptLead)
async def accept(event: Event, ctx: Context) -> Reply:
    """The 接单 button: the owner (or their manager / an admin) accepts the lead."""
    lead = await _lead_for(ctx, event.action.lead_id)
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
async def show(event: Event, ctx: Context) -> Reply:
    """The 刷新 / 看线索 button."""
    lead = await _lead_for(ctx, event.action.lead_id)
    return Reply(card=lead_card(await view(ctx, lead), ""))


async def _lead_for(ctx: Context, lead_id: int) -> Lead:
    """Load the lead and check the clicker is its owner, the owner's manager, or an admin."""
    lead = await repo.get(ctx.session, lead_id)
    if lead is None:
        raise NotAllowed(f"线索 #{lead_id} 不存在了。")
    if not await may_act(ctx.member, lead.owner_id, ctx):
        raise NotAllowed("这条线索不是你的；只有负责人、负责人的主管或管理员能操作。")
    return lead


async def view(ctx: Context, lead: Lead) -> LeadView:
    """Compute what the owner's card shows."""
    s, now = ctx.session, ctx.now()
    customer = await s.get(Customer, lead.customer_id) if lead.customer_id else None
    owner = await members_repo.get(s, lead.owner_id) if lead.owner_id else None
    lines = [timeline_line(_when(ctx, at), k, n, who) for k, at, n, who in await repo.timeline(s, lead.id)]
    done = lead.first_response_at is not None
    clock = "已响应" if done else sla.countdown(now, lead.first_response_due_at)
    overdue = not done and lead.first_response_due_at is not None and now > lead.first_response_due_at
    return LeadView(lead.id, customer.name if customer else lead.contact_name, lead.contact_name,
                    mask_mobile(lead.mobile) if lead.mobile else "", f"{lead.channel} · {lead.source}", lead.need,
                    owner.name if owner else "未分配", status_label(lead.status), clock,
                    lead.assign_reason or "—", lines, accepted=lead.accepted_at is not None, overdue=overdue,
                    deals=ctx.settings.features.opportunities)


def timeline_line(when: str, kind: str, note: str, who: str) -> str:
    """One timeline line: when, what, who, why."""
    by = f" · {who}" if who and kind not in ("received", "assigned", "reminded") else ""
    return f"{when} {EVENT_LABELS.get(kind, kind)}{by}{' · ' + note if note else ''}"[:120]


def _when(ctx: Context, at: datetime) -> str:
    return at.astimezone(ctx.settings.tz).strftime("%m-%d %H:%M")
