"""Red / yellow / green: a rep's light from this week's and last week's totals (no I/O).

    yellow: total below `yellow_below` two weeks running (this week and the week before)
    red:    total below `red_below` (the stricter threshold) two weeks running
    green:  otherwise; no light ("") while there is no data yet
"""

from __future__ import annotations

from datetime import datetime, timedelta

LIGHT_LABELS = {"green": "🟢 绿灯", "yellow": "🟡 黄灯", "red": "🔴 红灯", "": "⚪ 暂无数据"}
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "": 3}


def light(this_week: float | None, last_week: float | None, yellow_below: float, red_below: float) -> str:
    """Return "green", "yellow", "red", or "" when this week has no total."""
    if this_week is None:
        return ""
    if last_week is None:
        return "green"
    if this_week < red_below and last_week < red_below:
        return "red"
    if this_week < yellow_below and last_week < yellow_below:
        return "yellow"
    return "green"


def week_label(end: datetime) -> str:
    """Return the ISO week ending just before `end`, e.g. "2026-W49" (the period a weekly score covers)."""
    iso = (end - timedelta(days=1)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"
