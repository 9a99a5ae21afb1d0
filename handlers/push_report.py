"""日报: a rep confirms the day's generated summary after giving a reason for every undone must-do item;
a manager's `日报` shows the team roll-up."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

from bot.core.actions import ReportReason, SubmitReport
from bot.core.cards import Card, Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import CardClick, Message
from bot.core.routing import Router
from cards.views import daily_report_card, notice_card, team_rollup_card
from sales.pushtime import local_day
from sales.reports import REASONS, DayNumbers, missing_reasons, parse_reason, rollup_rows
from storage.repos import push_reports, push_state, pushes

router = Router("push_report", feature="pushes")


def _bounds(ctx: Context, day: str) -> tuple[datetime, datetime]:
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), ctx.settings.tz)
    return start, start + timedelta(days=1)


async def _state(ctx: Context, day: str) -> tuple[DayNumbers, list, bool]:
    """Return the member's numbers, must-do items and whether the report of `day` is submitted."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    mid = ctx.member.id
    start, end = _bounds(ctx, day)
    numbers = (await push_reports.day_numbers(ctx.session, start, end, [mid])).get(mid, DayNumbers())
    items = (await push_reports.report_items(ctx.session, day, start, [mid])).get(mid, [])
    return numbers, items, mid in await push_reports.submitted(ctx.session, day, [mid])


async def report_card(ctx: Context, day: str) -> Card:
    """Build the member's daily report card as it stands."""
    numbers, items, submitted = await _state(ctx, day)
    assert ctx.member is not None  # a command or click: dispatch found the member
    return daily_report_card(ctx.member.name, day, numbers, items, submitted, REASONS)


@router.command("日报", "report", summary="确认今天的日报（没做完的必做要写原因）",
                usage="日报 [序号 原因 | 提交]")
async def report(msg: Message, ctx: Context) -> Reply:
    """日报 shows the card; 日报 1 客户改期 gives item 1 its reason; 日报 提交 submits."""
    assert ctx.member is not None  # a command or click: dispatch found the member
    day = local_day(ctx.now(), ctx.settings.tz)
    if ctx.member.role in ("manager", "admin") and not msg.text.strip():
        return Reply(card=await _rollup(ctx, day))
    arg = msg.text.strip()
    if arg in ("提交", "submit"):
        return await _submit(ctx, day)
    if arg:
        _, items, _ = await _state(ctx, day)
        parsed = parse_reason(arg, items)
        if isinstance(parsed, str):
            return Reply(card=notice_card("没看懂这条原因", parsed, Level.INFO))
        await push_state.mark_item(ctx.session, ctx.member.id, day, parsed[0], reason=parsed[1])
    return Reply(card=await report_card(ctx, day))


@router.action(ReportReason)
async def click_reason(click: CardClick[ReportReason], ctx: Context) -> Reply:
    """A reason button: record it for that item, then ask for the next one (or offer 确认提交)."""
    a = click.action
    assert isinstance(a, ReportReason)  # the router sends only this action here
    assert ctx.member is not None  # a command or click: dispatch found the member
    if not (await _state(ctx, a.day))[2]:
        await push_state.mark_item(ctx.session, ctx.member.id, a.day, a.key, reason=a.reason[:200])
    return Reply(card=await report_card(ctx, a.day), update=True)


@router.action(SubmitReport)
async def click_submit(click: CardClick[SubmitReport], ctx: Context) -> Reply:
    """确认提交: refused while an undone item has no reason."""
    return await _submit(ctx, click.action.day)


async def _submit(ctx: Context, day: str) -> Reply:
    numbers, items, submitted = await _state(ctx, day)
    if submitted:
        return Reply(card=await report_card(ctx, day), toast="日报已经提交过了")
    missing = missing_reasons(items)
    if missing:
        return Reply(toast="还有没写原因的事项", card=notice_card(
            "还不能提交", "每个没做完的必做都要写原因：点日报卡上的原因按钮，或发“日报 序号 原因”。", Level.WARNING,
            items=[i.text for i in missing]))
    summary = {**asdict(numbers), "items": [asdict(i) for i in items]}
    assert ctx.member is not None  # a command or click: dispatch found the member
    await push_reports.submit(ctx.session, ctx.member.id, day, summary, ctx.now())
    return Reply(card=await report_card(ctx, day), update=True, toast="日报已提交")


async def _rollup(ctx: Context, day: str) -> Card:
    """The manager's team roll-up (an admin's: every rep), with who submitted."""
    assert ctx.member is not None  # 日报 is a command
    start, end = _bounds(ctx, day)
    reps = [p for p in await pushes.people(ctx.session, ("rep",))
            if ctx.member.role == "admin" or p.team_id == ctx.member.team_id]
    ids = [p.id for p in reps]
    numbers = await push_reports.day_numbers(ctx.session, start, end, ids)
    items = await push_reports.report_items(ctx.session, day, start, ids)
    done = await push_reports.submitted(ctx.session, day, ids)
    team = "全公司" if ctx.member.role == "admin" else await pushes.team_name(ctx.session, ctx.member.team_id)
    return team_rollup_card(team, day, rollup_rows([(p.id, p.name) for p in reps], numbers, items, done))
