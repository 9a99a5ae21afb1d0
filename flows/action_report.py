"""The monthly action-completion report (完成率 × 成单率 by strategy and action, new reps apart).

`queue_monthly_action_report(ctx, fire_at)` is what the `monthly_dashboard` job calls (scorecards owns that
job). It builds LAST month's report for each manager (their team) and each admin (everyone) and queues it to
their personal chat, held until the first working day of the month 09:00 (org time; weekends per
[leads] work_days and [schedule] holidays skipped). Keys are `monthly_action_report:<YYYY-MM>:<member>`, so
calling it again on any later day of the month sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.core.context import Context
from bot.core.ports import Outgoing
from bot.core.signing import member_link
from cards.views import action_report_card
from flows.targets import personal_chats
from sales.action_report import action_line, least_done, month_bounds, strategy_line
from storage.models import Member
from storage.repos import action_report, attack_stats, pushes

JOB = "monthly_action_report"
SEND_AT = time(9, 0)


def first_working_day(year: int, month: int, work_days: list[int], holidays: list[str]) -> date:
    """Return the month's first day that is a working weekday and no holiday."""
    day = date(year, month, 1)
    while day.isoweekday() not in work_days or day.isoformat() in holidays:
        day += timedelta(days=1)
    return day


async def _groups(ctx: Context, start: datetime, end: datetime, ids: list[int] | None,
                  new: set[int]) -> list[tuple[str, list[str]]]:
    """Strategy and least-done action lines for the experienced reps, then for the new ones."""
    now = ctx.now()
    everyone = ids if ids is not None else [p.id for p in await pushes.people(ctx.session, ("rep",))]
    out = []
    for label, part in (("老销售", [i for i in everyone if i not in new]), ("新人", [i for i in everyone if i in new])):
        if not part:
            continue
        strategies = await attack_stats.strategy_stats(ctx.session, start, end, now, part)
        actions = await attack_stats.action_stats(ctx.session, start, end, now, part)
        out.append((f"{label} · 按策略（完成率 · 成单率）", [strategy_line(s) for s in strategies]))
        lowest = [action_line(a) for a in least_done(actions)][:5]
        out.append((f"{label} · 完成率最低的动作（做了 vs 跳过的成单率）", lowest))
    return out


async def _card(ctx: Context, boss: Member, label: str, start: datetime, end: datetime, new: set[int]):
    ids = None if boss.role == "admin" else await attack_stats.team_member_ids(ctx.session, boss)
    scope = "all" if ids is None else f"mgr:{boss.id}"
    link = member_link(ctx.settings, "/dash/attack/report", {"scope": scope, "month": label}, boss.id, ctx.now())
    groups = await _groups(ctx, start, end, ids, new)
    return action_report_card(label, "全公司" if ids is None else "我的团队", groups, link)


async def queue_monthly_action_report(ctx: Context, fire_at: datetime) -> str:
    """Queue last month's report to every manager and admin for the first working day 09:00; say what was done."""
    tz = ctx.settings.tz
    local = fire_at.astimezone(tz)
    month = month_bounds("上月", fire_at, tz)
    assert month is not None  # "上月" always names a month
    label, start, end = month
    first = first_working_day(local.year, local.month, ctx.settings.leads.work_days, ctx.settings.schedule.holidays)
    bosses = await action_report.bosses(ctx.session)
    new = await action_report.new_reps(ctx.session)
    chats = await personal_chats(ctx.session, ctx.settings, [b.id for b in bosses])
    items = [Outgoing(f"{JOB}:{label}:{b.id}", chats.chats[b.id], await _card(ctx, b, label, start, end, new))
             for b in bosses if b.id in chats.chats]
    fresh = await ctx.outbox.send_many(items, not_before=datetime.combine(first, SEND_AT, tz))
    missing = f"，{len(chats.unreachable)} 人无绑定账号" if chats.unreachable else ""
    return f"月度动作完成报告（{label}）：排队 {len(fresh)} 份，{first:%m-%d} 09:00 送达{missing}"
