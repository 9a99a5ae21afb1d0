"""What a lead's card shows: the view the owner's card, a refresh and the batch's first card all build."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from cards.views import LeadView
from sales import sla
from sales.lead_life import status_label
from sales.names import mask_mobile
from storage.models import Customer, Lead
from storage.repos import leads as repo
from storage.repos import members as members_repo

EVENT_LABELS = {"received": "收到", "assigned": "分配", "queued": "等待分配", "accepted": "接单",
                "first_response": "首次响应", "reclaimed": "收回", "came_back": "再次来访", "duplicate": "重复提交",
                "reminded": "提醒", "breached": "超时", "undeliverable": "无法送达", "converted": "转为商机",
                "lost": "关闭为无效", "pool": "进入公海", "claimed": "从公海领取", "reassigned": "改派",
                "followup": "跟进", "handover": "交接"}


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
