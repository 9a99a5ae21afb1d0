"""今日必做 and 断点 on demand, the must-do buttons (完成 / 明天再做) and the manager's 催一下."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import MustDoDone, MustDoSnooze, NudgeOwner, ShowMustDo
from bot.core.cards import Card, Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import breakpoints_card, mustdo_card, notice_card, nudge_card
from flows.targets import personal_chats
from sales import breakpoints as bp
from sales.pushtime import day_bounds, local_day, quiet_until
from sales.reports import SNOOZE_REASON
from sales.stages import Pipeline, pipeline_from_config
from storage.repos import breakpoints as breakpoints_repo
from storage.repos import push_state
from storage.repos import pushes as repo

router = Router("pushes", feature="pushes")


def _pipeline(ctx: Context) -> Pipeline:
    return pipeline_from_config(ctx.settings.opportunities.stages)


async def mustdo_now(ctx: Context) -> Card:
    """Rank the member's must-do items now, remember them for today's report, and build the card."""
    now, member = ctx.now(), ctx.member
    assert member is not None  # a command or click: dispatch found the member
    day = local_day(now, ctx.settings.tz)
    items = (await repo.must_do(ctx.session, now, day, _pipeline(ctx), [member.id])).get(member.id, [])
    await repo.record_items(ctx.session, day, {member.id: items})
    return mustdo_card(member.name, day, items)


@router.command("今日必做", "today", summary="我今天最该做的三件事")
async def today(msg: Message, ctx: Context) -> Reply:
    """Answer with the member's must-do card."""
    return Reply(card=await mustdo_now(ctx))


@router.action(ShowMustDo)
async def click_today(click: CardClick[ShowMustDo], ctx: Context) -> Reply:
    """The 刷新 / 看今日必做 button."""
    return Reply(card=await mustdo_now(ctx))


@router.action(MustDoDone)
async def click_done(click: CardClick[MustDoDone], ctx: Context) -> Reply:
    """完成: mark the item done for today (a task is closed for good) and show the next ones."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    now, key = ctx.now(), click.action.key
    day = local_day(now, ctx.settings.tz)
    await push_state.mark_item(ctx.session, ctx.member.id, day, key, done_at=now)
    if key.startswith("task:"):
        await push_state.finish_task(ctx.session, int(key.removeprefix("task:")), ctx.member.id, now)
    return Reply(card=await mustdo_now(ctx), update=True, toast="已完成，下一件补上来了")


@router.action(MustDoSnooze)
async def click_snooze(click: CardClick[MustDoSnooze], ctx: Context) -> Reply:
    """明天再做: hide the item until tomorrow; the daily report takes this as its reason."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    now, tz = ctx.now(), ctx.settings.tz
    _, tomorrow = day_bounds(now, tz)
    await push_state.mark_item(ctx.session, ctx.member.id, local_day(now, tz), click.action.key,
                         snoozed_until=tomorrow, reason=SNOOZE_REASON)
    return Reply(card=await mustdo_now(ctx), update=True, toast="已推迟到明天")


async def team_lines(ctx: Context) -> list[bp.Breakpoint]:
    """Return the manager's team breakpoints (an admin's: the whole org's) as of today's midnight."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    as_of, _ = day_bounds(ctx.now(), ctx.settings.tz)
    mine = None if ctx.member.role == "admin" else [ctx.member.team_id or 0]
    items = await breakpoints_repo.stuck(ctx.session, as_of, _pipeline(ctx), mine)
    ranked = bp.rank([replace(i, team_id=0) for i in items], as_of, ctx.settings.tz)
    return ranked.get(0, [])


@router.command("断点", "breakpoints", summary="（主管）团队卡住的 Top 10 线索和商机", roles=("manager", "admin"))
async def breakpoints(msg: Message, ctx: Context) -> Reply:
    """Answer with the team's breakpoint card."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    team = "全公司" if ctx.member.role == "admin" else await repo.team_name(ctx.session, ctx.member.team_id)
    return Reply(card=breakpoints_card(team, local_day(ctx.now(), ctx.settings.tz), await team_lines(ctx)))


@router.command("催一下", "nudge", summary="（主管）提醒负责人处理断点", usage="催一下 <断点序号>",
                roles=("manager", "admin"))
async def nudge_command(msg: Message, ctx: Context) -> Reply:
    """催一下 3: nudge the owner of the third breakpoint."""
    lines, arg = await team_lines(ctx), msg.text.strip()
    words = arg.split(maxsplit=1)
    if not words or not words[0].isdigit() or not 1 <= int(words[0]) <= len(lines):
        return Reply(card=notice_card("催哪一个？", f"发“催一下 序号”，序号是断点卡上的 1–{len(lines)}。"
                                      if lines else "现在没有卡住的线索或商机。", Level.INFO))
    return await _nudge(ctx, lines[int(words[0]) - 1])


@router.action(NudgeOwner, roles=("manager", "admin"))
async def click_nudge(click: CardClick[NudgeOwner], ctx: Context) -> Reply:
    """The 催一下 button of the breakpoint card."""
    line = next((b for b in await team_lines(ctx) if b.key == click.action.key), None)
    if line is None:
        return Reply(card=notice_card("这一项已经不卡了", "它可能已经推进、或不在你的团队。发“断点”看最新。"))
    return await _nudge(ctx, line)


async def _nudge(ctx: Context, line: bp.Breakpoint) -> Reply:
    """Send the owner a nudge card once per item and day (quiet hours hold it until morning)."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    now, tz = ctx.now(), ctx.settings.tz
    day = local_day(now, tz)
    chat = (await personal_chats(ctx.session, ctx.settings, [line.owner_id])).chats.get(line.owner_id)
    if chat is None:
        return Reply(card=notice_card("没法催", f"{line.owner} 还没有绑定任何已启用平台的账号，请管理员先导入账号。",
                                      Level.WARNING))
    text = bp.nudge_text(ctx.member.name, line)
    if not await push_state.add_nudge(ctx.session, line.key, day, line.owner_id, ctx.member.id, text, now):
        return Reply(toast="今天已经催过了", card=notice_card("今天已经催过了", f"{line.owner}：{line.subject}"))
    held = quiet_until(now, tz, ctx.settings.org.quiet_hours)
    await ctx.outbox.send(chat, nudge_card(text, line.key), f"nudge:{day}:{line.key}", not_before=held)
    when = f"，静默时段过后（{held:%H:%M}）送达" if held else ""
    return Reply(toast=f"已催 {line.owner}", card=notice_card(
        f"已催 {line.owner}", f"{line.subject}（{line.where}）的提醒已发出{when}。", Level.SUCCESS,
        items=[f"何时解：{line.solve_by}", f"建议：{line.step}"]))
