"""When jobs fire: APScheduler triggers from ScheduleConfig, and the fire key of one scheduled run."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import ConfigProblem, Settings
from bot.core.errors import ConfigError
from scheduler.registry import JobSpec

# Interval runs are aligned to the epoch, so every replica fires on the same boundaries
# (with 5 minutes: :00, :05, …) and rounding down to the interval gives the same key everywhere.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEY_FORMAT = "%Y-%m-%dT%H:%M"
_WHEN = re.compile(r"^(?:(mon|tue|wed|thu|fri|sat|sun) )?([01]\d|2[0-3]):([0-5]\d)$")


def setting(spec: JobSpec, settings: Settings) -> str | int:
    """Return the job's `[schedule]` value, e.g. "09:00", "mon 09:00" or 5 (minutes)."""
    value = getattr(settings.schedule, spec.schedule, None)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError([_problem(settings, spec, f"job {spec.name} has no schedule setting",
                                    "register the job with an existing [schedule] key")])
    return value


def describe(spec: JobSpec, settings: Settings) -> str:
    """Say when the job fires, for people: "every 5 min", "daily 09:00", "mon 09:00"."""
    value = setting(spec, settings)
    if isinstance(value, int):
        return f"every {value} min"
    return value if " " in value else f"daily {value}"


def build_trigger(spec: JobSpec, settings: Settings) -> BaseTrigger:
    """Return the APScheduler trigger for a job, in the org timezone."""
    value, tz = setting(spec, settings), settings.tz
    if isinstance(value, int):
        if value < 1:
            raise ConfigError([_problem(settings, spec, f"{value} is not a positive number of minutes",
                                        "set it to 1 or more")])
        return IntervalTrigger(minutes=value, start_date=EPOCH, timezone=tz)
    day, hour, minute = _parse_when(spec, settings, value)
    return CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=tz)


def fire_key(spec: JobSpec, at: datetime, settings: Settings) -> str:
    """Return the key of the run scheduled at `at`: org-local time to the minute, intervals rounded down."""
    tz = settings.tz
    local = as_local(at, tz)
    value = setting(spec, settings)
    if isinstance(value, int):
        step = value * 60
        local = datetime.fromtimestamp(int(local.timestamp()) // step * step, tz)
    return local.strftime(KEY_FORMAT)


def as_local(at: datetime, tz: ZoneInfo) -> datetime:
    """Convert to the org timezone; a naive time is taken to be org-local already."""
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


def _parse_when(spec: JobSpec, settings: Settings, value: str) -> tuple[str, int, int]:
    """Split "HH:MM" or "ddd HH:MM" into (day_of_week, hour, minute)."""
    match = _WHEN.match(value)
    if match is None:
        raise ConfigError([_problem(settings, spec, f"{value!r} is neither 'HH:MM' nor 'ddd HH:MM'",
                                    'write it like "09:00" or "mon 09:00"')])
    day, hour, minute = match.groups()
    return day or "*", int(hour), int(minute)


def _problem(settings: Settings, spec: JobSpec, problem: str, fix: str) -> ConfigProblem:
    return ConfigProblem(settings.source, f"schedule.{spec.schedule}", problem, fix)
