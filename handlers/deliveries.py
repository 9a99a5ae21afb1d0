"""验收 <客户> [日期]: record that the customer accepted the first delivery (and the won card's 客户已验收 button)."""

from __future__ import annotations

from bot.core.actions import AcceptDelivery
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card
from flows import lead_targets
from flows import orders as flow
from handlers.opp_common import check_may_change, not_found
from sales.orders import parse_accept
from storage.models import Customer
from storage.repos import opportunities as opp_repo

router = Router("deliveries", feature="opportunities")
HOW = "这样说：验收 华东医疗（现在验收），或 验收 华东医疗 2026-12-01（那天验收的）"


@router.command("验收", "accept-delivery", summary="记下客户已验收首次交付（释放递延奖金、发满意度调查）",
                usage="验收 <客户> [日期]", spaced=True)
async def accept_delivery(msg: Message, ctx: Context) -> Reply:
    """Stamp the customer's oldest order awaiting acceptance with today or the day given."""
    said = parse_accept(msg.text, ctx.now().astimezone(ctx.settings.tz).date())
    if not said.customer:
        return Reply(card=notice_card("哪个客户验收了？", HOW))
    if said.problem:
        return Reply(card=notice_card(f"没有记下验收：{said.customer}", said.problem, Level.WARNING))
    found = await lead_targets.customers(ctx, said.customer)
    if len(found) != 1:
        return _which(said.customer, found)
    return _answer(await flow.accept(ctx, found[0], said.day))


@router.action(AcceptDelivery)
async def click_accept(click: CardClick[AcceptDelivery], ctx: Context) -> Reply:
    """The 客户已验收 button of a won deal's card: accepted now."""
    opp = await opp_repo.get(ctx.session, click.action.opportunity_id)
    if opp is None:
        return not_found()
    await check_may_change(ctx, opp)
    customer = await ctx.session.get(Customer, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    return _answer(await flow.accept(ctx, customer, None))


def _which(word: str, found: list[Customer]) -> Reply:
    if not found:
        return Reply(card=notice_card("没找到这个客户", f"没找到客户“{word}”。请写客户全名。" + HOW, Level.WARNING))
    names = "、".join(c.name for c in found[:6])
    return Reply(card=notice_card("是哪一个客户？", f"“{word}”对应好几个客户：{names}。请写全名再发。", Level.WARNING))


def _answer(out: flow.Accepted) -> Reply:
    if not out.ok:
        return Reply(card=notice_card(f"没找到等待验收的订单：{out.name}", out.text, Level.WARNING))
    return Reply(card=notice_card(f"客户已验收：{out.name}", out.text, Level.SUCCESS))
