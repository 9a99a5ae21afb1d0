"""早会断点 (default 08:30): each manager gets their team's top-10 stuck leads and deals as of midnight."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from cards.views import breakpoints_card
from sales.pushtime import day_bounds, local_day
from sales.stages import pipeline_from_config
from scheduler.push_common import gate, send_personal, summary
from storage.repos import breakpoints as breakpoints_repo
from storage.repos import pushes as repo

LABEL = "早会断点"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Rank stuck items of every team in two queries; send each manager their team's card."""
    if (skipped := gate(ctx, fire_at, "pushes", LABEL)) is not None:
        return skipped
    tz, day = ctx.settings.tz, local_day(fire_at, ctx.settings.tz)
    managers = [(p, p.team_id) for p in await repo.people(ctx.session, ("manager",)) if p.team_id is not None]
    teams = {t.id: t.name for t in await repo.teams(ctx.session)}
    as_of, _ = day_bounds(fire_at, tz)
    ranked = await breakpoints_repo.breakpoints(ctx.session, as_of, tz,
                                                pipeline_from_config(ctx.settings.opportunities.stages),
                                                sorted({team for _, team in managers}))
    cards = {m.id: breakpoints_card(teams.get(team, ""), day, ranked.get(team, [])) for m, team in managers}
    delivery = await send_personal(ctx, fire_at, "morning_breakpoints", cards, {m.id: m.name for m, _ in managers})
    stuck = sum(len(v) for v in ranked.values())
    return summary(LABEL, delivery, unit="位主管", extra=f"共 {stuck} 个断点")
