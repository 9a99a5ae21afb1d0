"""Follow-ups in chat: `跟进 [客户] <内容> [下次 <日期>]`, `拜访`, `演示`, the lead card's 记跟进, "which one"."""

from __future__ import annotations

from datetime import date

from bot.core.actions import LogLeadFollowUp, PickFollowUp
from bot.core.cards import Form, Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from bot.core.vocab import InteractionKind
from cards.views import notice_card
from cards.views.lead_life import which_record_card
from flows import followups
from flows.lead_targets import may_act
from handlers import attack_offers
from sales.followups import FollowUpText, parse_followup
from storage.repos import followups as repo

router = Router("followups")
HOW = {InteractionKind.FOLLOW_UP: "跟进 [客户] <内容> [下次 <日期>]", InteractionKind.VISIT: "拜访 [客户] <内容>",
       InteractionKind.DEMO: "演示 [客户] <内容>"}


@router.command("跟进", "log", summary="记一笔跟进（算作首次响应），可约下次联系", usage=HOW[InteractionKind.FOLLOW_UP])
async def log_followup(msg: Message, ctx: Context) -> Reply:
    """Record a follow-up on the record the rep means."""
    return await _log(msg, ctx, InteractionKind.FOLLOW_UP)


@router.command("拜访", "visit", summary="记一次上门拜访", usage=HOW[InteractionKind.VISIT], spaced=True)
async def log_visit(msg: Message, ctx: Context) -> Reply:
    """Record a visit."""
    return await _log(msg, ctx, InteractionKind.VISIT)


@router.command("演示", "demo", summary="记一次产品演示", usage=HOW[InteractionKind.DEMO], spaced=True)
async def log_demo(msg: Message, ctx: Context) -> Reply:
    """Record a demo."""
    return await _log(msg, ctx, InteractionKind.DEMO)


async def _log(msg: Message, ctx: Context, kind: InteractionKind) -> Reply:
    parsed = parse_followup(msg.text, ctx.now().astimezone(ctx.settings.tz).date())
    if parsed.problem:
        return Reply(card=notice_card("下次联系的日期没看懂", parsed.problem, Level.WARNING))
    targets, note, named = await followups.resolve(ctx, msg, parsed.note)
    if not note:
        example = f"这样说：{HOW[kind]}，例：跟进 华东医疗 电话沟通了预算 下次 周三"
        return Reply(card=notice_card(f"{kind.label}写什么？", example))
    if not targets:
        return Reply(card=notice_card("没找到要记的客户", "你名下没有进行中的线索或商机。发：跟进 <客户> <内容>",
                                      Level.WARNING))
    if len(targets) > 1:
        assert ctx.member is not None  # a command or click: dispatch found the member
        draft = await repo.add_draft(ctx.session, ctx.member.id, kind.value, note,
                                     parsed.next_date.isoformat() if parsed.next_date else "", ctx.now())
        heading = "叫这个名字的客户不止一个" if named else "你有几条在跟的记录"
        return Reply(card=which_record_card(heading, [(t.label, t.ref) for t in targets], draft))
    return await _done(ctx, targets[0], kind, FollowUpText(note, parsed.next_date))


async def _done(ctx: Context, target: followups.Target, kind: InteractionKind, text: FollowUpText,
                update: bool = False) -> Reply:
    await followups.record(ctx, target, kind, text.note, text.next_date)
    nxt = [f"下次联系：{text.next_date.isoformat()}（当天会出现在今日必做里）"] if text.next_date else []
    name = target.customer.name
    done = Reply(card=notice_card(f"已记下{kind.label}：{name}", f"{name}：{text.note}"[:200], Level.SUCCESS,
                                  items=nxt), update=update)
    if target.opp is not None and kind == InteractionKind.FOLLOW_UP and ctx.settings.features.attack:
        return await attack_offers.offer_after_note(ctx, target.opp, text.note, done)
    return done


@router.action(LogLeadFollowUp)
async def click_log(click: CardClick[LogLeadFollowUp], ctx: Context) -> Reply:
    """The lead card's 记跟进: with typed text, log it on this very lead; without, ask for the text."""
    assert ctx.member is not None  # dispatch: a click reaches its handler only with a member
    target = await followups.target_of(ctx, f"lead:{click.action.lead_id}")
    if target is None or target.lead is None:  # a "lead:" ref always loads its lead
        return _gone()
    if not await may_act(ctx.member, target.lead.owner_id, ctx):
        raise NotAllowed("这条线索不是你的；只有负责人、负责人的主管或管理员能记跟进。")
    if not click.text:
        card = notice_card(f"跟进：{target.customer.name}", "写下这次跟进；要约下次就在末尾加“下次 日期”。"
                           f"也可以在聊天里发：跟进 {target.customer.name} <内容>")
        card.form = Form(click.action, "记下跟进", "例：电话沟通了预算 下次 周三")
        return Reply(card=card)
    parsed = parse_followup(click.text, ctx.now().astimezone(ctx.settings.tz).date())
    if parsed.problem or not parsed.note:
        return Reply(card=notice_card("跟进没记下", parsed.problem or "先写跟进内容", Level.WARNING))
    return await _done(ctx, target, InteractionKind.FOLLOW_UP, parsed)


@router.action(PickFollowUp)
async def click_pick(click: CardClick[PickFollowUp], ctx: Context) -> Reply:
    """A "which one" button: log the kept draft on the picked record."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    target = await followups.target_of(ctx, click.action.ref)
    if target is None:
        return _gone()
    if not await may_act(ctx.member, target.customer.owner_id, ctx):
        raise NotAllowed("这条记录不是你的；只有负责人、负责人的主管或管理员能记跟进。")
    draft = await repo.take_draft(ctx.session, click.action.draft_id, ctx.member.id, ctx.now())
    if draft is None:
        return Reply(card=notice_card("这条已经记过了", "同一条跟进只记一次。"), update=True)
    when = date.fromisoformat(draft.next_date) if draft.next_date else None
    return await _done(ctx, target, InteractionKind(draft.kind), FollowUpText(draft.text, when), update=True)


def _gone() -> Reply:
    """The record a button points at no longer exists (merged or deleted): say so, not "not yours"."""
    return Reply(card=notice_card("没找到这条记录", "它可能已被合并或删除。在聊天里发：跟进 <客户> <内容>",
                                  Level.WARNING))
