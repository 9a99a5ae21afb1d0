"""个人健康度月报 (daily at [schedule] monthly_dashboard; sends on [scorecard] dashboard_day, default the 1st),
and the monthly action-completion report (flows/action_report.py) held for the month's first working day.

Each rep gets a card (results vs health, the deviations from the team average in plain words, the month's bonus)
and a link to their page with SVG charts and the bonus statement, keyed `monthly_dashboard:<date>:<member>`.
The month's deferred new-customer bonus shares are recorded here, so later months can release them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from cards.views import dashboard_card
from flows.action_report import first_working_day, queue_monthly_action_report
from flows.bonus import previous_month, statements
from flows.scorecard_links import scorecard_link
from flows.scorecards import comparables, team_means
from sales.deviation import biggest, deviations, sentence
from sales.pushtime import is_holiday
from sales.scorecard import NO_DATA
from scheduler.push_common import gate, send_personal, summary
from storage.repos import scorecards as repo

LABEL = "个人健康度月报"


def _sending_day(ctx: Context, fire_at: datetime) -> bool:
    """The dashboard day, or the first working day after it when it fell on holidays (Jan 1, Oct 1 …)."""
    local = fire_at.astimezone(ctx.settings.tz)
    day = ctx.settings.scorecard.dashboard_day
    if local.day < day:
        return False
    earlier = [local - timedelta(days=n) for n in range(1, local.day - day + 1)]
    return all(is_holiday(d, ctx.settings.tz, ctx.settings.schedule.holidays) for d in earlier)


async def run(ctx: Context, fire_at: datetime) -> str:
    """Queue the monthly action report; on the dashboard day, build every rep's monthly dashboard and push it."""
    actions = await _action_report(ctx, fire_at)
    if (skipped := gate(ctx, fire_at, "scorecards", LABEL)) is not None:
        return "；".join(filter(None, (skipped, actions)))
    if not _sending_day(ctx, fire_at):
        day = ctx.settings.scorecard.dashboard_day
        waiting = f"{LABEL}：每月 {day} 日推送（[scorecard] dashboard_day；遇节假日顺延），今天不推送"
        return "；".join(filter(None, (waiting, actions)))
    month = previous_month(fire_at, ctx.settings.tz)
    reps = await repo.reps(ctx.session)
    stm, scored = await statements(ctx.session, ctx.settings, month, reps, record=True)
    values = comparables(scored, ctx.settings)
    means = team_means(values, scored.team_of)
    cards = {}
    for r in reps:
        devs = deviations(values[r.id], means[r.team_id]) if r.id in values else []
        card = scored.cards[r.id]
        payable = NO_DATA if scored.facts[r.id].empty() else f"¥{stm[r.id].payable:,}"
        link = scorecard_link(ctx.settings, r.id, fire_at, month)
        cards[r.id] = dashboard_card(r.name, month, sentence(devs), biggest(devs),
                                     (card.result_score, card.health_score), payable, link)
    delivery = await send_personal(ctx, fire_at, "monthly_dashboard", cards, {r.id: r.name for r in reps})
    return "；".join(filter(None, (summary(LABEL, delivery), actions)))


async def _action_report(ctx: Context, fire_at: datetime) -> str:
    """Queue last month's action-completion report (attack cards) until the month's first working day."""
    if not ctx.settings.features.attack:
        return ""
    local = fire_at.astimezone(ctx.settings.tz)
    first = first_working_day(local.year, local.month, ctx.settings.leads.work_days, ctx.settings.schedule.holidays)
    # Queued on the days up to the first working day only; the outbox keys make a second run a no-op.
    return await queue_monthly_action_report(ctx, fire_at) if local.date() <= first else ""
