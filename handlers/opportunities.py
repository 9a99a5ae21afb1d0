"""Opportunities in chat: 新建商机, 卡在哪, 推进, 强制推进, 报价 and their card buttons (跟进: followups.py)."""

from __future__ import annotations

from bot.core.actions import AdvanceStage, ShowOpportunity
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card, opportunity_card
from flows import lead_life
from handlers import approvals, attack_offers, closing
from handlers.opp_common import check_may_change, find, move, not_found, owner_of, person, pipeline
from handlers.opp_view import blocked, missing_items, view_of
from sales import approvals as approval_rules
from sales.names import normalize_company
from sales.opportunity_access import NOT_YOURS, may_override
from sales.parsing import parse_new_opportunity
from storage.models import Customer, Opportunity
from storage.repos import members as members_repo
from storage.repos import opportunities as repo

router = Router("opportunities", feature="opportunities")
USAGE = "新建商机 <客户> [预算 <金额>] [行业 <行业>] [需求 <文本>]"


@router.command("新建商机", "new", summary="建一个商机，绑定到这个群", usage=USAGE)
async def create(msg: Message, ctx: Context) -> Reply:
    """Create the customer (if new) and an opportunity bound to this chat; answer with its card."""
    assert ctx.member is not None  # a command: dispatch found the member
    parsed = parse_new_opportunity(msg.text)
    if parsed is None:
        example = "例：新建商机 华东医疗 预算50万 需求 影像设备"
        return Reply(card=notice_card("还差客户名", f"这样说：{USAGE}", items=[example]))
    customer, created = await _customer(ctx, parsed.customer, parsed.industry)
    # a customer created just now has no opportunity and no lead yet: nothing to look up
    existing = None if created else await repo.open_for_customer(ctx.session, customer.id)
    if existing:
        return Reply(card=opportunity_card(await view_of(ctx, existing), "已有商机："))
    now, chat = ctx.now(), msg.chat
    opp = await repo.add(ctx.session, Opportunity(
        customer_id=customer.id, owner_id=customer.owner_id, stage=pipeline(ctx).stages[0].key, stage_entered_at=now,
        chat_platform=chat.platform if chat else None, chat_id=chat.chat_id if chat else None,
        budget_text=parsed.budget.text, budget_low=parsed.budget.low, budget_high=parsed.budget.high,
        need=parsed.need, created_at=now))
    await repo.log_interaction(ctx.session, customer.id, ctx.member.id, "opportunity", parsed.need, now)
    if not created:
        await lead_life.convert_customer(ctx, customer.id, opp.id)  # the lead's clock stops; its slot is freed
    card = opportunity_card(await view_of(ctx, opp, fresh=True), "新商机：")
    return await attack_offers.new_rep_checklist(ctx, opp, Reply(card=card))


async def _customer(ctx: Context, name: str, industry: str) -> tuple[Customer, bool]:
    """Find the customer by normalized name or create it owned by the actor (one customer, one owner);
    return it and whether it was created."""
    assert ctx.member is not None  # called by `新建商机` only, which needs a member
    normalized = normalize_company(name)
    customer = await repo.customer_by_normalized(ctx.session, normalized)
    if customer is None:
        return await repo.add(ctx.session, Customer(name=name, normalized_name=normalized, industry=industry,
                                                    owner_id=ctx.member.id, created_at=ctx.now())), True
    if customer.owner_id not in (None, ctx.member.id) and ctx.member.role == "rep":
        owner = await members_repo.get(ctx.session, customer.owner_id)
        raise NotAllowed(f"{customer.name} 已由 {owner.name if owner else '其他同事'} 负责（一个客户只有一个负责人）。"
                         "需要协作请找你的主管。")
    if industry and not customer.industry:
        customer.industry = industry
    return customer, False


@router.command("卡在哪", "进度", "status", summary="看客户现在卡在哪、还缺什么、下一步", usage="卡在哪 [客户]")
async def status(msg: Message, ctx: Context) -> Reply:
    """Show the opportunity card."""
    opp = await find(msg, ctx, msg.text)
    return Reply(card=opportunity_card(await view_of(ctx, opp))) if opp else not_found(msg.text)


