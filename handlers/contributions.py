"""Contributions that earn points: 话术 投稿 (a manager approves it into the library) and 竞品 <客户> <竞品>."""

from __future__ import annotations

import re

from bot.core.actions import DecideSubmission
from bot.core.cards import Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card, submission_card
from flows.targets import personal_chats
from sales.names import normalize_company
from storage.models import ScriptSubmission
from storage.repos import contributions as contrib
from storage.repos import opportunities as opp_repo
from storage.repos import points
from storage.repos import scorecards as sc

router = Router("contributions", feature="scorecards")
MANAGERS = ("manager", "admin")
_SPLIT = re.compile(r"[：:]")
MAX_COMPETITOR = 60


@router.command("话术 投稿", "话术投稿", "投稿", "submit-script", summary="投稿一条好用的话术，主管审核后进话术库",
                usage="话术 投稿 <标题>：<内容>")
async def submit(msg: Message, ctx: Context) -> Reply:
    """Store the script as pending and send it to the manager's review."""
    parts = [p.strip() for p in _SPLIT.split(msg.text.strip(), maxsplit=1)]
    title, text = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    if len(text) < 10:
        example = "这样发：话术 投稿 价格异议：我们按效果付费，第一个月不满意全额退"
        return Reply(card=notice_card("话术写完整一点", example))
    title = (title or text[:20])[:120]
    assert ctx.member is not None  # a command or click: dispatch found the member
    sid = await contrib.submit(ctx.session, ctx.member.id, title, text[:4000], ctx.now())
    rep = next(iter(await sc.reps(ctx.session, ids=[ctx.member.id])), None)
    boss = rep.manager_id if rep else ctx.member.manager_id
    chat = (await personal_chats(ctx.session, ctx.settings, [boss])).chats.get(boss) if boss else None
    if chat:
        await ctx.outbox.send(chat, submission_card(sid, ctx.member.name, title, text), f"submission:{sid}")
    return Reply(card=notice_card("投稿已提交", f"#{sid} {title}：主管审核通过后进入话术库，你会得到贡献值；"
                                  "同事每采用一次，你还会再得分。", Level.SUCCESS))


@router.command("投稿审核", "submissions", summary="（主管）待审核的话术投稿", roles=MANAGERS)
async def review(msg: Message, ctx: Context) -> Reply:
    """Show the oldest pending submission with its buttons, and how many wait."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    rows = await contrib.pending_submissions(ctx.session, None if ctx.member.role == "admin" else ctx.member.team_id)
    if not rows:
        return Reply(card=notice_card("没有待审核的投稿", "成员发“话术 投稿 …”后会出现在这里。"))
    sub, who = rows[0]
    card = submission_card(sub.id, who, sub.title, sub.text)
    card.subtitle = f"待审核 {len(rows)} 条"
    return Reply(card=card)


@router.command("通过投稿", "approve-script", usage="通过投稿 <编号>", roles=MANAGERS)
async def approve(msg: Message, ctx: Context) -> Reply:
    """通过投稿 4."""
    return await _decide(ctx, msg.text.strip(), True)


@router.command("驳回投稿", "reject-script", usage="驳回投稿 <编号>", roles=MANAGERS)
async def reject(msg: Message, ctx: Context) -> Reply:
    """驳回投稿 4."""
    return await _decide(ctx, msg.text.strip(), False)


@router.action(DecideSubmission, roles=MANAGERS)
async def click(click: CardClick[DecideSubmission], ctx: Context) -> Reply:
    """The 收入话术库 / 不收录 buttons."""
    return await _decide(ctx, str(click.action.submission_id), click.action.approve)


async def _decide(ctx: Context, raw: str, approve: bool) -> Reply:
    assert ctx.member is not None  # a command or click: dispatch found the member
    mine = {s.id for s, _ in await contrib.pending_submissions(
        ctx.session, None if ctx.member.role == "admin" else ctx.member.team_id)}
    if raw.isdigit() and int(raw) not in mine and await contrib.is_pending(ctx.session, ScriptSubmission, int(raw)):
        raise NotAllowed("这条投稿不是你团队的：只有投稿人所在团队的主管或管理员能审核。")
    if not raw.isdigit() or int(raw) not in mine:
        return Reply(card=notice_card("找不到这条投稿", "它可能已经审核过，或不是你团队的。发“投稿审核”看待办。"))
    sub = await contrib.decide_submission(ctx.session, int(raw), approve, ctx.member.id, ctx.now())
    if sub is None:
        return Reply(card=notice_card("这条投稿已经审核过了", "不用再操作。"))
    if approve:
        await points.add(ctx.session, sub.member_id, "script_approved",
                         ctx.settings.scorecard.points.get("script_approved", 0), f"sub:{sub.id}",
                         f"话术投稿入库：{sub.title}", ctx.now())
    word = "已收入话术库" if approve else "未收录"
    return Reply(card=notice_card(f"投稿 #{sub.id} {word}", sub.title, Level.SUCCESS), update=True)


@router.command("竞品", "competitor", summary="标记客户在看的竞品（记贡献值）", usage="竞品 <客户> <竞品>")
async def competitor(msg: Message, ctx: Context) -> Reply:
    """竞品 华东医疗 某某CRM: store the tag once and award the points."""
    customer_name, _, rival = msg.text.strip().partition(" ")
    rival = rival.strip()[:MAX_COMPETITOR]
    if not customer_name or not rival:
        return Reply(card=notice_card("标记哪个竞品？", "这样发：竞品 华东医疗 某某CRM"))
    customer = await opp_repo.customer_by_normalized(ctx.session, normalize_company(customer_name))
    if customer is None:
        return Reply(card=notice_card("没找到这个客户", f"没有叫“{customer_name}”的客户，检查一下名字。",
                                      Level.WARNING))
    assert ctx.member is not None  # a command or click: dispatch found the member
    tag = await points.add_tag(ctx.session, customer.id, rival, ctx.member.id, ctx.now())
    tags = "、".join(await points.tags(ctx.session, customer.id))
    if tag is None:
        return Reply(card=notice_card("已经标记过", f"{customer.name} 的竞品：{tags}"))
    await points.add(ctx.session, ctx.member.id, "competitor_tag",
                     ctx.settings.scorecard.points.get("competitor_tag", 0), f"comp:{tag}",
                     f"标记竞品：{customer.name} / {rival}", ctx.now())
    return Reply(card=notice_card("竞品已标记", f"{customer.name} 的竞品：{tags}", Level.SUCCESS))
