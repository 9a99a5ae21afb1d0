"""When things happen in the demo: people's working time, and the scheduled jobs' fires over the moved period."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.config import Settings
from scheduler import registry
from scheduler.timing import build_trigger

# Fired at every scheduled time of the whole period: they change state later days read (the pool, scorecards,
# released bonus shares) or send the weekly and monthly cards the playground shows.
ALL_ALONG = ("pool_reclaim", "accepted_deliveries", "monthly_dashboard", "regrade_quarterly",
             "scorecards_weekly", "root_cause", "weekly_report", "weekly_insight")
# Grading fits the LTV model on every run (a few tenths of a second): at its time on Mondays, and daily at the end.
WEEKLY = ("grading",)
# Daily pushes that only send (nothing later reads them): fired on the last days, so the playground has today's.
LAST_DAYS, LAST_DAY_JOBS = 3, ("morning_breakpoints", "must_do", "daily_report", "grading")


def working(settings: Settings, at: datetime, start: time = time(9), end: time = time(18)) -> datetime:
    """The first moment at or after `at` inside working hours (org time, [leads] work_days)."""
    tz, days = settings.tz, settings.leads.work_days
    local = at.astimezone(tz)
    for _ in range(15):
        if local.isoweekday() in days and local.time() < end:
            return max(local, local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0))
        local = (local + timedelta(days=1)).replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    return local


def in_work(settings: Settings, at: datetime, delay: timedelta, spread: timedelta = timedelta(0)) -> datetime:
    """`delay` after `at`, counted from the next working moment (a rep answers in office hours); a moment that
    lands on the start of a working day moves on by `spread`, so a team's mornings do not all start at 09:00:00."""
    when = working(settings, working(settings, at) + delay)
    local = when.astimezone(settings.tz)
    return when + spread if (local.hour, local.minute, local.second) == (9, 0, 0) else when


def fires(settings: Settings, name: str, start: datetime, end: datetime) -> list[datetime]:
    """Every time the scheduler would fire job `name` in (start, end], per [schedule]."""
    trigger = build_trigger(registry.lookup(name), settings)
    out: list[datetime] = []
    when = trigger.get_next_fire_time(None, start)
    while when is not None and when <= end:
        if when > start:
            out.append(when)
        when = trigger.get_next_fire_time(when, when + timedelta(seconds=1))
    return out


def job_times(settings: Settings, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """(time, job) for every fire the demo makes, in time order."""
    times = [(at, name) for name in ALL_ALONG for at in fires(settings, name, start, end)]
    recent = max(start, end - timedelta(days=LAST_DAYS))
    times += [(at, name) for name in WEEKLY for at in fires(settings, name, start, recent)
              if at.astimezone(settings.tz).isoweekday() == 1]
    times += [(at, name) for name in LAST_DAY_JOBS for at in fires(settings, name, recent, end)]
    return sorted(times)