@router.action(ShowOpportunity)
async def click_show(click: CardClick[ShowOpportunity], ctx: Context) -> Reply:
    """The 刷新 button."""
    opp = await repo.get(ctx.session, click.action.opportunity_id)
    return Reply(card=opportunity_card(await view_of(ctx, opp))) if opp else not_found()


@router.command("推进", "advance", summary="凭证齐了就进入下一阶段，不齐就列出还缺什么", usage="推进 [客户]")
async def advance(msg: Message, ctx: Context) -> Reply | None:
    """Advance the opportunity if the current stage's evidence is complete."""
    opp = await find(msg, ctx, msg.text)
    return await _advance(ctx, opp) if opp else not_found(msg.text)


@router.action(AdvanceStage)
async def click_advance(click: CardClick[AdvanceStage], ctx: Context) -> Reply | None:
    """The 推进到下一阶段 button."""
    opp = await repo.get(ctx.session, click.action.opportunity_id)
    return await _advance(ctx, opp) if opp else not_found()


async def _advance(ctx: Context, opp: Opportunity) -> Reply | None:
    await check_may_change(ctx, opp)
    stop = await blocked(ctx, opp)
    if stop:
        return stop
    pipe, cfg = pipeline(ctx), ctx.settings.opportunities
    missing = await missing_items(ctx, opp)
    if missing:
        view = await view_of(ctx, opp)
        card = opportunity_card(view)
        return Reply(card=notice_card(f"还不能推进：{view.customer}", f"“{pipe.stage_name(opp.stage)}”还缺这些：",
                                      Level.WARNING, items=missing, buttons=card.buttons[:1]))
    nxt = pipe.next_stage(opp.stage)
    if nxt is None:
        return await closing.close_prompt(ctx, opp, "won")
    reason = approval_rules.approval_reason(cfg.approval, cfg.discount_threshold, opp.discount)
    if nxt.key == cfg.approval_stage and reason:
        await approvals.start(ctx, opp, nxt.key, reason)  # answers itself: rep card, then manager card
        return None
    await move(ctx, opp, nxt.key, "evidence")
    return Reply(card=opportunity_card(await view_of(ctx, opp), f"已推进到{nxt.name}："))


@router.command("强制推进", "override", summary="（主管）凭证不齐也推进，必须写原因", usage="强制推进 <原因>",
                roles=("manager", "admin"))
async def override(msg: Message, ctx: Context) -> Reply:
    """A manager moves the deal on without the evidence; the reason is recorded with who and when."""
    if not msg.text:
        return Reply(card=notice_card("强制推进要写原因", "这样说：强制推进 客户口头确认了需求，纪要后补",
                                      Level.WARNING))
    opp = await find(msg, ctx)
    if opp is None:
        return not_found()
    actor = person(ctx.member)
    assert actor is not None  # a command: dispatch found the member
    if not may_override(actor, person(await owner_of(ctx, opp))):
        raise NotAllowed(NOT_YOURS)
    stop = await blocked(ctx, opp)
    if stop:
        return stop
    nxt = pipeline(ctx).next_stage(opp.stage)
    if nxt is None:
        return await closing.close_prompt(ctx, opp, "won")
    await move(ctx, opp, nxt.key, "override", msg.text)
    return Reply(card=opportunity_card(await view_of(ctx, opp), f"已强制推进到{nxt.name}："))


@router.command("报价", "quote", summary="记下报价金额和折扣（折扣超线会走审批）", usage="报价 <金额> [折扣 <x%|x折>]")
async def quote(msg: Message, ctx: Context) -> Reply:
    """Record the quoted amount and discount."""
    parsed = approval_rules.parse_quote(msg.text)
    if parsed.amount is None and parsed.discount is None:
        return Reply(card=notice_card("报价写什么？", "这样说：报价 45万 折扣 15%（或 85折）", Level.WARNING))
    opp = await find(msg, ctx)
    if opp is None:
        return not_found()
    await check_may_change(ctx, opp)
    stop = await blocked(ctx, opp)
    if stop:
        return stop
    opp.amount = parsed.amount if parsed.amount is not None else opp.amount
    opp.discount = parsed.discount if parsed.discount is not None else (opp.discount or 0.0)
    await ctx.session.flush()
    return Reply(card=opportunity_card(await view_of(ctx, opp), "已记下报价："))
