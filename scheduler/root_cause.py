"""根因分析 (weekly, [schedule] root_cause): when a team's or region's conversion fell two weeks running, push the
main cause with its evidence and a suggested action — to the team's managers (team) or the admins (region).

No fall, no push. Keys are `root_cause:<date>:<member>` (scheduler/push_common.py), so a re-fire sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.cards import Card
from bot.core.context import Context
from cards.views import root_cause_card
from flows.root_cause import Finding, findings
from sales import root_cause as rc
from sales.pushtime import day_bounds
from sales.stages import pipeline_from_config
from scheduler.push_common import gate, send_personal, summary
from storage.repos import pushes
from storage.repos import root_cause as repo

LABEL = "根因分析"


def _card(f: Finding, name: str):
    if not f.ranked:
        return root_cause_card(name, f.drop_text(name), "各因素的变化都不明显，可能是整体市场变化。", [],
                               "周会上逐条过上周没转化的线索")
    cause, action = rc.explain(f.ranked[0], f.delta)
    return root_cause_card(name, f.drop_text(name), cause, rc.evidence(f.ranked), action)


async def run(ctx: Context, fire_at: datetime) -> str:
    """Find falling teams and regions, rank the causes, and push each finding to its owners."""
    if (skipped := gate(ctx, fire_at, "weekly_report", LABEL)) is not None:
        return skipped
    end, _ = day_bounds(fire_at, ctx.settings.tz)
    pipe = pipeline_from_config(ctx.settings.opportunities.stages)
    found = await findings(ctx.session, end, pipe, ctx.settings.reports.root_cause_min_leads)
    if not found:
        return f"{LABEL}：各团队和大区的转化率没有连续两周下降，未推送"
    bosses = await repo.managers(ctx.session)
    teams = {t.id: t.name for t in await pushes.teams(ctx.session)}
    cards: dict[int, Card] = {}
    names = {m: n for m, n, _, _ in bosses}
    for f in found:  # biggest fall first: each person gets the worst scope they own
        name = teams.get(int(f.key), f"团队{f.key}") if f.kind == "team" else f"{f.key}大区"  # a team's key is its id
        owners = [m for m, _, role, team in bosses if f.kind == "team" and role == "manager" and team == f.key]
        owners = owners or [m for m, _, role, _ in bosses if role == "admin"]
        for m in owners:
            cards.setdefault(m, _card(f, name))
    delivery = await send_personal(ctx, fire_at, "root_cause", cards, names)
    return summary(LABEL, delivery, extra=f"{len(found)} 个范围转化率连降两周")
