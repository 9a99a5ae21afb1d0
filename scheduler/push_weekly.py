"""周报 (default Mon 09:00): last week's numbers per rep (personal chat) and per team (group, with the full page)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.links import weekly_link as link
from cards.views import weekly_card
from sales.pushtime import day_bounds
from sales.reports import WeekNumbers, week_total
from scheduler.push_common import gate, send_personal, send_team, summary
from storage.repos import push_reports, pushes

LABEL = "周报"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Compute every rep's week in a few GROUP BY queries; send rep cards and team cards."""
    if (skipped := gate(ctx, fire_at, "weekly_report", LABEL)) is not None:
        return skipped
    end, _ = day_bounds(fire_at, ctx.settings.tz)
    start = end - timedelta(days=7)
    week = start.date().isoformat()
    reps = await pushes.people(ctx.session, ("rep",))
    numbers = await push_reports.week_numbers(ctx.session, start, end)
    span = f"{start:%m-%d} 至 {end - timedelta(days=1):%m-%d}"
    cards = {p.id: weekly_card(f"上周周报：{p.name}", span, numbers.get(p.id, WeekNumbers())) for p in reps}
    personal = await send_personal(ctx, fire_at, "weekly_report", cards, {p.id: p.name for p in reps})
    teams = await pushes.teams(ctx.session)
    by_team: dict[int | None, list[tuple[str, WeekNumbers]]] = defaultdict(list)
    for p in reps:
        by_team[p.team_id].append((p.name, numbers.get(p.id, WeekNumbers())))
    team_cards = {t.id: weekly_card(f"团队周报：{t.name}", span, week_total([r for _, r in by_team[t.id]]),
                                    by_team[t.id], link(ctx.settings, t.id, week)) for t in teams if by_team.get(t.id)}
    grouped = await send_team(ctx, fire_at, "weekly_report", team_cards, teams)
    return summary(LABEL, personal) + "；" + summary("团队周报", grouped, unit="个团队", missing="没有配置群")
