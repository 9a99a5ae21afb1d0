"""regrade_quarterly (fires weekly, default "mon 07:00"; acts once per quarter): proposals for the managers' review.

The first fire in a quarter writes proposals from the quarter just ended (one per customer and quarter, so
later fires add nothing) and sends each manager with pending proposals the review card, keyed
`regrade:<quarter>:<manager>`. Nothing changes before a manager approves (handlers/grading.py).
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.ports import Outgoing
from cards.views import ProposalLine, review_card
from flows.regrade import propose, quarter_before
from flows.targets import personal_chats
from storage.repos import grade_reviews, pushes

LABEL = "季度分级复核"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Write this quarter's proposals (once) and send each manager the review card (once)."""
    if not ctx.settings.features.grading:
        return f"{LABEL}：功能未开启（[features] grading = false），未生成"
    quarter = quarter_before(fire_at, ctx.settings.tz)
    new = await propose(ctx.session, ctx.settings.grading, fire_at, quarter)
    counts = await grade_reviews.managers_with_pending(ctx.session, quarter)
    chats = await personal_chats(ctx.session, ctx.settings, list(counts))
    items: list[Outgoing] = []
    for manager in await pushes.people(ctx.session, ("manager",), list(chats.chats)):
        rows, total = await grade_reviews.pending(ctx.session, manager.team_id, False, ctx.settings.grading.review_show)
        team = await pushes.team_name(ctx.session, manager.team_id)
        card = review_card(quarter, team, [ProposalLine(*r[:6]) for r in rows], total)
        items.append(Outgoing(f"regrade:{quarter}:{manager.id}", chats.chats[manager.id], card))
    sent = await ctx.outbox.send_many(items)
    missing = f"，{len(chats.unreachable)} 位主管无绑定账号" if chats.unreachable else ""
    return f"{LABEL}：{quarter} 新增调整建议 {new} 条，已发复核卡 {len(sent)} 位主管{missing}"
