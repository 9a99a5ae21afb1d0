"""Opportunities in chat: 新建商机, 卡在哪, 凭证, 推进, 跟进 and their card buttons."""

from __future__ import annotations

from bot.context import Context
from bot.errors import NotAllowed
from bot.events import Event, Reply
from bot.routing import Router
from cards.actions import AdvanceStage, AskEvidence, ShowOpportunity
from cards.model import Level
from cards.views import OpportunityView, notice_card, opportunity_card
from sales import stages
from sales.names import normalize_company
from sales.parsing import Budget, format_budget, parse_new_opportunity
from storage.models import Customer, Evidence, Opportunity
from storage.repos import members as members_repo
from storage.repos import opportunities as repo

router = Router("opportunities", feature="opportunities")
USAGE = "新建商机 <客户> [预算 <金额>] [行业 <行业>] [需求 <文本>]"


@router.command("新建商机", "new", summary="建一个商机，绑定到这个群", usage=USAGE)
async def create(event: Event, ctx: Context) -> Reply:
    """Create the customer (if new) and an opportunity bound to this chat; answer with its card."""
    parsed = parse_new_opportunity(event.text)
    if parsed is None:
        example = "例：新建商机 华东医疗 预算50万 需求 影像设备"
        return Reply(card=notice_card("还差客户名", f"这样说：{USAGE}", items=[example]))
    customer = await _customer(ctx, parsed.customer, parsed.industry)
    existing = await repo.open_for_customer(ctx.session, customer.id)
    if existing:
        return Reply(card=opportunity_card(await view_of(ctx, existing), "已有商机："))
    now = ctx.now()
    chat = event.chat
    opp = await repo.add(ctx.session, Opportunity(
        customer_id=customer.id, owner_id=customer.owner_id, stage="needs", stage_entered_at=now,
        chat_platform=chat.platform if chat else None, chat_id=chat.chat_id if chat else None,
        budget_text=parsed.budget.text, budget_low=parsed.budget.low, budget_high=parsed.budget.high,
        need=parsed.need, created_at=now))
    await repo.log_interaction(ctx.session, customer.id, ctx.member.id, "opportunity", parsed.need, now)
    return Reply(card=opportunity_card(await view_of(ctx, opp), "新商机："))


async def _customer(ctx: Context, name: str, industry: str) -> Customer:
    """Find the customer by normalized name or create it owned by the actor (one customer, one owner)."""
    normalized = normalize_company(name)
    customer = await repo.customer_by_normalized(ctx.session, normalized)
    if customer is None:
        return await repo.add(ctx.session, Customer(name=name, normalized_name=normalized, industry=industry,
                                                    owner_id=ctx.member.id, created_at=ctx.now()))
    if customer.owner_id not in (None, ctx.member.id) and ctx.member.role == "rep":
        owner = await members_repo.get(ctx.session, customer.owner_id)
        raise NotAllowed(f"{customer.name} 已由 {owner.name if owner else '其他同事'} 负责（一个客户只有一个负责人）。"
                         "需要协作请找你的主管。")
    return customer


async def view_of(ctx: Context, opp: Opportunity) -> OpportunityView:
    """Compute what the opportunity card shows."""
    customer = await repo.get_customer(ctx.session, opp.customer_id)
    owner = await members_repo.get(ctx.session, opp.owner_id) if opp.owner_id else None
    budget = format_budget(Budget(opp.budget_text, opp.budget_low, opp.budget_high))
    if opp.status != "open":
        return OpportunityView(opp.id, customer.name, owner.name if owner else "未分配", stages.stage_name(opp.status),
                               budget, opp.need, "已结束", [], [], "这单已经结束了")
    evidence = await repo.evidence_of(ctx.session, opp.id, opp.stage)
    missing = stages.missing_evidence(opp.stage, [e.kind for e in evidence])
    days = max(0, (ctx.now() - opp.stage_entered_at).days)
    stage = stages.stage(opp.stage)
    step = (f"补上{'、'.join(missing)}，发“凭证 链接或说明”" if missing
            else f"凭证齐了，点“推进到下一阶段”。{stage.next_step}")
    return OpportunityView(opp.id, customer.name, owner.name if owner else "未分配", stage.name, budget, opp.need,
                           stages.days_in_stage_label(days, opp.stage), missing,
                           [f"{e.kind}：{e.content[:60]}" for e in evidence], step,
                           overdue=days > stage.benchmark_days)


async def _find(event: Event, ctx: Context, customer_name: str = "") -> Opportunity | None:
    """Pick the opportunity a message means: named customer, else this chat's, else my latest."""
    if customer_name:
        customer = await repo.customer_by_normalized(ctx.session, normalize_company(customer_name))
        return await repo.open_for_customer(ctx.session, customer.id) if customer else None
    if event.chat:
        opp = await repo.latest_in_chat(ctx.session, event.chat.platform, event.chat.chat_id)
        if opp:
            return opp
    return await repo.latest_of_owner(ctx.session, ctx.member.id)


