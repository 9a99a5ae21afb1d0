"""计分卡周评 (default Mon 07:30): every rep's score of the week, kept as history; lights; coaching tasks.

Two weeks running below `[scorecard] yellow_below` turns a rep yellow (below `red_below`: red) and gives their
manager a coaching task (kind "coaching", a 1:1 within `coaching_days`), sent to the manager once (key
`coaching:<task id>`). The task stays in the manager's must-do list until the 1:1 is logged with notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.ports import Outgoing
from cards.views import coaching_card
from flows.scorecards import score, windows
from flows.targets import personal_chats
from sales.lights import light, week_label
from sales.pushtime import day_bounds, quiet_until
from storage.repos import points
from storage.repos import scorecards as repo

LABEL = "计分卡周评"
STALE = timedelta(days=21)  # re-date older open coaching tasks: the must-do list looks back 30 days only


async def run(ctx: Context, fire_at: datetime) -> str:
    """Score every rep in a few set-based queries, store the week, light them, create coaching tasks."""
    if not ctx.settings.features.scorecards:
        return f"{LABEL}：功能未开启（[features] scorecards = false），未计算"
    c, tz = ctx.settings.scorecard, ctx.settings.tz
    end, _ = day_bounds(fire_at, tz)
    period, before = week_label(end), week_label(end - timedelta(days=7))
    reps = await repo.reps(ctx.session)
    scored = await score(ctx.session, ctx.settings, windows(ctx.settings, end), reps)
    last = await repo.totals(ctx.session, before)
    rows, flagged = [], []
    for r in reps:
        card = scored.cards[r.id]
        lt = light(card.total, last.get(r.id), c.yellow_below, c.red_below)
        rows.append({"member_id": r.id, "period": period, "period_end": end, "result_score": card.result_score,
                     "health_score": card.health_score, "health_weight": card.health_weight, "total": card.total,
                     "light": lt, "parts": {k: i.score for k, i in card.indicators.items()}, "created_at": fire_at})
        if lt in ("yellow", "red"):
            flagged.append((r, lt, (card.total, last.get(r.id))))
    await repo.save(ctx.session, rows)
    await points.award_history(ctx.session, c.points)
    made = await _coach(ctx, fire_at, flagged)
    await repo.keep_coaching_visible(ctx.session, fire_at - STALE, fire_at)
    counts = {k: sum(1 for row in rows if row["light"] == k) for k in ("green", "yellow", "red", "")}
    return (f"{LABEL} {period}：{len(rows)} 人，绿灯 {counts['green']}，黄灯 {counts['yellow']}，红灯 "
            f"{counts['red']}，暂无数据 {counts['']}；新建辅导任务 {made}")


async def _coach(ctx: Context, fire_at: datetime, flagged: list) -> int:
    """Create a coaching task for each flagged rep without an open one, and send it to the manager."""
    busy = await repo.open_coaching(ctx.session)
    todo = [(r, lt, t) for r, lt, t in flagged if r.id not in busy and r.manager_id is not None]
    due = fire_at + timedelta(days=ctx.settings.scorecard.coaching_days)
    made = await repo.add_coaching(ctx.session, [
        {"title": f"与 {r.name} 一对一辅导（计分卡连续两周偏低）", "owner_id": r.manager_id, "due_at": due,
         "ref": f"member:{r.id}", "created_at": fire_at} for r, _, _ in todo])
    chats = await personal_chats(ctx.session, ctx.settings, sorted({m for _, m, _ in made}))
    day = due.astimezone(ctx.settings.tz).strftime("%m-%d")
    items = [Outgoing(f"coaching:{tid}", chats.chats[mgr], coaching_card(r.name, r.id, t, day, lt))
             for (tid, mgr, _), (r, lt, t) in zip(made, todo, strict=True) if mgr in chats.chats]
    # a run inside the quiet hours reaches the managers when they end
    await ctx.outbox.send_many(items, not_before=quiet_until(fire_at, ctx.settings.tz, ctx.settings.org.quiet_hours))
    return len(made)
