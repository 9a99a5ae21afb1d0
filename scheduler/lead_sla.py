"""The every-minute lead scan job (`sla_scan`): the golden 4 hours and reclaims (flows/lead_sla.py), summed up.

Exactly once across restarts and replicas: the minute's fire is claimed in job_run, and the flow's outbox keys
and conditional updates make a second scan of the same moment change and send nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from flows import lead_sla
from storage.repos import lead_batch as rb


async def scan(ctx: Context, now: datetime) -> str:
    """Run one scan at `now`; return a one-line summary."""
    reminded, breached, unreachable = await lead_sla.remind_and_flag(ctx, now)
    reclaimed, placed = await lead_sla.redistribute(ctx, now)
    parts = [f"提醒 {reminded} 条", f"超时 {breached} 条", f"收回 {reclaimed} 条", f"从线索池分出 {placed} 条"]
    if unreachable:
        names = await rb.member_names(ctx.session, unreachable)
        parts.append(f"联系不上（没有绑定已开启平台的账号）：{'、'.join(names[i] for i in sorted(names))}")
    return "，".join(parts)
