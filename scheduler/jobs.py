"""The scheduled jobs (names per INTERFACE.md). Later work replaces the placeholders here.

A job is `async def fn(ctx, fire_at) -> str | None`: it runs in one transaction with a job Context,
sends with `ctx.send(to, card, key)` using keys that include the fire date (so nothing is sent twice),
and returns a one-line summary for the log, `salesbot run-job` and the playground.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from scheduler.registry import REGISTRY, job
from storage.repos import leads


@job("sla_scan", schedule="sla_scan_minutes")
async def sla_scan(ctx: Context, fire_at: datetime) -> str:
    """Mark leads that missed their first-response deadline as breached (no reminders yet)."""
    breached = await leads.mark_breached(ctx.session, fire_at)
    return f"{len(breached)} leads breached"


def _not_built(name: str, schedule: str, what: str) -> None:
    """Register an honest placeholder for a job whose business logic is not written yet."""
    async def placeholder(ctx: Context, fire_at: datetime) -> str:
        return f"{name}: not built yet ({what}); nothing sent"

    placeholder.__doc__ = f"Placeholder for {what}; sends nothing yet."
    placeholder.__name__ = placeholder.__qualname__ = name
    job(name, schedule)(placeholder)


_not_built("must_do", "must_do", "each rep's three must-do items, pushed in the morning")
_not_built("morning_breakpoints", "morning_breakpoints", "managers' top-10 stalled leads of yesterday")
_not_built("daily_report", "daily_report", "the team's end-of-day report")
_not_built("weekly_report", "weekly_report", "the weekly report")
_not_built("weekly_insight", "weekly_report", "the weekly insight, sent with the weekly report")

JOB_NAMES: tuple[str, ...] = tuple(REGISTRY)  # the scheduled job names of INTERFACE.md
