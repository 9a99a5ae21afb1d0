"""The scheduled jobs (names per INTERFACE.md). Later work replaces the placeholders here.

A job is `async def fn(ctx, fire_at) -> str | None`: it runs in one transaction with a job Context,
sends with `ctx.send(to, card, key)` using keys that include the fire date (so nothing is sent twice),
and returns a one-line summary for the log, `salesbot run-job` and the playground.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from scheduler import lead_sla, push_breakpoints, push_mustdo
from scheduler.registry import REGISTRY, job


@job("sla_scan", schedule="sla_scan_minutes")
async def sla_scan(ctx: Context, fire_at: datetime) -> str:
    """Remind owners before the first-response deadline, warn managers on breach, reclaim unaccepted leads."""
    return await lead_sla.scan(ctx, fire_at)


def _not_built(name: str, schedule: str, what: str) -> None:
    """Register an honest placeholder for a job whose business logic is not written yet."""
    async def placeholder(ctx: Context, fire_at: datetime) -> str:
        return f"{name}: not built yet ({what}); nothing sent"

    placeholder.__doc__ = f"Placeholder for {what}; sends nothing yet."
    placeholder.__name__ = placeholder.__qualname__ = name
    job(name, schedule)(placeholder)


@job("must_do", schedule="must_do")
async def must_do(ctx: Context, fire_at: datetime) -> str:
    """Push each rep's three must-do items of today to their personal chat."""
    return await push_mustdo.run(ctx, fire_at)


@job("morning_breakpoints", schedule="morning_breakpoints")
async def morning_breakpoints(ctx: Context, fire_at: datetime) -> str:
    """Push each manager the top-10 stuck leads and deals of their team as of midnight."""
    return await push_breakpoints.run(ctx, fire_at)


_not_built("daily_report", "daily_report", "the team's end-of-day report")
_not_built("weekly_report", "weekly_report", "the weekly report")
_not_built("weekly_insight", "weekly_report", "the weekly insight, sent with the weekly report")

JOB_NAMES: tuple[str, ...] = tuple(REGISTRY)  # the scheduled job names of INTERFACE.md
