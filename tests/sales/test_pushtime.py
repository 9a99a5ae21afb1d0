"""Quiet hours (wrapping midnight) and holidays, in the org timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sales.pushtime import day_bounds, is_holiday, local_day, quiet_until

TZ = ZoneInfo("Asia/Shanghai")


def at(h: int, m: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=TZ)


def test_quiet_hours_wrapping_midnight():
    assert quiet_until(at(23, 10), TZ, "22:00-08:00") == at(8, day=28)
    assert quiet_until(at(7, 59), TZ, "22:00-08:00") == at(8)
    assert quiet_until(at(8), TZ, "22:00-08:00") is None and quiet_until(at(21, 59), TZ, "22:00-08:00") is None


def test_quiet_hours_within_a_day_and_switched_off():
    assert quiet_until(at(12, 30), TZ, "12:00-13:30") == at(13, 30)
    assert quiet_until(at(3), TZ, "00:00-00:00") is None


def test_holidays_and_days_are_org_local():
    utc_evening = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 on Oct 1 in Shanghai
    assert local_day(utc_evening, TZ) == "2026-10-01" and is_holiday(utc_evening, TZ, ["2026-10-01"])
    assert not is_holiday(at(9), TZ, ["2026-10-01"])
    start, end = day_bounds(at(15), TZ)
    assert (start, end) == (at(0), at(0, day=28))


def test_config_rejects_holidays_that_are_not_dates():
    import pytest

    from bot.config import load_settings
    from bot.core.errors import ConfigError

    assert load_settings(env={"SALESBOT__SCHEDULE__HOLIDAYS": '["2026-10-01"]'}).schedule.holidays == ["2026-10-01"]
    with pytest.raises(ConfigError) as err:
        load_settings(env={"SALESBOT__SCHEDULE__HOLIDAYS": '["10/01"]'})
    assert "schedule.holidays" in str(err.value) and "2026-10-01" in str(err.value)
