"""Manager views of attack cards in chat: 攻坚热力图 (who skips which action) and 攻坚报告 (the month's report).

Each card carries a signed link (bot/web/dash.py) to the full page: the SVG heatmap or the report tables.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.cards import Level
from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import Message
from bot.core.routing import Router
from bot.core.signing import member_link
from cards.views import attack_heatmap_card, attack_report_card, notice_card
from sales.action_report import action_line, least_done, month_bounds, strategy_line
from sales.attack_stats import completion, most_skipped
from storage.models import Member
from storage.repos import attack_stats as repo

router = Router("attack_reports", feature="attack")
MANAGERS = ("manager", "admin")
DEFAULT_DAYS = 30
SLACK = timedelta(seconds=1)  # cards created this very second count too


async def scope_of(ctx: Context, member: Member) -> tuple[str, list[int] | None, str]:
    """(scope parameter for links, member ids or None for everyone, label): admins see all, managers their reps."""
    if member.role == "admin":
        return "all", None, "全公司"
    return f"mgr:{member.id}", await repo.team_member_ids(ctx.session, member), "我的团队"


def _days(words: str) -> int:
    digits = "".join(ch for ch in words if ch.isdigit())
    return min(max(int(digits), 1), 365) if digits else DEFAULT_DAYS


@router.command("攻坚热力图", "attackmap", summary="（主管）团队里谁跳过了哪些攻坚动作", usage="攻坚热力图 [天数]",
                roles=MANAGERS)
async def heatmap(msg: Message, ctx: Context) -> Reply:
    """Overall completion and the most-skipped actions (new reps vs the others), with a link to the SVG."""
    days, now = _days(msg.text), ctx.now()
    assert ctx.member is not None  # a command or click: dispatch found the member
    scope, ids, label = await scope_of(ctx, ctx.member)
    cells = await repo.heatmap(ctx.session, now - timedelta(days=days), now + SLACK, now, ids)
    done, due = completion(cells)
    link = member_link(ctx.settings, "/dash/attack/heatmap", {"scope": scope, "days": str(days)}, ctx.member.id, now)
    skips = [s.line() for s in most_skipped(cells)]
    return Reply(card=attack_heatmap_card(label, f"近 {days} 天开的攻坚卡", done, due, skips, link))


@router.command("攻坚报告", "attackreport", summary="（主管）月度攻坚动作完成率对比赢单率",
                usage="攻坚报告 [YYYY-MM|上月]", roles=MANAGERS)
async def report(msg: Message, ctx: Context) -> Reply:
    """Completion per strategy and action against the win rate of the deals that used them, with counts."""
    now = ctx.now()
    month = month_bounds(msg.text, now, ctx.settings.tz)
    if month is None:
        return Reply(card=notice_card("哪个月？", "这样说：攻坚报告 2026-11，或 攻坚报告 上月", Level.WARNING))
    label, start, end = month
    assert ctx.member is not None  # a command or click: dispatch found the member
    scope, ids, scope_label = await scope_of(ctx, ctx.member)
    strategies = await repo.strategy_stats(ctx.session, start, end, now, ids)
    actions = await repo.action_stats(ctx.session, start, end, now, ids)
    link = member_link(ctx.settings, "/dash/attack/report", {"scope": scope, "month": label}, ctx.member.id, now)
    lines = [strategy_line(s) for s in strategies], [action_line(a) for a in least_done(actions)]
    return Reply(card=attack_report_card(label, f"{scope_label} · 当月开的攻坚卡", *lines, link))
