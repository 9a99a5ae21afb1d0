"""作战地图 and 流失分析 in chat (managers, admins): the headline in the card, the full page behind a signed link.

Links are member-bound (bot/web/access.py): they open only as the member who asked, for [reports] link_ttl_days.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.events import Reply
from bot.core.inbound import Message
from bot.core.routing import Router
from bot.core.signing import member_link
from cards.views import battle_map_card, churn_card
from flows import churn
from flows.battle_map import grid_for
from sales import battle_map as bm
from sales.stages import pipeline_from_config
from storage.models import Member
from storage.repos.attack_stats import team_member_ids

router = Router("reports")
MANAGERS = ("manager", "admin")


async def _scope(ctx: Context, member: Member) -> list[int] | None:
    return None if member.role == "admin" else await team_member_ids(ctx.session, member)


def _link(ctx: Context, path: str, params: dict[str, str]) -> str:
    ttl = timedelta(days=ctx.settings.reports.link_ttl_days)
    assert ctx.member is not None  # a command or click: dispatch found the member
    return member_link(ctx.settings, path, params, ctx.member.id, ctx.now(), ttl)


@router.command("作战地图", "map", summary="（主管）团队的作战地图：卡点、风险客户、线索密度，最大风险一句话",
                usage="作战地图", roles=MANAGERS)
async def battle_map(msg: Message, ctx: Context) -> Reply:
    """The biggest risk in one sentence and the three totals, with the member-bound link to the map."""
    now = ctx.now()
    assert ctx.member is not None  # a command or click: dispatch found the member
    grid, scope = await grid_for(ctx.session, ctx.settings, await _scope(ctx, ctx.member), "", now)
    totals = [(label, grid.total(m)) for m, label in bm.METRICS.items()]
    return Reply(card=battle_map_card(scope, bm.biggest_risk(grid, now), totals, _link(ctx, "/dash/map", {})))


@router.command("流失分析", "churn", summary="（主管）近期流失客户的共同点，附导出链接", usage="流失分析 [天数]",
                roles=MANAGERS)
async def churn_features(msg: Message, ctx: Context) -> Reply:
    """What the customers lost in the last N days (default [reports] churn_days) share."""
    digits = "".join(ch for ch in msg.text if ch.isdigit())
    days = min(max(int(digits), 1), 3650) if digits else ctx.settings.reports.churn_days
    pipe = pipeline_from_config(ctx.settings.opportunities.stages)
    assert ctx.member is not None  # a command or click: dispatch found the member
    a = await churn.analyse_in(ctx.session, days, ctx.now(), pipe, await _scope(ctx, ctx.member))
    link = _link(ctx, "/dash/churn", {"days": str(days)})
    return Reply(card=churn_card(days, a.lost, a.kept, a.conclusions, link))
