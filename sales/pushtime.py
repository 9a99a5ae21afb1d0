"""When pushes may go out: the org's quiet hours and holiday list, and the local day a push belongs to (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo


def local_day(at: datetime, tz: tzinfo) -> str:
    """Return the org-local date of `at` as YYYY-MM-DD (the date in outbox keys like must_do:<date>:<member>)."""
    return at.astimezone(tz).date().isoformat()


def day_bounds(at: datetime, tz: tzinfo, days: int = 1) -> tuple[datetime, datetime]:
    """Return [local midnight of `at`'s day, that midnight + `days`), both aware."""
    local = at.astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, (start + timedelta(days=days)).replace(tzinfo=tz)


def is_holiday(at: datetime, tz: tzinfo, holidays: Iterable[str]) -> bool:
    """Return True when `at` falls on a configured holiday (org-local date)."""
    return local_day(at, tz) in set(holidays)


def _parse(spec: str) -> tuple[time, time]:
    a, _, b = spec.partition("-")
    return time.fromisoformat(a), time.fromisoformat(b)


def quiet_until(at: datetime, tz: tzinfo, spec: str) -> datetime | None:
    """Return when the quiet hours around `at` end, or None when `at` is outside them.

    `spec` is "HH:MM-HH:MM" in org time and may wrap midnight ("22:00-08:00"); equal ends mean no quiet hours.
    """
    start, end = _parse(spec)
    if start == end:
        return None
    local = at.astimezone(tz)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)
