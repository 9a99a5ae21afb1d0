"""今日必做三件事: rank each rep's candidate actions by one documented score, keep the top three (no I/O).

The score of a candidate with `h` hours left until its deadline (negative once overdue) is

    score = WEIGHT[kind] × urgency(h)
    urgency(h) = 1 / (1 + h / 8)          while time is left: 1 at the deadline, ½ with 8 h left, ⅕ with 32 h
               = 1 + min(-h, 72) / 72     once overdue: grows from 1 to 2 over three days, then stays at 2

WEIGHT: sla 100 (a new lead's golden hours — the costliest thing to miss), attack 80 (攻坚 actions),
quote 70 (报价反馈: a quote without feedback goes cold), stalled 60 (days in stage past the stage's
benchmark), task 50 (other follow-up tasks), cadence 40 (grade cadence: A/B/C customers not touched within
7/14/30 days). Ties go to the earlier deadline, then the item key. One item per subject (a deal, a lead, a
customer), so three items are three different things to do. Items the rep finished today or snoozed are
left out by the caller.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

WEIGHT = {"sla": 100, "attack": 80, "quote": 70, "stalled": 60, "task": 50, "cadence": 40}
WHY = {"sla": "黄金4小时：新线索要首次响应", "attack": "攻坚动作到期", "quote": "报价已发，要拿到客户反馈",
       "stalled": "在当前阶段停留超过标准天数", "task": "跟进任务到期", "cadence": "客户分级回访节奏"}
CADENCE_DAYS = {"A": 7, "B": 14, "C": 30}  # how often a customer of each grade should hear from us
QUOTE_FOLLOWUP_DAYS = 3  # ask for feedback this long after the quote went out
TOP = 3


@dataclass(frozen=True)
class Candidate:
    """Something a rep could do today, with its deadline; `key` is stable across days (done/snooze use it)."""

    owner_id: int
    key: str  # "lead:12", "task:5", "opp:7", "cust:9"
    kind: str  # a WEIGHT key
    subject: str  # the customer's name, or the task's title
    due_at: datetime
    detail: str = ""  # the stage name, or the customer's grade
    about: str = ""  # the deal / lead / customer it concerns, so one subject appears once


@dataclass(frozen=True)
class Item:
    """One ranked must-do line: what to do, why, and how long is left."""

    key: str
    kind: str
    text: str
    why: str
    score: float


def urgency(hours_left: float) -> float:
    """Return the urgency factor of the documented score."""
    if hours_left >= 0:
        return 1 / (1 + hours_left / 8)
    return 1 + min(-hours_left, 72) / 72


def score(c: Candidate, now: datetime) -> float:
    """Return WEIGHT[kind] × urgency(hours left)."""
    return WEIGHT[c.kind] * urgency((c.due_at - now).total_seconds() / 3600)


def left_label(now: datetime, due: datetime) -> str:
    """Say how long is left or how late it is: "距超时剩2小时", "已超时3天"."""
    seconds = (due - now).total_seconds()
    span = _span(abs(seconds))
    return f"距超时剩{span}" if seconds >= 0 else f"已超时{span}"


def _span(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))}分钟"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}小时"
    return f"{int(seconds // 86400)}天"


def describe(c: Candidate, now: datetime) -> str:
    """Write the line a rep reads, e.g. "跟进华东医疗报价反馈（距超时剩2小时）"."""
    left = left_label(now, c.due_at)
    what = {"sla": f"首次联系{c.subject}的新线索", "attack": c.subject, "task": c.subject,
            "quote": f"跟进{c.subject}报价反馈", "stalled": f"推进{c.subject}出“{c.detail}”阶段",
            "cadence": f"回访{c.detail}类客户{c.subject}"}[c.kind]
    return f"{what}（{left}）"


def rank(candidates: Iterable[Candidate], now: datetime, skip: Set[tuple[int, str]] = frozenset(),
         top: int = TOP) -> dict[int, list[Item]]:
    """Return each owner's top items, best first, leaving out (owner, key) pairs in `skip`."""
    by_owner: dict[int, list[tuple[float, float, str, Candidate]]] = defaultdict(list)
    for c in candidates:
        if (c.owner_id, c.key) not in skip:
            by_owner[c.owner_id].append((score(c, now), -c.due_at.timestamp(), c.key, c))
    return {owner: _pick(rows, now, top) for owner, rows in by_owner.items()}


def _pick(rows: list[tuple[float, float, str, Candidate]], now: datetime, top: int) -> list[Item]:
    """Keep the best `top` rows whose subjects differ (score high first, then earlier deadline, then key)."""
    order = lambda r: (-r[0], -r[1], r[2])  # noqa: E731
    best = heapq.nsmallest(top * 4, rows, key=order)
    items = _distinct(best, now, top)
    if len(items) < top and len(rows) > len(best):  # many lines about one subject: look at all of them
        items = _distinct(sorted(rows, key=order), now, top)
    return items


def _distinct(rows: list[tuple[float, float, str, Candidate]], now: datetime, top: int) -> list[Item]:
    out: list[Item] = []
    seen: set[str] = set()
    for s, _, _, c in rows:
        about = c.about or c.key
        if about not in seen:
            seen.add(about)
            out.append(Item(c.key, c.kind, describe(c, now), WHY[c.kind], round(s, 2)))
        if len(out) == top:
            break
    return out


def cadence_due(grade: str, last_touch: datetime | None, now: datetime) -> datetime:
    """Return when a customer of `grade` is due for a touch (now when never touched)."""
    return now if last_touch is None else last_touch + timedelta(days=CADENCE_DAYS[grade])
