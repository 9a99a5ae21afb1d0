"""The weekly insight: one suggestion mined from the org's own closed deals, or nothing (no I/O).

For every segment (all deals, and each industry) and every behaviour below, closed deals are split into
those with and without the behaviour and their win rates compared. A suggestion is shown only when the
evidence is strong enough — the rule:

- each side has at least MIN_GROUP closed deals (so n ≥ 2 × MIN_GROUP),
- the win rate with the behaviour is at least MIN_LIFT times the rate without it, and
- a two-sided two-proportion z-test gives |z| ≥ MIN_Z (95 % confidence).

Among the passing findings a team gets the one with the largest z (the strongest evidence) among the
segments it sells to; when none passes, the team gets no insight at all (never a weak one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MIN_GROUP = 15
MIN_LIFT = 1.5
MIN_Z = 1.96
BEHAVIOURS = {"visit": "有过上门拜访", "demo": "做过线上演示", "fast": "首次响应在30分钟内", "touch8": "跟进达到8次"}
ALL = ""  # the segment of all deals


@dataclass(frozen=True)
class Deal:
    """A closed deal and what happened during it."""

    industry: str
    won: bool
    traits: frozenset[str]  # BEHAVIOURS keys that were true for this deal


@dataclass(frozen=True)
class Finding:
    """One behaviour's effect on the win rate within a segment, with its evidence."""

    segment: str
    behaviour: str
    n: int
    won_with: int
    n_with: int
    won_without: int
    n_without: int
    lift: float
    z: float

    def text(self) -> str:
        """Say it like "制造客户有过上门拜访，成单率是其他的2.3倍（看了41单）"."""
        who = f"{self.segment}客户" if self.segment else "商机"
        return f"{who}{BEHAVIOURS[self.behaviour]}，成单率是其他的{self.lift:.1f}倍（看了{self.n}单）"

    def detail(self) -> str:
        """Give the numbers behind it."""
        return (f"有：{self.won_with}/{self.n_with} 成单（{self.won_with / self.n_with:.0%}）；"
                f"没有：{self.won_without}/{self.n_without} 成单（{self.won_without / self.n_without:.0%}）；"
                f"{_confidence(self.z)}")


def _confidence(z: float) -> str:
    """The statistic in words a rep understands (z ≥ 2.6 ≈ 99 %, ≥ 2 ≈ 95 % two-sided)."""
    if abs(z) >= 2.6:
        return "差别很明显，基本不是巧合"
    return "差别明显，大概率不是巧合" if abs(z) >= 2 else "差别还不稳定，仅供参考"


def z_score(a: int, n1: int, b: int, n2: int) -> float:
    """Return the two-proportion z statistic of a/n1 against b/n2 (0 when undefined)."""
    if not (n1 and n2):
        return 0.0
    pooled = (a + b) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (a / n1 - b / n2) / se if se else 0.0


def evaluate(deals: list[Deal], segment: str, behaviour: str) -> Finding | None:
    """Return the finding when it passes the evidence rule, else None."""
    mine = [d for d in deals if segment in (ALL, d.industry)]
    have = [d for d in mine if behaviour in d.traits]
    lack = [d for d in mine if behaviour not in d.traits]
    if len(have) < MIN_GROUP or len(lack) < MIN_GROUP:
        return None
    a, b = sum(d.won for d in have), sum(d.won for d in lack)
    if b == 0 or a == 0:
        return None
    lift = (a / len(have)) / (b / len(lack))
    z = z_score(a, len(have), b, len(lack))
    if lift < MIN_LIFT or abs(z) < MIN_Z:
        return None
    return Finding(segment, behaviour, len(mine), a, len(have), b, len(lack), round(lift, 2), round(z, 2))


def findings(deals: list[Deal]) -> list[Finding]:
    """Return every passing finding over all segments and behaviours, strongest first."""
    segments = [ALL, *sorted({d.industry for d in deals if d.industry})]
    found = [f for s in segments for b in BEHAVIOURS if (f := evaluate(deals, s, b))]
    return sorted(found, key=lambda f: (-f.z, f.segment, f.behaviour))


def best_for(found: list[Finding], industries: Iterable[str]) -> Finding | None:
    """Return the strongest finding for a team selling to these industries (or for all deals), else None."""
    relevant = {ALL, *industries}
    return next((f for f in found if f.segment in relevant), None)
