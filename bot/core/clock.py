"""Injected time: production uses the system clock, tests and the playground move a manual one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, playground time travel)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the frozen time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by delta and return the new time."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to an absolute time."""
        self._now = when if when.tzinfo else when.replace(tzinfo=UTC)


class OffsetClock:
    """The system clock shifted by an offset, so the playground can move time while serving."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """Return base time plus the offset."""
        return self._base.now() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by delta and return the new time."""
        self.offset += delta
        return self.now()


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes (SQLite returns them) as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
