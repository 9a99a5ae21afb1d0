"""断点: each team's top-10 stuck leads and deals, ranked by value × staleness (no I/O).

A deal is stuck when it has sat in its stage longer than the stage's benchmark days; a lead is stuck when
it got no first response within LEAD_RESPONSE_DAYS of being assigned, or was accepted but neither converted
nor lost within LEAD_CONVERT_DAYS. For each stuck item

    staleness = days since it got stuck-prone (stage entry / assignment / acceptance) ÷ its benchmark days
    value     = the deal's amount, else the middle of the budget the customer said, else LEAD_VALUE (yuan)
    score     = value in 万 × staleness

so a 50万 deal two benchmarks late outranks a 10万 deal five benchmarks late. The card says only where it
is stuck (卡在哪一阶), who owns it (谁负责), since when, and when it should be solved (何时解) with one
suggested action.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

LEAD_VALUE = 100_000  # a lead has no amount yet; count it like a 10万 deal
LEAD_RESPONSE_DAYS = 1  # an unanswered lead a day after assignment is as late as a deal at its benchmark
LEAD_CONVERT_DAYS = 14  # an accepted lead should become a deal (or be closed) within two weeks
TOP = 10
INACTIVE_STEP = "负责人已停用：请交接（salesbot handover 负责人 接手人）"
LEAD_STEPS = {"lead_response": ("线索·首次响应", "今天先打电话，发“跟进 内容”记录首次响应"),
              "lead_convert": ("线索·转商机", "约需求沟通：能成就“新建商机”，不能成就标记流失")}


@dataclass(frozen=True)
class Stuck:
    """One stuck lead or deal as the repository found it."""

    key: str  # "opp:7" / "lead:12"
    team_id: int
    owner_id: int
    owner: str
    subject: str  # the customer's name
    where: str  # the stage's Chinese name, or a LEAD_STEPS label
    since: datetime
    bench_days: float
    value: int
    step: str  # the suggested action


@dataclass(frozen=True)
class Breakpoint:
    """One line of the manager's card."""

    key: str
    owner_id: int
    subject: str
    where: str
    owner: str
    since: str  # "11-12 起，停 15 天（标准 10 天）"
    solve_by: str  # "今天" / "明天"
    step: str
    score: float


def staleness(item: Stuck, as_of: datetime) -> float:
    """Return days stuck ÷ benchmark days."""
    return (as_of - item.since).total_seconds() / 86400 / item.bench_days


def deal_value(amount: int | None, low: int | None, high: int | None) -> int:
    """Return the amount, else the middle of the said budget, else LEAD_VALUE."""
    if amount:
        return amount
    said = [v for v in (low, high) if v]
    return sum(said) // len(said) if said else LEAD_VALUE


def rank(items: Iterable[Stuck], as_of: datetime, tz: tzinfo, top: int = TOP) -> dict[int, list[Breakpoint]]:
    """Return each team's top stuck items by value × staleness, best first."""
    by_team: dict[int, list[tuple[float, str, Stuck]]] = defaultdict(list)
    for item in items:
        stale = staleness(item, as_of)
        if stale >= 1:
            by_team[item.team_id].append((item.value / 10_000 * stale, item.key, item))
    return {team: [_line(s, it, as_of, tz) for s, _, it in heapq.nsmallest(top, rows, key=lambda r: (-r[0], r[1]))]
            for team, rows in by_team.items()}


def _line(score: float, item: Stuck, as_of: datetime, tz: tzinfo) -> Breakpoint:
    days = (as_of - item.since).days
    bench = f"{item.bench_days:g}"
    since = f"{item.since.astimezone(tz):%m-%d} 起，停 {days} 天（标准 {bench} 天）"
    solve_by = "今天" if staleness(item, as_of) >= 2 else "明天"
    return Breakpoint(item.key, item.owner_id, item.subject, item.where, item.owner, since, solve_by, item.step,
                      round(score, 1))


def nudge_text(manager: str, b: Breakpoint) -> str:
    """What the owner reads on the nudge card."""
    return f"{manager} 催一下：{b.subject} 卡在“{b.where}”，{b.since}。请{b.solve_by}解决：{b.step}"
