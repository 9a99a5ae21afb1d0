"""日报 (default 18:00): each rep confirms a generated summary of the day; managers get the team roll-up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime

from bot.core.context import Context
from cards.views import daily_report_card, team_rollup_card
from sales.pushtime import day_bounds, local_day
from sales.reports import REASONS, DayNumbers, rollup_rows
from scheduler.push_common import gate, send_personal, summary
from storage.repos import push_reports, pushes

LABEL = "日报"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Create every rep's report (numbers in three GROUP BY queries), ask them to confirm, send managers roll-ups."""
    if (skipped := gate(ctx, fire_at, "pushes", LABEL)) is not None:
        return skipped
    s, tz = ctx.session, ctx.settings.tz
    day, (start, end) = local_day(fire_at, tz), day_bounds(fire_at, tz)
    reps = await pushes.people(s, ("rep",))
    numbers = await push_reports.day_numbers(s, start, end)
    items = await push_reports.report_items(s, day, start)
    await push_reports.ensure_reports(s, day, {p.id: asdict(numbers.get(p.id, DayNumbers()))
                                                            for p in reps}, fire_at)
    done = await push_reports.submitted(s, day, [p.id for p in reps])
    cards = {p.id: daily_report_card(p.name, day, numbers.get(p.id, DayNumbers()), items.get(p.id, []),
                                     p.id in done, REASONS) for p in reps}
    personal = await send_personal(ctx, fire_at, "daily_report", cards, {p.id: p.name for p in reps})
    by_team: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for p in reps:
        by_team[p.team_id].append((p.id, p.name))
    managers = [m for m in await pushes.people(s, ("manager",)) if by_team.get(m.team_id)]
    teams: dict[int | None, str] = {t.id: t.name for t in await pushes.teams(s)}  # a teamless manager gets ""
    rollups = {m.id: team_rollup_card(teams.get(m.team_id, ""), day, rollup_rows(by_team[m.team_id], numbers, items,
                                                                                  done)) for m in managers}
    bosses = await send_personal(ctx, fire_at, "daily_rollup", rollups, {m.id: m.name for m in managers})
    return summary(LABEL, personal) + "；" + summary("团队汇总", bosses, unit="位主管")
