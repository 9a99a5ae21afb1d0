"""Entry from the phone: `新线索 <姓名> <手机> …` and `客户 <客户> [行业 …] …`, typed or through their quick forms."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import CustomerForm, LeadForm
from bot.core.cards import Field, Level, Section
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import lead_card, notice_card
from cards.views.entry import CUSTOMER_EXAMPLE, customer_pick_card, lead_form_card, with_customer_form
from flows import customer_update, lead_entry, lead_targets
from flows.lead_targets import may_act
from flows.lead_view import view
from sales.entry import NewLeadText, parse_customer_fields, parse_new_lead
from sales.names import mask_mobile
from storage.models import Customer
from storage.repos import entry as entry_repo
from storage.repos import leads as leads_repo
from storage.repos import members as members_repo

router = Router("entry")
LEAD_USAGE = "新线索 <姓名> <手机> [公司] [需求]"
CUSTOMER_USAGE = "客户 <客户> [行业 …] [地区 …] [联系人 …] [手机 …]"
LABELS = {"industry": "行业", "region": "地区", "contact": "联系人"}


@router.command("新线索", "lead", summary="手机上录一条自己的线索（查重、一客一主）", usage=LEAD_USAGE, spaced=True)
async def new_lead(msg: Message, ctx: Context) -> Reply:
    """Create a lead owned by the rep; a duplicate or someone else's customer says so."""
    parsed = parse_new_lead(msg.text)
    if isinstance(parsed, str):  # nothing or too little typed: the quick form, with the member's defaults
        return Reply(card=_lead_form(ctx, None, parsed if msg.text.strip() else ""))
    return await _enter(ctx, parsed)


@router.action(LeadForm)
async def lead_form(click: CardClick[LeadForm], ctx: Context) -> Reply:
    """The new-lead form: a quick pick re-renders it with that default; a submit creates the lead in one go."""
    if not click.text.strip():
        return Reply(card=_lead_form(ctx, click.action), update=True)
    parsed = parse_new_lead(click.text)
    if isinstance(parsed, str):
        return Reply(card=_lead_form(ctx, click.action, parsed), update=True)
    picked = {"industry": parsed.industry or click.action.industry, "region": parsed.region or click.action.region}
    return await _enter(ctx, replace(parsed, **picked), update=True)


def _lead_form(ctx: Context, picked: LeadForm | None, problem: str = ""):
    """The form with the picked defaults, else the member's first industry and their region."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    mine, region = list(ctx.member.industries or []), ctx.member.region
    industry = picked.industry if picked else (mine[0] if mine else "")
    return lead_form_card(industry, picked.region if picked else region, mine, [region] if region else [], problem)


async def _enter(ctx: Context, parsed: NewLeadText, update: bool = False) -> Reply:
    """Create the lead (same dedupe and one-owner rules however it was typed) and answer its card."""
    done = await lead_entry.enter(ctx, parsed)
    if done.lead is None or done.refusal:
        title = "这条线索已经有了" if done.lead is not None else "不能录入这条线索"
        return Reply(card=notice_card(title, done.refusal, Level.WARNING), update=update)
    return Reply(card=lead_card(await view(ctx, done.lead), "已录入线索："), update=update)


@router.command("客户", "customer", summary="看或更新客户资料（行业、地区、联系人、手机）", usage=CUSTOMER_USAGE,
                spaced=True)
async def customer(msg: Message, ctx: Context) -> Reply:
    """Show the customer's fields, or update the ones given."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    if not msg.text.strip():  # which customer: the rep's own, most recently touched first
        return Reply(card=customer_pick_card(await entry_repo.recent_customers(ctx.session, ctx.member.id)))
    parsed = parse_customer_fields(msg.text)
    if isinstance(parsed, str):
        return Reply(card=notice_card("客户资料没看懂", parsed, Level.WARNING, items=[f"格式：{CUSTOMER_USAGE}"]))
    name, fields = parsed
    found = await lead_targets.customers(ctx, name)
    if not found:
        text = f"没有叫“{name}”的客户。新客户先发：{LEAD_USAGE}"
        return Reply(card=notice_card("没找到这个客户", text, Level.WARNING))
    return await _update(ctx, found[0], fields)


@router.action(CustomerForm)
async def customer_form(click: CardClick[CustomerForm], ctx: Context) -> Reply:
    """The customer form: a quick pick applies its value in one click; a submit applies the typed fields."""
    a = click.action
    assert isinstance(a, CustomerForm)  # the router sends only this action here
    target = await ctx.session.get(Customer, a.customer_id)
    if target is None:
        return Reply(card=notice_card("没找到这个客户", "卡片可能太旧了，再发一次“客户”。", Level.WARNING))
    picked = {k: v for k, v in (("industry", a.industry), ("region", a.region)) if v}
    if picked or not click.text.strip():
        return await _update(ctx, target, picked, update=True)
    parsed = parse_customer_fields(f"{target.name} {click.text.strip()}")
    if isinstance(parsed, str):
        return Reply(card=notice_card("客户资料没看懂", parsed, Level.WARNING, items=[f"例：{CUSTOMER_EXAMPLE}"]))
    return await _update(ctx, target, parsed[1], update=True)


async def _update(ctx: Context, target: Customer, fields: dict[str, str], update: bool = False) -> Reply:
    """Apply the fields when the member may (owner, their manager, an admin); answer the card with its form."""
    if not fields:
        return Reply(card=await _card(ctx, target, "客户："), update=update)
    assert ctx.member is not None  # a command or click: dispatch found the member
    if not await may_act(ctx.member, target.owner_id, ctx):
        raise NotAllowed("只有负责人、负责人的主管或管理员能改客户资料。")
    changed = await customer_update.update(ctx, target, fields)
    prefix = f"已更新{'、'.join(LABELS[c] for c in changed)}：" if changed else "没有变化："
    return Reply(card=await _card(ctx, target, prefix), update=update)


async def _card(ctx: Context, c: Customer, prefix: str):
    """The customer's fields in one glance, and how to change them."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    owner = await members_repo.get(ctx.session, c.owner_id) if c.owner_id else None
    contacts = await leads_repo.contacts_of(ctx.session, c.id)
    people = [f"{x.name or '—'} {mask_mobile(x.mobile) if x.mobile else ''}".strip() for x in contacts[:5]]
    card = notice_card(f"{prefix}{c.name}", "", Level.SUCCESS if prefix.startswith("已更新") else Level.INFO)
    card.sections = [Section(fields=[Field("负责人", owner.name if owner else "公海"), Field("行业", c.industry or "—"),
                                     Field("地区", c.region or "—"), Field("等级", c.grade or "未评级")]),
                     Section(title="联系人", items=people or ["还没有联系人"])]
    mine, region = list(ctx.member.industries or []), ctx.member.region
    return with_customer_form(card, c.id, c.name, c.industry, c.region, mine, [region] if region else [])
