"""过程贡献值: 积分 (ledger, team leaderboard, what I can redeem), 兑换, and the manager's approval of redemptions."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import DecideRedemption
from bot.core.cards import Card, Level
from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import notice_card, points_card, redemption_card
from flows.targets import personal_chats
from storage.models import Redemption
from storage.repos import contributions as contrib
from storage.repos import points
from storage.repos import scorecards as sc

router = Router("points", feature="scorecards")
MANAGERS = ("manager", "admin")


def month_start(now: datetime, tz) -> datetime:
    """Return the org-local first of this month."""
    return now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _items(ctx: Context) -> list[tuple[str, int]]:
    return [(str(i["name"]), int(i["points"])) for i in ctx.settings.scorecard.items]


@router.command("积分", "贡献值", "points", summary="我的过程贡献值、团队排行和可兑换的奖励")
async def show(msg: Message, ctx: Context) -> Reply:
    """Award what history earned, then show my balance, latest lines, the team board and the items."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    await points.award_history(ctx.session, ctx.settings.scorecard.points)
    total, held = await points.balance(ctx.session, ctx.member.id)
    tz = ctx.settings.tz
    lines = [f"{e.at.astimezone(tz):%m-%d} {e.note or e.kind}：{e.points:+d}"
             for e in await points.ledger(ctx.session, ctx.member.id) if e.at is not None]  # stamped when written
    board = await points.leaderboard(ctx.session, ctx.member.team_id, month_start(ctx.now(), tz))
    return Reply(card=points_card(total, held, lines, board, _items(ctx)))


@router.command("兑换", "redeem", summary="用贡献值兑换奖励（主管审批）", usage="兑换 <奖励名称>")
async def redeem(msg: Message, ctx: Context) -> Reply:
    """Ask to redeem an item: checked against the available balance, sent to the manager for approval."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    items = dict(_items(ctx))
    name = msg.text.strip()
    if name not in items:
        offer = "、".join(f"{n}（{p} 分）" for n, p in items.items()) or "管理员还没有配置可兑换的奖励"
        return Reply(card=notice_card("兑换什么？", f"发“兑换 <名称>”。可兑换：{offer}"))
    total, held = await points.balance(ctx.session, ctx.member.id)
    if total - held < items[name]:
        return Reply(card=notice_card("积分还不够", f"{name} 需要 {items[name]} 分，你可用 {total - held} 分。",
                                      Level.WARNING))
    rid = await contrib.request_redemption(ctx.session, ctx.member.id, name, items[name], ctx.now())
    rep = next(iter(await sc.reps(ctx.session, ids=[ctx.member.id])), None)
    sent = await _to_member(ctx, rep.manager_id if rep else ctx.member.manager_id, f"redeem:{rid}",
                             redemption_card(rid, ctx.member.name, name, items[name], total - held))
    who = "已发给主管审批" if sent else "主管还没有绑定账号，请提醒主管发“兑换审批”"
    return Reply(card=notice_card("兑换申请已提交", f"{name}（{items[name]} 分），{who}。", Level.SUCCESS))


async def _to_member(ctx: Context, manager_id: int | None, key: str, card: Card) -> bool:
    chat = (await personal_chats(ctx.session, ctx.settings, [manager_id])).chats.get(manager_id) if manager_id else None
    return chat is not None and await ctx.outbox.send(chat, card, key)


@router.command("兑换审批", "redemptions", summary="（主管）待审批的积分兑换", roles=MANAGERS)
async def pending(msg: Message, ctx: Context) -> Reply:
    """List the team's pending redemptions."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    team = None if ctx.member.role == "admin" else ctx.member.team_id
    rows = await contrib.pending_redemptions(ctx.session, team)
    if not rows:
        return Reply(card=notice_card("没有待审批的兑换", "成员发“兑换 <名称>”后会出现在这里。"))
    return Reply(card=notice_card(f"待审批的兑换（{len(rows)}）", "发“批准兑换 编号”或“驳回兑换 编号”：",
                                  items=[f"#{r.id} {n}：{r.item}（{r.points} 分）" for r, n in rows]))


@router.command("批准兑换", "approve-redeem", usage="批准兑换 <编号>", roles=MANAGERS)
async def approve(msg: Message, ctx: Context) -> Reply:
    """批准兑换 3."""
    return await _decide(ctx, msg.text.strip(), True)


@router.command("驳回兑换", "reject-redeem", usage="驳回兑换 <编号>", roles=MANAGERS)
async def reject(msg: Message, ctx: Context) -> Reply:
    """驳回兑换 3."""
    return await _decide(ctx, msg.text.strip(), False)


@router.action(DecideRedemption, roles=MANAGERS)
async def click(click: CardClick[DecideRedemption], ctx: Context) -> Reply:
    """The 批准 / 驳回 buttons of a redemption card."""
    return await _decide(ctx, str(click.action.redemption_id), click.action.approve)


async def _decide(ctx: Context, raw: str, approve: bool) -> Reply:
    assert ctx.member is not None  # a command or click: dispatch found the member
    rows = {r.id: (r, n) for r, n in await contrib.pending_redemptions(
        ctx.session, None if ctx.member.role == "admin" else ctx.member.team_id)}
    if raw.isdigit() and int(raw) not in rows and await contrib.is_pending(ctx.session, Redemption, int(raw)):
        raise NotAllowed("这笔兑换不是你团队的：只有申请人所在团队的主管或管理员能审批。")
    if not raw.isdigit() or int(raw) not in rows:
        return Reply(card=notice_card("找不到这笔兑换", "它可能已经处理过，或不是你团队的。发“兑换审批”看待办。"))
    r, who = rows[int(raw)]
    total, held = await points.balance(ctx.session, r.member_id)
    if approve and total - (held - r.points) < r.points:
        return Reply(card=notice_card("积分不足，不能批准", f"{who} 现在可用 {total - held + r.points} 分。",
                                      Level.WARNING))
    if await contrib.decide_redemption(ctx.session, r.id, approve, ctx.member.id, ctx.now()) is None:
        return Reply(card=notice_card("这笔兑换已经处理过了", "不用再操作。"))
    if approve:
        await points.add(ctx.session, r.member_id, "redeem", -r.points, f"redeem:{r.id}",
                         f"兑换 {r.item}", ctx.now())
    word = "批准" if approve else "驳回"
    await _to_member(ctx, r.member_id, f"redeem_done:{r.id}",
                      notice_card(f"兑换已{word}", f"{r.item}（{r.points} 分）已被 {ctx.member.name} {word}。"))
    return Reply(card=notice_card(f"已{word}", f"{who}：{r.item}（{r.points} 分）", Level.SUCCESS), update=True)
