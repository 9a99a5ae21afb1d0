"""A lead's end in chat: `无效 <客户> <原因>` (lost, with a pick-list reason) and its reason buttons."""

from __future__ import annotations

from bot.core.actions import LoseLead
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from bot.core.vocab import LeadStatus
from cards.views import notice_card
from cards.views.lead_life import lead_closed_card, lost_reasons_card
from flows import lead_life, lead_targets
from flows.lead_targets import may_act
from sales import lead_life as rules
from storage.models import Customer, Lead
from storage.repos import leads as leads_repo

router = Router("lead_life")
USAGE = "无效 <客户> <原因>"


@router.command("无效", "invalid", summary="把线索关成无效（空号、没需求、选了竞品…），写明原因", usage=USAGE,
                spaced=True)
async def invalid(msg: Message, ctx: Context) -> Reply:
    """Close the named customer's open lead as lost; without a reason, offer the pick list."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    word, rest = lead_targets.split_target(msg.text)
    if not word:
        return Reply(card=notice_card("哪个客户的线索？", f"这样说：{USAGE}，例：无效 华东医疗 空号错号",
                                      Level.WARNING, items=[f"原因可选：{'、'.join(rules.LOST_REASONS)}"]))
    leads = [x for x in await lead_targets.open_leads(ctx, word) if await may_act(ctx.member, x.owner_id, ctx)]
    if not leads:
        text = f"“{word}”没有你负责的进行中线索。发“公海”或“今日必做”看看。"
        return Reply(card=notice_card("没找到可关闭的线索", text, Level.WARNING))
    lead = leads[0]
    reason = rules.parse_lost_reason(rest)
    if reason is None:
        return Reply(card=lost_reasons_card(lead.id, await _name(ctx, lead), rules.LOST_REASONS))
    return await _lose(ctx, lead, reason)


@router.action(LoseLead)
async def click_reason(click: CardClick[LoseLead], ctx: Context) -> Reply:
    """A pick-list button: close the lead with that reason."""
    assert ctx.member is not None  # dispatch: a click reaches its handler only with a member
    lead = await leads_repo.get(ctx.session, click.action.lead_id)
    if lead is None:
        return Reply(card=notice_card("没找到这条线索", "它可能已被合并或删除。发“公海”或“今日必做”看看。",
                                      Level.WARNING))
    if not await may_act(ctx.member, lead.owner_id, ctx):
        raise NotAllowed("这条线索不是你的；只有负责人、负责人的主管或管理员能关闭。")
    return await _lose(ctx, lead, rules.LostReason(click.action.reason, click.text), update=True)


async def _lose(ctx: Context, lead: Lead, reason: rules.LostReason, update: bool = False) -> Reply:
    assert ctx.member is not None  # a command or click: dispatch found the member
    name = await _name(ctx, lead)
    if not await lead_life.move(ctx, lead, LeadStatus.LOST, ctx.member.id, reason.text(),
                                {"reason": reason.reason, "note": reason.note}):
        done = notice_card("这条线索已经结束了", f"{name}：{rules.status_label(lead.status)}。")
        return Reply(card=done, update=update)
    return Reply(card=lead_closed_card(name, lead.id, LeadStatus.LOST.label, reason.text()), update=update)


async def _name(ctx: Context, lead: Lead) -> str:
    customer = await ctx.session.get(Customer, lead.customer_id) if lead.customer_id else None
    return customer.name if customer else (lead.contact_name or f"线索 #{lead.id}")
