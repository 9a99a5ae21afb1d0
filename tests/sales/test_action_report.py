"""The monthly action report's rules: the lowest completion first, the month a manager asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sales.action_report import least_done, month_bounds

SH = ZoneInfo("Asia/Shanghai")


def test_least_done_orders_by_completion():
    @dataclass(frozen=True)
    class A:
        title: str
        due: int
        done: int

    assert [a.title for a in least_done([A("a", 4, 4), A("b", 4, 1), A("c", 0, 0), A("d", 8, 2)])] == ["d", "b", "a"]


def test_month_bounds_in_the_org_timezone():
    now = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # already 2027-01-01 01:00 in Shanghai
    label, start, end = month_bounds("", now, SH)
    assert label == "2027-01" and start == datetime(2027, 1, 1, tzinfo=SH) and end == datetime(2027, 2, 1, tzinfo=SH)
    assert month_bounds("上月", now, SH)[0] == "2026-12"
    assert month_bounds("2026-11", now, SH)[1:] == (datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH))
    assert month_bounds("2026年3月", now, SH)[0] == "2026-03"
    assert month_bounds("2026-13", now, SH) is None and month_bounds("下个月", now, SH) is None
