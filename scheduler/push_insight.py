"""本周建议 (with the weekly report): one evidence-backed suggestion per team, mined from the last year's deals."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.context import Context
from cards.views import insight_card
from sales import insight
from sales.pushtime import day_bounds
from scheduler.push_common import gate, send_team, summary
from storage.repos import push_reports, pushes

LABEL = "本周建议"
HISTORY = timedelta(days=365)


async def run(ctx: Context, fire_at: datetime) -> str:
    """Mine the closed deals once for the whole org; send each team its strongest relevant finding, or nothing."""
    if (skipped := gate(ctx, fire_at, "weekly_report", LABEL)) is not None:
        return skipped
    end, _ = day_bounds(fire_at, ctx.settings.tz)
    rows = await push_reports.closed_deals(ctx.session, end - HISTORY, end)
    found = insight.findings([deal for _, deal in rows])
    industries: dict[int | None, set[str]] = defaultdict(set)
    for team, deal in rows:
        industries[team].add(deal.industry)
    teams = await pushes.teams(ctx.session)
    cards = {}
    for team in teams:
        best = insight.best_for(found, industries.get(team.id, set()))
        if best is not None:
            cards[team.id] = insight_card(team.name, best.text(), best.n, best.detail())
    delivery = await send_team(ctx, fire_at, "weekly_insight", cards, teams)
    thin = len(teams) - len(cards)
    extra = f"{thin} 个团队证据不足，未给建议（{len(rows)} 个已关闭商机，{len(found)} 条结论达标）"
    return summary(LABEL, delivery, unit="个团队", missing="没有配置群", extra=extra)
