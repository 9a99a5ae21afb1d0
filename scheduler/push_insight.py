"""本周建议 (with the weekly report): one suggestion per team (its group) and per rep (1:1), each mined from
their OWN closed deals of the last year (sales/insight.py); nothing where the evidence is thin.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.core.context import Context
from cards.views import suggestion_card
from sales import insight
from sales.pushtime import day_bounds
from scheduler.push_common import gate, send_personal, send_team, summary
from storage.repos import push_reports, pushes

LABEL = "本周建议"
HISTORY = timedelta(days=365)


async def run(ctx: Context, fire_at: datetime) -> str:
    """Read the year's closed deals once; send each team and each rep their own strongest finding, or nothing."""
    if (skipped := gate(ctx, fire_at, "weekly_report", LABEL)) is not None:
        return skipped
    end, _ = day_bounds(fire_at, ctx.settings.tz)
    rows = await push_reports.closed_deals(ctx.session, end - HISTORY, end)
    by_team: dict[int | None, list[insight.Deal]] = defaultdict(list)
    by_rep: dict[int | None, list[insight.Deal]] = defaultdict(list)
    for team_id, deal in rows:
        by_team[team_id].append(deal)
        by_rep[deal.owner_id].append(deal)
    teams = await pushes.teams(ctx.session)
    team_cards = {}
    for team in teams:
        if (found := insight.best(by_team.get(team.id, []))) is not None:
            team_cards[team.id] = suggestion_card(team.name, found.text("团队跟进的"),
                                                  f"{found.basis()}（{found.detail()}）")
    grouped = await send_team(ctx, fire_at, "weekly_insight", team_cards, teams)
    reps = await pushes.people(ctx.session, ("rep",))
    rep_cards = {p.id: suggestion_card(p.name, f.text(), f.basis()) for p in reps
                 if (f := insight.best(by_rep.get(p.id, []), insight.MIN_GROUP_REP)) is not None}
    personal = await send_personal(ctx, fire_at, "weekly_insight", rep_cards, {p.id: p.name for p in reps})
    thin_teams, thin_reps = len(teams) - len(team_cards), len(reps) - len(rep_cards)
    return (summary(LABEL, grouped, unit="个团队", missing="没有配置群", extra=f"{thin_teams} 个团队证据不足，未给建议")
            + "；" + summary("个人建议", personal, extra=f"{thin_reps} 人证据不足，未给建议"))
