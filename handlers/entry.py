"""Entry from the phone: `新线索 <姓名> <手机> [公司] [需求]` and `客户 <客户> [行业 …] [地区 …] …`."""

from __future__ import annotations

from bot.context import Context
from bot.events import Event, Reply
from bot.routing import Router
from cards.model import Field, Level, Section
from cards.views import lead_card, notice_card
from flows import customer_update, lead_entry, lead_targets
from flows.lead_targets import may_act
from handlers.leads import view
from sales.entry import parse_customer_fields, parse_new_lead
from sales.names import mask_mobile
from storage.models import Customer
from storage.repos import leads as leads_repo
from storage.repos import members as members_repo

router = Router("entry", feature="leads")
LEAD_USAGE = "新线索 <姓名> <手机> [公司] [需求]"
CUSTOMER_USAGE = "客户 <客户> [行业 …] [地区 …] [联系人 …] [手机 …]"
LABELS = {"industry": "行业", "region": "地区", "contact": "联系人"}


@router.command("新线索", "lead", summary="手机上录一条自己的线索（查重、一客一主）", usage=LEAD_USAGE, spaced=True)
async def new_lead(event: Event, ctx: Context) -> Reply:
    """Create a lead owned by the rep; a duplicate or someone else's customer says so."""
    parsed = parse_new_lead(event.text)
    if isinstance(parsed, str):
        return Reply(card=notice_card("线索还差点信息", parsed, Level.WARNING, items=[f"格式：{LEAD_USAGE}"]))
    done = await lead_entry.enter(ctx, parsed)
    if done.lead is None or done.refusal:
        title = "这条线索已经有了" if done.lead is not None else "不能录入这条线索"
        return Reply(card=notice_card(title, done.refusal, Level.WARNING))
    return Reply(card=lead_card(await view(ctx, done.lead), "已录入线索："))


@router.command("客户", "customer", summary="看或更新客户资料（行业、地区、联系人、手机）", usage=CUSTOMER_USAGE,
                spaced=True)
async def customer(event: Event, ctx: Context) -> Reply:
    """Show the customer's fields, or update the ones given."""
    parsed = parse_customer_fields(event.text)
    if isinstance(parsed, str):
        return Reply(card=notice_card("客户资料没看懂", parsed, Level.WARNING, items=[f"格式：{CUSTOMER_USAGE}"]))
    name, fields = parsed
    found = await lead_targets.customers(ctx, name)
    if not found:
        text = f"没有叫“{name}”的客户。新客户先发：{LEAD_USAGE}"
        return Reply(card=notice_card("没找到这个客户", text, Level.WARNING))
    target = found[0]
    if fields:
        if not await may_act(ctx.member, target.owner_id, ctx):
            text = "只有负责人、负责人的主管或管理员能改客户资料。"
            return Reply(card=notice_card("不能改这个客户", text, Level.WARNING))
        changed = await customer_update.update(ctx, target, fields)
        prefix = f"已更新{'、'.join(LABELS[c] for c in changed)}：" if changed else "没有变化："
        return Reply(card=await _card(ctx, target, prefix))
    return Reply(card=await _card(ctx, target, "客户："))


async def _card(ctx: Context, c: Customer, prefix: str):
    """The customer's fields in one glance, and how to change them."""
    owner = await members_repo.get(ctx.session, c.owner_id) if c.owner_id else None
    contacts = await leads_repo.contacts_of(ctx.session, c.id)
    people = [f"{x.name or '—'} {mask_mobile(x.mobile) if x.mobile else ''}".strip() for x in contacts[:5]]
    card = notice_card(f"{prefix}{c.name}", "", Level.SUCCESS if prefix.startswith("已更新") else Level.INFO)
    card.sections = [Section(fields=[Field("负责人", owner.name if owner else "公海"), Field("行业", c.industry or "—"),
                                     Field("地区", c.region or "—"), Field("等级", c.grade or "未评级")]),
                     Section(title="联系人", items=people or ["还没有联系人"])]
    card.footer = f"改资料：{CUSTOMER_USAGE}"
    return card
