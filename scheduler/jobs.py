"""The scheduled jobs (names per INTERFACE.md): a thin registry; each push lives in scheduler/push_<name>.py.

A job is `async def fn(ctx, fire_at) -> str | None`: it runs in one transaction with a job Context,
sends with `ctx.outbox.send(to, card, key)` using keys that include the fire date (so nothing is sent twice),
and returns a one-line summary for the log, `salesbot run-job` and the playground.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from scheduler import accepted_deliveries as _accepted_deliveries
from scheduler import card_views as _card_views  # noqa: F401  (registers card_view_prune)
from scheduler import dead_letters as _dead_letters
from scheduler import feedback_digest as _feedback_digest
from scheduler import grading as _grading
from scheduler import intake_rejects as _intake_rejects
from scheduler import lead_sla, push_breakpoints, push_daily, push_insight, push_mustdo, push_weekly
from scheduler import media as _media
from scheduler import monthly_dashboard as _monthly_dashboard
from scheduler import pool_reclaim as _pool_reclaim  # noqa: F401 - registers pool_reclaim
from scheduler import regrade as _regrade
from scheduler import root_cause as _root_cause
from scheduler import scorecards_weekly as _scorecards_weekly
from scheduler import workbench as _workbench
from scheduler.registry import job

# The scheduled job names INTERFACE.md promises; the jobs after them in this file are additions.
JOB_NAMES: tuple[str, ...] = ("sla_scan", "must_do", "morning_breakpoints", "daily_report", "weekly_report",
                              "weekly_insight")


@job("sla_scan", schedule="sla_scan_minutes")
async def sla_scan(ctx: Context, fire_at: datetime) -> str:
    """Remind owners before the first-response deadline, warn managers on breach, reclaim unaccepted leads."""
    return await lead_sla.scan(ctx, fire_at)


@job("must_do", schedule="must_do")
async def must_do(ctx: Context, fire_at: datetime) -> str:
    """Push each rep's three must-do items of today to their personal chat."""
    return await push_mustdo.run(ctx, fire_at)


@job("morning_breakpoints", schedule="morning_breakpoints")
async def morning_breakpoints(ctx: Context, fire_at: datetime) -> str:
    """Push each manager the top-10 stuck leads and deals of their team as of midnight."""
    return await push_breakpoints.run(ctx, fire_at)


@job("daily_report", schedule="daily_report")
async def daily_report(ctx: Context, fire_at: datetime) -> str:
    """Ask each rep to confirm the day's report; send managers the team roll-up."""
    return await push_daily.run(ctx, fire_at)


@job("weekly_report", schedule="weekly_report")
async def weekly_report(ctx: Context, fire_at: datetime) -> str:
    """Send last week's numbers to each rep and each team's group, with a link to the full page."""
    return await push_weekly.run(ctx, fire_at)


@job("weekly_insight", schedule="weekly_report")
async def weekly_insight(ctx: Context, fire_at: datetime) -> str:
    """Send each team one suggestion mined from the org's closed deals, when the evidence is strong enough."""
    return await push_insight.run(ctx, fire_at)


@job("wecom_workbench", schedule="workbench_minutes")
async def wecom_workbench(ctx: Context, fire_at: datetime) -> str:
    """Keep each member's WeCom workbench numbers (今日必做, 待跟进线索, 已超时) current."""
    return await _workbench.run(ctx, fire_at)


@job("media_fetch", schedule="media_fetch_minutes")
async def media_fetch(ctx: Context, fire_at: datetime) -> str:
    """Queue downloads of evidence images and files from the platforms that can fetch them."""
    return await _media.run(ctx, fire_at)


@job("feedback_digest", schedule="feedback_digest")
async def feedback_digest(ctx: Context, fire_at: datetime) -> str:
    """Send admins last week's 反馈 entries, once per week."""
    return await _feedback_digest.run(ctx, fire_at)


@job("intake_rejects", schedule="intake_rejects")
async def intake_rejects(ctx: Context, fire_at: datetime) -> str:
    """Send admins yesterday's refused intake payloads per channel, with the top reasons and the fix, once a day."""
    return await _intake_rejects.run(ctx, fire_at)


@job("grading", schedule="grading")
async def grading(ctx: Context, fire_at: datetime) -> str:
    """Score every customer (activity, LTV), grade, fire the dormant trigger, create cadence tasks."""
    return await _grading.run(ctx, fire_at)


@job("regrade_quarterly", schedule="regrade_quarterly")
async def regrade_quarterly(ctx: Context, fire_at: datetime) -> str:
    """Propose the quarter's grade changes and send managers the review card (nothing changes before approval)."""
    return await _regrade.run(ctx, fire_at)


@job("dead_letters", schedule="dead_letters")
async def dead_letters(ctx: Context, fire_at: datetime) -> str:
    """Send admins the messages that could not be delivered, with why and how to resend them, once a day."""
    return await _dead_letters.run(ctx, fire_at)


@job("scorecards_weekly", schedule="scorecards_weekly")
async def scorecards_weekly(ctx: Context, fire_at: datetime) -> str:
    """Score every rep's week, keep the history, light them and give managers coaching tasks."""
    return await _scorecards_weekly.run(ctx, fire_at)


@job("monthly_dashboard", schedule="monthly_dashboard")
async def monthly_dashboard(ctx: Context, fire_at: datetime) -> str:
    """On the dashboard day, push each rep their monthly health dashboard and bonus statement."""
    return await _monthly_dashboard.run(ctx, fire_at)


@job("accepted_deliveries", schedule="accepted_deliveries")
async def accepted_deliveries(ctx: Context, fire_at: datetime) -> str:
    """Release deferred bonus shares of accepted deliveries and send each new customer's NPS survey link."""
    return await _accepted_deliveries.run(ctx, fire_at)


@job("root_cause", schedule="root_cause")
async def root_cause(ctx: Context, fire_at: datetime) -> str:
    """When a team's or region's conversion fell two weeks running, push the main cause to its managers."""
    return await _root_cause.run(ctx, fire_at)
