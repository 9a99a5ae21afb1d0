"""grading (daily, default 06:30): score every customer, grade, fire the dormant trigger, cadence tasks, notify.

Owners hear once: an activation card per customer the dormant trigger moved (key
`grading_activation:<customer>:<date>`), and one note per owner and day listing the other changes
(`grading:<date>:<member>`), both through the outbox, so a re-run sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.core.context import Context
from bot.core.links import material_link
from bot.core.ports import Outgoing
from cards.views import ActivationItem, activation_card, grade_changes_card
from flows.grading import run_daily
from flows.grading_tasks import Activation, cadence, load_plan, start_activations
from flows.targets import personal_chats
from sales.activation import Plan
from sales.pushtime import local_day, quiet_until
from scheduler.push_common import send_personal
from storage.repos import grading_tasks, pushes
from storage.repos.grading import Change

LABEL = "客户分级"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Recompute every customer's grade inputs and act on what changed."""
    if not ctx.settings.features.grading:
        return f"{LABEL}：功能未开启（[features] grading = false），未计算"
    cfg = ctx.settings.grading
    plan = load_plan(cfg)
    result = await run_daily(ctx.session, cfg, fire_at)
    acts = await start_activations(ctx.session, plan, result.changes, fire_at)
    created, closed = await cadence(ctx.session, cfg, fire_at)
    sent = await _send_activations(ctx, fire_at, plan, acts)
    noted = await _send_changes(ctx, fire_at, result.first, [c for c in result.changes if c.source != "dormant"])
    by: defaultdict[str, int] = defaultdict(int)
    for c in result.changes:
        by[c.source] += 1
    first = sum(result.first.values())
    return (f"{LABEL}：{result.model}，已计算 {result.scored} 位客户，{result.skipped} 位暂不分级；首次分级 "
            f"{first} 位，休眠唤醒 {by['dormant']} 位（发唤醒计划 {sent} 份），恢复 {by['revived']} 位；"
            f"节奏任务新增 {created} 条、完成 {closed} 条；通知 {noted} 人")


async def _send_activations(ctx: Context, fire_at: datetime, plan: Plan, acts: list[Activation]) -> int:
    """Send each owner the activation plan of each customer that went dormant."""
    if not acts:
        return 0
    day = local_day(fire_at, ctx.settings.tz)
    chats = await personal_chats(ctx.session, ctx.settings, [a.owner_id for a in acts])
    items: list[Outgoing] = []
    for a in acts:
        if a.owner_id not in chats.chats:
            continue
        lines = [ActivationItem(tid, it.name, it.how, False,
                                material_link(ctx.settings, a.customer_id, a.owner_id, it.url, it.name, fire_at)
                                if it.url else "") for tid, it in zip(a.tasks, plan.items, strict=False)]
        card = activation_card(a.name, a.reason, plan.intro, lines)
        items.append(Outgoing(f"grading_activation:{a.customer_id}:{day}", chats.chats[a.owner_id], card))
    until = quiet_until(fire_at, ctx.settings.tz, ctx.settings.org.quiet_hours)
    return len(await ctx.outbox.send_many(items, not_before=until))


async def _send_changes(ctx: Context, fire_at: datetime, first: dict[int, int], changes: list[Change]) -> int:
    """Tell each owner once a day about their customers' first grades and returns from 休眠唤醒."""
    lines: dict[int, list[str]] = defaultdict(list)
    customers = await grading_tasks.names(ctx.session, [c.customer_id for c in changes])
    for c in changes:
        if c.owner_id is not None:
            lines[c.owner_id].append(f"{customers.get(c.customer_id, '')}：{c.from_grade} → {c.to_grade}（{c.reason}）")
    owners = sorted({*first, *lines})
    if not owners:
        return 0
    names = {p.id: p.name for p in await pushes.people(ctx.session, ("rep", "manager", "admin"), owners)}
    cards = {m: grade_changes_card(names.get(m, ""), first.get(m, 0), lines.get(m, [])) for m in owners if m in names}
    return (await send_personal(ctx, fire_at, "grading", cards, names)).sent
