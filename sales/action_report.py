"""The monthly action-completion report (no I/O): completion and win rate per strategy, and per action the win
rate when it was done against when it was skipped; which month a manager asks for. Rates read as in
sales/attack_stats.py ("87%（13/15）", "样本少" under a small sample).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Protocol

from sales.attack_stats import rate


class StrategyLike(Protocol):
    @property
    def scenario(self) -> str: ...

    @property
    def strategy(self) -> str: ...

    @property
    def cards(self) -> int: ...

    @property
    def due(self) -> int: ...

    @property
    def done(self) -> int: ...

    @property
    def closed(self) -> int: ...

    @property
    def won(self) -> int: ...


class ActionLike(Protocol):
    @property
    def scenario(self) -> str: ...

    @property
    def strategy(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def due(self) -> int: ...

    @property
    def done(self) -> int: ...

    @property
    def done_closed(self) -> int: ...

    @property
    def done_won(self) -> int: ...

    @property
    def skipped_closed(self) -> int: ...

    @property
    def skipped_won(self) -> int: ...


def strategy_line(s: StrategyLike) -> str:
    """One strategy of the monthly report: completion of its actions, win rate of its deals, cards."""
    return (f"{s.scenario}·{s.strategy}：动作完成 {rate(s.done, s.due)} · 赢单 {rate(s.won, s.closed)}"
            f" · {s.cards} 张卡")


def action_line(a: ActionLike) -> str:
    """One action of the monthly report: how often it was done, and the win rate when done vs when skipped."""
    return (f"{a.title}（{a.strategy}）：完成 {rate(a.done, a.due)}；做了的赢单 {rate(a.done_won, a.done_closed)}，"
            f"跳过的赢单 {rate(a.skipped_won, a.skipped_closed)}")


def least_done(actions: Iterable[ActionLike]) -> list[ActionLike]:
    """Actions ordered by completion rate, lowest first (ties: more cases first)."""
    return sorted((a for a in actions if a.due), key=lambda a: (a.done / a.due, -a.due, a.title))


def month_bounds(words: str, now: datetime, tz: tzinfo) -> tuple[str, datetime, datetime] | None:
    """Read "", "上月"/"上个月" or "YYYY-MM" into (label, first instant, first instant of the next month)."""
    local = now.astimezone(tz)
    year, month = local.year, local.month
    words = words.strip()
    if words in ("上月", "上个月", "last"):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    elif words:
        found = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})月?", words)
        if not found or not 1 <= int(found.group(2)) <= 12:
            return None
        year, month = int(found.group(1)), int(found.group(2))
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return f"{year}-{month:02d}", start, end
