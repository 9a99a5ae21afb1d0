"""The pool (公海) rules over plain data (no I/O): reclaim windows, warnings, claim limits."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Windows:
    """The [pool] countdowns in days."""

    follow_up: int
    deal: int
    warn: int
    by_grade: Mapping[str, int]

    def follow_up_days(self, grade: str) -> int:
        """The follow-up window of a grade (the default before grading has run)."""
        return self.by_grade.get(grade, self.follow_up) if grade else self.follow_up


@dataclass(frozen=True)
class Owned:
    """One owned customer as the reclaim scan sees it."""

    id: int
    name: str
    owner_id: int
    grade: str
    touched: datetime  # the last follow-up (else when the owner got it)
    since: datetime  # when the owner got it
    dealt: bool  # a won deal or an order since `since`
    warned: bool


@dataclass(frozen=True)
class Verdict:
    """reclaim (with the reason) or warn (with the days left); None for neither."""

    kind: str  # "reclaim" | "warn"
    reason: str
    days_left: int = 0


def judge(c: Owned, w: Windows, now: datetime) -> Verdict | None:
    """Decide one customer: past a window → reclaim; within `warn` days of one and not yet warned → warn."""
    fu_days = w.follow_up_days(c.grade)
    fu_due = c.touched + timedelta(days=fu_days)
    deal_due = None if c.dealt else c.since + timedelta(days=w.deal)
    if now >= fu_due:
        return Verdict("reclaim", f"{fu_days} 天没有跟进")
    if deal_due is not None and now >= deal_due:
        return Verdict("reclaim", f"{w.deal} 天没有成交")
    nearest = min(d for d in (fu_due, deal_due) if d is not None)
    left = nearest - now
    if w.warn and not c.warned and left <= timedelta(days=w.warn):
        why = "没有跟进" if nearest == fu_due else "没有成交"
        return Verdict("warn", why, max(1, math.ceil(left.total_seconds() / 86400)))
    return None


@dataclass(frozen=True)
class ClaimFacts:
    """What a claim is checked against."""

    claims_today: int
    owned: int
    cooled_until: datetime | None  # the member released / lost this customer to the pool recently


def refuse_claim(f: ClaimFacts, max_per_day: int, max_owned: int, now: datetime) -> str:
    """The refusal (empty when the claim may go ahead), saying what the limit is and what to do."""
    if f.claims_today >= max_per_day:
        return f"今天已经领取了 {f.claims_today} 个（每天最多 {max_per_day} 个），明天再来领。"
    if f.owned >= max_owned:
        return f"你名下已有 {f.owned} 个客户（上限 {max_owned} 个）；先放弃或成交一些再领。"
    if f.cooled_until is not None and now < f.cooled_until:
        days = max(1, (f.cooled_until - now).days + 1)
        return f"这个客户是你放弃（或被收回）的，冷却期内不能再领，{days} 天后可以。"
    return ""
