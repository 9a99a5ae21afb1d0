"""The golden 4 hours: first-response deadlines, optional working-hours clocks, reminders (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

RESPONSE_KINDS = ("followup", "stage_change", "wecom_contact")


@dataclass(frozen=True)
class WorkWeek:
    """Working hours of the org (org-local), for deadlines counted in working time."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    days: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekdays

    @classmethod
    def parse(cls, hours: str, days: Sequence[int]) -> WorkWeek:
        """Build from "09:00-18:00" and [1..5]."""
        a, _, b = hours.partition("-")
        return cls(time.fromisoformat(a), time.fromisoformat(b), tuple(days))


def due_at(received: datetime, hours: float, tz: tzinfo, week: WorkWeek | None = None) -> datetime:
    """Return the first-response deadline: received + hours, counted in working time when `week` is set."""
    if week is None:
        return received + timedelta(hours=hours)
    left = timedelta(hours=hours)
    at = received.astimezone(tz)
    for _ in range(400):  # at most ~a year of days; a deadline never needs more
        start = at.replace(hour=week.start.hour, minute=week.start.minute, second=0, microsecond=0)
        end = at.replace(hour=week.end.hour, minute=week.end.minute, second=0, microsecond=0)
        if at.isoweekday() in week.days and at < end:
            begin = max(at, start)
            if begin + left <= end:
                return (begin + left).astimezone(received.tzinfo)
            left -= end - begin
        at = (at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raise ValueError("working hours leave no time to answer; check [leads] work_hours and work_days")


@dataclass(frozen=True)
class SlaAction:
    """What the scan does for one lead: remind at an offset, or flag the breach."""

    kind: str  # "remind" | "breach"
    minutes: int = 0


def next_action(now: datetime, due: datetime, reminded: int | None, offsets: Sequence[int]) -> SlaAction | None:
    """Return the action due now; a missed earlier reminder is dropped in favour of the latest one."""
    if now >= due:
        return SlaAction("breach")
    due_offsets = [m for m in offsets if now >= due - timedelta(minutes=m) and (reminded is None or m < reminded)]
    return SlaAction("remind", min(due_offsets)) if due_offsets else None


def countdown(now: datetime, due: datetime | None) -> str:
    """Say how long is left, or how late it is: "还剩 2小时05分" / "已超时 35分"."""
    if due is None:
        return "未计时"
    left = due - now
    label = _hm(abs(left))
    return f"还剩 {label}" if left >= timedelta(0) else f"已超时 {label}"


def _hm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}小时{minutes:02d}分" if hours else f"{minutes}分"


def median_minutes(samples: Sequence[float]) -> float | None:
    """Return the median of minute samples, or None for no samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