def _not_found(name: str = "") -> Reply:
    what = f"没找到“{name}”的进行中商机。" if name else "这个群还没有绑定商机。"
    return Reply(card=notice_card("没找到商机", what + "先发：新建商机 客户名", Level.WARNING))


@router.command("卡在哪", "进度", "status", summary="看客户现在卡在哪、还缺什么、下一步", usage="卡在哪 [客户]")
async def status(event: Event, ctx: Context) -> Reply:
    """Show the opportunity card."""
    opp = await _find(event, ctx, event.text)
    return Reply(card=opportunity_card(await view_of(ctx, opp))) if opp else _not_found(event.text)


@router.command("凭证", "evidence", summary="给当前阶段补凭证（链接或说明）", usage="凭证 <链接或说明>")
async def add_evidence(event: Event, ctx: Context) -> Reply:
    """Attach evidence to the current stage of this chat's opportunity."""
    if not event.text:
        return Reply(card=notice_card("凭证写什么？", "这样说：凭证 会议纪要链接或一句说明"))
    opp = await _find(event, ctx)
    if opp is None:
        return _not_found()
    _check_may_change(ctx, opp)
    evidence = await repo.evidence_of(ctx.session, opp.id, opp.stage)
    missing = stages.missing_evidence(opp.stage, [e.kind for e in evidence])
    kind = missing[0] if missing else "补充材料"
    await repo.add(ctx.session, Evidence(opportunity_id=opp.id, stage=opp.stage, kind=kind, content=event.text,
                                         member_id=ctx.member.id, created_at=ctx.now()))
    return Reply(card=opportunity_card(await view_of(ctx, opp), f"已记下{kind}："))


@router.command("推进", "advance", summary="凭证齐了就进入下一阶段", usage="推进 [客户]")
async def advance(event: Event, ctx: Context) -> Reply:
    """Advance the opportunity if the current stage's evidence is complete."""
    opp = await _find(event, ctx, event.text)
    return await _advance(ctx, opp) if opp else _not_found(event.text)


@router.action(AdvanceStage)
async def click_advance(event: Event, ctx: Context) -> Reply:
    """The 推进 button."""
    opp = await repo.get(ctx.session, event.action.opportunity_id)
    return await _advance(ctx, opp) if opp else _not_found()


async def _advance(ctx: Context, opp: Opportunity) -> Reply:
    _check_may_change(ctx, opp)
    evidence = await repo.evidence_of(ctx.session, opp.id, opp.stage)
    missing = stages.missing_evidence(opp.stage, [e.kind for e in evidence])
    if missing:
        return Reply(card=notice_card("还不能推进", f"“{stages.stage_name(opp.stage)}”还缺这些凭证：", Level.WARNING,
                                      items=missing, buttons=opportunity_card(await view_of(ctx, opp)).buttons[:1]))
    nxt = stages.next_stage(opp.stage)
    if nxt is None:
        return Reply(card=notice_card("已在最后一个阶段", "报价反馈之后请标记赢单或输单（即将上线）。"))
    opp.stage, opp.stage_entered_at = nxt.key, ctx.now()
    await ctx.session.flush()
    return Reply(card=opportunity_card(await view_of(ctx, opp), f"已推进到{nxt.name}："))


@router.action(ShowOpportunity)
async def click_show(event: Event, ctx: Context) -> Reply:
    """The 刷新 button."""
    opp = await repo.get(ctx.session, event.action.opportunity_id)
    return Reply(card=opportunity_card(await view_of(ctx, opp))) if opp else _not_found()


@router.action(AskEvidence)
async def click_evidence(event: Event, ctx: Context) -> Reply:
    """The 补凭证 button: say exactly what to send."""
    opp = await repo.get(ctx.session, event.action.opportunity_id)
    if opp is None:
        return _not_found()
    view = await view_of(ctx, opp)
    return Reply(card=notice_card("怎么补凭证", "在群里 @我 发：凭证 <链接或一句说明>，也可以直接发图片或文件。",
                                  items=[f"还缺：{m}" for m in view.missing]))


@router.command("跟进", "log", summary="记一笔跟进（算作首次响应）", usage="跟进 <内容>")
async def log_followup(event: Event, ctx: Context) -> Reply:
    """Record a follow-up with this chat's customer."""
    opp = await _find(event, ctx)
    if opp is None:
        return _not_found()
    if not event.text:
        return Reply(card=notice_card("跟进写什么？", "这样说：跟进 今天电话沟通了预算，下周演示"))
    await repo.log_interaction(ctx.session, opp.customer_id, ctx.member.id, "followup", event.text, ctx.now())
    return Reply(card=notice_card("已记下跟进", event.text[:200], Level.SUCCESS))


def _check_may_change(ctx: Context, opp: Opportunity) -> None:
    """Only the owner, a manager or an admin may change an opportunity."""
    if ctx.member.role == "rep" and opp.owner_id not in (None, ctx.member.id):
        raise NotAllowed("这单不是你负责的，只有负责人或主管能改。")
