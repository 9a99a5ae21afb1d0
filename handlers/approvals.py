"""Quote approvals: the in-chat manager card, 同意/驳回, and `approval` events from DingTalk OA / Feishu.

Entering the approval stage (config `[opportunities] approval_stage`) with a discount over the threshold,
or always, opens an Approval and posts the approval card in the chat. On a platform that runs approvals in
its own app (DingTalk OA, Feishu approval: it registers a `create_approval` task handler) a task creates the
instance instead and records it with storage.repos.approvals.attach_instance; the result comes back as a new
inbox fact, Event(kind="approval") carrying bot/core/facts.ApprovalDecided.
"""

from __future__ import annotations

import logging

from bot.core.actions import DecideApproval
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import ChatRef, Reply
from bot.core.facts import ApprovalDecided
from bot.core.inbound import CardClick, Message
from bot.core.links import customer_link
from bot.core.routing import Router
from cards.views import ApprovalView, approval_card, approval_decided_card, notice_card, opportunity_card
from flows.targets import personal_chats
from handlers.opp_common import find, move, not_found, owner_of, person, pipeline
from handlers.opp_view import view_of
from sales.approvals import format_discount
from sales.opportunity_access import NOT_YOURS, approval_refusal
from sales.parsing import Budget, format_budget, format_yuan
from storage.models import Approval, Opportunity
from storage.repos import approvals as repo
from storage.repos import members as members_repo
from storage.repos import opportunities as opp_repo

router = Router("approvals", feature="opportunities")
log = logging.getLogger("salesbot.approvals")


async def start(ctx: Context, opp: Opportunity, to_stage: str, reason: str) -> None:
    """Open an approval for entering to_stage, tell the rep, then post the manager's card (in that order)."""
    assert ctx.member is not None  # 推进 is a command or click: dispatch found the member
    chat = ctx.event.chat if ctx.event else None
    approval = await repo.add(ctx.session, Approval(
        opportunity_id=opp.id, requested_by=ctx.member.id, from_stage=opp.stage, to_stage=to_stage,
        amount=opp.amount, discount=opp.discount, reason=reason, platform=chat.platform if chat else "",
        chat_id=chat.chat_id if chat else "", created_at=ctx.now()))
    customer = await opp_repo.get_customer(ctx.session, opp.customer_id)
    assert customer is not None  # customer_id is a foreign key
    view = ApprovalView(approval.id, opp.id, customer.name, ctx.member.name, pipeline(ctx).stage_name(to_stage),
                        format_yuan(opp.amount), format_discount(opp.discount), reason,
                        format_budget(Budget(opp.budget_text, opp.budget_low, opp.budget_high)))
    await ctx.reply(Reply(card=opportunity_card(await view_of(ctx, opp), "已提交报价审批：")))
    if ctx.tasks.runs("create_approval", approval.platform):  # decided in the platform's app; the result is an event
        payload = {"approval_id": approval.id, "form": await _form(ctx, view, opp.customer_id)}
        await ctx.tasks.add("create_approval", approval.platform, f"approval_create:{approval.id}", payload)
        return
    if chat is not None:
        await ctx.outbox.send(chat, approval_card(view), f"approval:{approval.id}:card")


async def _form(ctx: Context, view: ApprovalView, customer_id: int) -> dict:
    """What a platform approval form shows (with the signed customer page), plus who asks (their platform id)."""
    assert ctx.member is not None  # see start()
    ids = await members_repo.identities_of(ctx.session, [ctx.member.id])
    platform = ctx.event.chat.platform if ctx.event and ctx.event.chat else ""
    return {"customer": view.customer, "requester": view.requester, "stage": view.to_stage, "amount": view.amount,
            "discount": view.discount, "reason": view.reason, "budget": view.budget,
            "customer_url": customer_link(ctx.settings, customer_id, ctx.now()),
            "originator_user_id": ids.get(ctx.member.id, {}).get(platform, "")}


@router.action(DecideApproval)
async def click_decide(click: CardClick[DecideApproval], ctx: Context) -> Reply:
    """同意 / 驳回 buttons of the approval card."""
    assert ctx.member is not None  # dispatch: a click reaches its handler only with a member
    approval = await repo.get(ctx.session, click.action.approval_id)
    if approval is None:
        return Reply(card=notice_card("没找到这个审批", "卡片可能太旧了，发“卡在哪”看最新进度。", Level.WARNING))
    was_pending = approval.status == "pending"
    reply = await _decide(ctx, approval, click.action.approve, click.action.remark)
    await ctx.session.refresh(approval)
    # the clicked card loses its live buttons on every platform that can update a card
    if was_pending and approval.status != "pending":
        opp = await opp_repo.get(ctx.session, approval.opportunity_id)
        assert opp is not None  # an approval's deal is a foreign key
        view = await view_of(ctx, opp)
        await ctx.reply(Reply(card=approval_decided_card(approval.id, view.customer, approval.status == "approved",
                                                         ctx.member.name, approval.remark), update=True))
    return reply


