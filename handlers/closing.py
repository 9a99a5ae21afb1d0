"""Closing a deal: 赢单 / 输单 with a required reason from the configured pick-list."""

from __future__ import annotations

from bot.core.actions import AskClose, CloseOpportunity
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import close_reasons_card, notice_card, opportunity_card
from flows import orders as orders_flow
from handlers.opp_common import check_may_change, find, not_found, pipeline
from handlers.opp_view import blocked, missing_items, view_of
from sales.stages import pick_reason
from storage.models import Opportunity
from storage.repos import opportunities as repo

router = Router("closing", feature="opportunities")


@router.command("赢单", "won", summary="标记赢单（从原因列表里选）", usage="赢单 [原因]")
async def won(msg: Message, ctx: Context) -> Reply:
    """Close as won with a reason from the pick-list."""
    return await _close_command(msg, ctx, "won")


@router.command("输单", "lost", summary="标记输单（从原因列表里选）", usage="输单 <原因>")
async def lost(msg: Message, ctx: Context) -> Reply:
    """Close as lost with a reason from the pick-list."""
    return await _close_command(msg, ctx, "lost")


async def _close_command(msg: Message, ctx: Context, outcome: str) -> Reply:
    opp = await find(msg, ctx)
    if opp is None:
        return not_found()
    reason = pick_reason(msg.text, _reasons(ctx, outcome))
    return await _close(ctx, opp, outcome, reason) if reason else await close_prompt(ctx, opp, outcome, msg.text)


@router.action(AskClose)
async def click_ask_close(click: CardClick[AskClose], ctx: Context) -> Reply:
    """The 赢单/输单 buttons: show the reason pick-list (the second click closes)."""
    opp = await repo.get(ctx.session, click.action.opportunity_id)
    return await close_prompt(ctx, opp, click.action.outcome) if opp else not_found()


@router.action(CloseOpportunity)
async def click_close(click: CardClick[CloseOpportunity], ctx: Context) -> Reply:
    """A reason button of the pick-list."""
    opp = await repo.get(ctx.session, click.action.opportunity_id)
    if opp is None:
        return not_found()
    reason = pick_reason(click.action.reason, _reasons(ctx, click.action.outcome))
    if reason is None:
        return await close_prompt(ctx, opp, click.action.outcome, click.action.reason)
    return await _close(ctx, opp, click.action.outcome, reason)


def _reasons(ctx: Context, outcome: str) -> list[str]:
    cfg = ctx.settings.opportunities
    return list(cfg.won_reasons if outcome == "won" else cfg.lost_reasons)


async def close_prompt(ctx: Context, opp: Opportunity, outcome: str, heard: str = "") -> Reply:
    await check_may_change(ctx, opp)
    stop = await blocked(ctx, opp)
    if stop:
        return stop
    customer = await repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    card = close_reasons_card(opp.id, customer.name, outcome, _reasons(ctx, outcome))
    if heard:
        card.sections[0].text = f"“{heard[:30]}”不在原因列表里。" + card.sections[0].text
    return Reply(card=card)


async def _close(ctx: Context, opp: Opportunity, outcome: str, reason: str) -> Reply:
    """Close the deal; 赢单 needs the last stage with its evidence, 输单 may happen at any stage."""
    await check_may_change(ctx, opp)
    stop = await blocked(ctx, opp)
    if stop:
        return stop
    pipe = pipeline(ctx)
    if outcome == "won":
        missing = await missing_items(ctx, opp)
        if not pipe.is_last(opp.stage) or missing:
            now_at, last = pipe.stage_name(opp.stage), pipe.stages[-1].name
            items = missing if pipe.is_last(opp.stage) else [f"先推进到“{last}”（现在在“{now_at}”）"]
            customer = await repo.get_customer(ctx.session, opp.customer_id)
            assert customer is not None  # customer_id is a foreign key
            return Reply(card=notice_card(f"还不能标记赢单：{customer.name}", "赢单前还缺这些：", Level.WARNING,
                                          items=items))
    assert ctx.member is not None  # a command or click: dispatch found the member
    await repo.record_stage_change(ctx.session, opp.id, opp.stage, outcome, outcome,
                                   ctx.member.id, reason, ctx.now())
    opp.status, opp.closed_at = outcome, ctx.now()
    if outcome == "won":
        opp.won_reason = reason
        await orders_flow.record_won(ctx, opp)  # same transaction: the deal is won exactly when its order exists
    else:
        opp.lost_reason = reason
    await ctx.session.flush()
    title = "恭喜赢单：" if outcome == "won" else "已标记输单："
    return Reply(card=opportunity_card(await view_of(ctx, opp), title))
