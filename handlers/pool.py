"""The pool (公海) in chat: `公海` lists what I may claim, `领取 <客户或编号>`, `放弃 <客户> <原因>`."""

from __future__ import annotations

from bot.core.actions import ClaimFromPool
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card
from cards.views.pool import pool_card
from flows import lead_targets
from flows import pool as flow
from sales.pushtime import day_bounds
from storage.models import Customer
from storage.repos import leads as leads_repo
from storage.repos import opportunities as opp_repo
from storage.repos import pool as repo

router = Router("pool")


@router.command("公海", "pool", summary="看公海里可以领取的客户和线索", spaced=True)
async def show_pool(msg: Message, ctx: Context) -> Reply:
    """List the pool, newest first, with my limits."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    tz, cfg = ctx.settings.tz, ctx.settings.pool
    items = [(ref, label, at.astimezone(tz).strftime("%m-%d") if at else "")
             for ref, label, at in await repo.listing(ctx.session)]
    today, owned, _ = await repo.claim_facts(ctx.session, ctx.member.id, None, day_bounds(ctx.now(), tz)[0], ctx.now())
    limits = (f"今天还能领 {max(cfg.max_claims_per_day - today, 0)} 个（每天 {cfg.max_claims_per_day} 个）；"
              f"名下客户 {owned}/{cfg.max_owned_per_rep}")
    return Reply(card=pool_card(items, limits))


@router.command("领取", "claim", summary="从公海领取一个客户或线索", usage="领取 <客户或编号>", spaced=True)
async def claim(msg: Message, ctx: Context) -> Reply:
    """Claim by customer name or lead number."""
    word, _ = lead_targets.split_target(msg.text)
    if not word:
        return Reply(card=notice_card("领取哪一个？", "这样说：领取 华东医疗，或 领取 #12（发“公海”看编号）"))
    return await _claim(ctx, await _customer_of(ctx, word), word)


@router.action(ClaimFromPool)
async def click_claim(click: CardClick[ClaimFromPool], ctx: Context) -> Reply:
    """A 领取 button of the pool card."""
    kind, _, ident = click.action.ref.partition(":")
    word = f"#{ident}" if kind == "lead" else ident
    customer = await ctx.session.get(Customer, int(ident)) if kind == "customer" else await _customer_of(ctx, word)
    return await _claim(ctx, customer, word)


async def _claim(ctx: Context, customer: Customer | None, word: str) -> Reply:
    if customer is None:
        return Reply(card=notice_card("公海里没有这个", f"没找到“{word}”。发“公海”看看能领哪些。", Level.WARNING))
    out = await flow.claim(ctx, customer)
    title = f"领取成功：{out.name}" if out.ok else f"领取不了：{out.name}"
    return Reply(card=notice_card(title, out.text, Level.SUCCESS if out.ok else Level.WARNING))


@router.command("放弃", "release", summary="把客户放回公海（写明原因）", usage="放弃 <客户> <原因>", spaced=True)
async def release(msg: Message, ctx: Context) -> Reply:
    """Give my customer back to the pool with a reason."""
    word, reason = lead_targets.split_target(msg.text)
    if not word or not reason:
        return Reply(card=notice_card("放弃要写客户和原因", "这样说：放弃 华东医疗 预算取消，明年再看", Level.WARNING))
    customer = await _customer_of(ctx, word)
    if customer is None:
        return Reply(card=notice_card("没找到这个客户", f"没找到“{word}”。", Level.WARNING))
    has_deal = await opp_repo.open_for_customer(ctx.session, customer.id) is not None
    out = await flow.release(ctx, customer, reason, has_deal)
    title = f"已放回公海：{out.name}" if out.ok else f"放弃不了：{out.name}"
    return Reply(card=notice_card(title, out.text, Level.SUCCESS if out.ok else Level.WARNING))


async def _customer_of(ctx: Context, word: str) -> Customer | None:
    """A customer by name, or the customer of lead #N."""
    ident = word.lstrip("#＃")
    if ident.isdigit():
        lead = await leads_repo.get(ctx.session, int(ident))
        return await ctx.session.get(Customer, lead.customer_id) if lead and lead.customer_id else None
    found = await lead_targets.customers(ctx, word)
    return found[0] if found else None
