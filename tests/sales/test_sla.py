"""First-response deadlines (plain and in working hours), reminder choice, countdown labels."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sales.sla import SlaAction, WorkWeek, countdown, due_at, median_minutes, next_action

SH = ZoneInfo("Asia/Shanghai")
FRI_5PM = datetime(2026, 11, 27, 17, 0, tzinfo=SH)  # a Friday


def test_due_is_received_plus_hours_or_counted_in_working_time():
    assert due_at(FRI_5PM, 4, SH) == FRI_5PM + timedelta(hours=4)
    week = WorkWeek.parse("09:00-18:00", [1, 2, 3, 4, 5])
    assert due_at(FRI_5PM, 4, SH, week) == datetime(2026, 11, 30, 12, 0, tzinfo=SH)  # 1 h Fri + 3 h Mon
    assert due_at(FRI_5PM.replace(hour=7), 4, SH, week) == FRI_5PM.replace(hour=13)


def test_next_action_sends_each_reminder_once_then_breach():
    due = FRI_5PM
    offsets = [60, 30]
    assert next_action(due - timedelta(minutes=61), due, None, offsets) is None
    assert next_action(due - timedelta(minutes=60), due, None, offsets) == SlaAction("remind", 60)
    assert next_action(due - timedelta(minutes=45), due, 60, offsets) is None
    assert next_action(due - timedelta(minutes=30), due, 60, offsets) == SlaAction("remind", 30)
    assert next_action(due - timedelta(minutes=10), due, 30, offsets) is None
    assert next_action(due, due, 30, offsets) == SlaAction("breach")


def test_a_missed_reminder_is_replaced_by_the_latest():
    due = FRI_5PM
    assert next_action(due - timedelta(minutes=20), due, None, [60, 30]) == SlaAction("remind", 30)


def test_countdown_and_median():
    assert countdown(FRI_5PM, FRI_5PM + timedelta(hours=2, minutes=5)) == "还剩 2小时05分"
    assert countdown(FRI_5PM, FRI_5PM - timedelta(minutes=35)) == "已超时 35分"
    assert countdown(FRI_5PM, None) == "未计时"
    assert median_minutes([]) is None and median_minutes([3, 1, 2]) == 2 and median_minutes([1, 2, 3, 4]) == 2.5