@router.command("同意", "approve", summary="（主管）同意这个群商机的报价审批", usage="同意 [备注]",
                roles=("manager", "admin"))
async def approve(msg: Message, ctx: Context) -> Reply:
    """Approve the pending quote of this chat's opportunity, with an optional remark."""
    return await _decide_in_chat(msg, ctx, True)


@router.command("驳回", "reject", summary="（主管）驳回报价审批，写上原因", usage="驳回 <原因>",
                roles=("manager", "admin"))
async def reject(msg: Message, ctx: Context) -> Reply:
    """Reject the pending quote of this chat's opportunity; the reason goes back to the rep."""
    return await _decide_in_chat(msg, ctx, False)


async def _decide_in_chat(msg: Message, ctx: Context, approve_it: bool) -> Reply:
    opp = await find(msg, ctx)
    approval = await repo.pending_for(ctx.session, opp.id) if opp else None
    if approval is None:
        return not_found() if opp is None else Reply(card=notice_card("没有待审批的报价", "这个商机没有等审批的报价。"))
    return await _decide(ctx, approval, approve_it, msg.text)


async def _decide(ctx: Context, approval: Approval, approve_it: bool, remark: str) -> Reply:
    """Check who decides, record the decision once, then advance or return the opportunity."""
    opp = await opp_repo.get(ctx.session, approval.opportunity_id)
    assert opp is not None  # an approval's deal is a foreign key
    actor = person(ctx.member)  # None for a platform result whose approver is no member
    if actor is None:
        raise NotAllowed(NOT_YOURS)
    refusal = approval_refusal(actor, person(await owner_of(ctx, opp)), approval.requested_by)
    if refusal:
        raise NotAllowed(refusal)
    if approval.status != "pending":
        word = "同意" if approval.status == "approved" else "驳回"
        return Reply(card=notice_card("这个审批已经处理过了", f"结果：{word}。{approval.remark}"))
    if not approve_it and not remark:
        return Reply(card=notice_card("驳回要写原因", "发：驳回 <原因>，例：驳回 折扣超过底线，先争取 9 折",
                                      Level.WARNING))
    status = "approved" if approve_it else "rejected"
    if not await repo.decide(ctx.session, approval.id, status, actor.id, remark, ctx.now()):
        return Reply(card=notice_card("这个审批已经处理过了", "别人刚刚处理了它，发“卡在哪”看最新进度。"))
    if approve_it:
        await move(ctx, opp, approval.to_stage, "approval", remark)
    title = "报价已同意：" if approve_it else "报价被退回："
    return Reply(card=opportunity_card(await view_of(ctx, opp), title))


@router.on(ApprovalDecided)
async def approval_result(decided: ApprovalDecided, ctx: Context) -> None:
    """A DingTalk OA / Feishu approval finished: apply it and tell the opportunity's chat."""
    approval = await repo.find(ctx.session, decided.platform, decided.approval_id)
    if approval is None:
        log.warning("approval event ignored: unknown approval",
                    extra={"platform": decided.platform, "dedupe_key": decided.dedupe_key})
        return None
    chat = ChatRef(approval.platform, approval.chat_id, True) if approval.chat_id else decided.chat
    approved = decided.result == "approved"
    remark = decided.remark or ("审批流已通过" if approved else "审批流驳回（未写原因）")
    was_pending = approval.status == "pending"
    try:
        reply = await _decide(ctx, approval, approved, remark)
    except NotAllowed:
        reply = Reply(card=notice_card("审批结果没有生效", "审批人不是负责人的主管或管理员（或账号还没关联），"
                                       "请管理员检查审批流程的审批人。", Level.WARNING))
    if chat is not None:
        reply.to = chat
        await ctx.reply(reply)
    await ctx.session.refresh(approval)
    if was_pending and approval.status != "pending":  # applied by this decided: a repeat tells no one twice
        await _tell_rep_and_manager(ctx, approval, reply)
    return None


async def _tell_rep_and_manager(ctx: Context, approval: Approval, reply: Reply) -> None:
    """Send the result to the rep's and the manager's own chats too: a busy group buries it."""
    opp = await opp_repo.get(ctx.session, approval.opportunity_id)
    assert opp is not None  # an approval's deal is a foreign key
    owner = await owner_of(ctx, opp)
    manager = (owner.manager_id if owner else None) or approval.decided_by
    ids = [m for m in (approval.requested_by, manager) if m is not None]
    personal = await personal_chats(ctx.session, ctx.settings, ids)
    for member_id, to in personal.chats.items():
        if (to.platform, to.chat_id) != (approval.platform, approval.chat_id):  # that chat has it already
            await ctx.outbox.send(to, reply.card, f"approval:{approval.id}:result:{member_id}", reply.text)
    if personal.unreachable:
        log.warning("approval result not sent personally: no chat for these members",
                    extra={"approval": approval.id, "members": personal.unreachable})
