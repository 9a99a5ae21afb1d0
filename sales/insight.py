"""The weekly suggestion: mined from a team's or a rep's OWN closed deals, or nothing (no I/O).

For every segment (all deals, and each industry) and every behaviour below, the deals are split into
those with and without the behaviour and their win rates compared. A suggestion is shown only when the
evidence is strong enough — the rule:

- each side has at least MIN_GROUP closed deals for a team, MIN_GROUP_REP for one rep,
- the win rate with the behaviour is at least MIN_LIFT times the rate without it, and
- a two-sided two-proportion z-test gives |z| ≥ MIN_Z (95 % confidence).

Among the passing findings the one with the largest z (the strongest evidence) is sent; when none passes,
nothing is sent (never a weak one). What people read carries no statistics words: the seed's form
"您跟进的制造业客户，方案演示后3天内报价，成单率提升2.3倍" and "基于41个客户".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MIN_GROUP = 15
MIN_GROUP_REP = 8
MIN_LIFT = 1.5
MIN_Z = 1.96
BEHAVIOURS = {"visit": "有过上门拜访", "demo": "做过线上演示", "fast": "首次响应在30分钟内", "touch8": "跟进达到8次",
              "quick_quote": "方案演示后3天内报价"}
ALL = ""  # the segment of all deals


@dataclass(frozen=True)
class Deal:
    """A closed deal and what happened during it."""

    industry: str
    won: bool
    traits: frozenset[str]  # BEHAVIOURS keys that were true for this deal
    owner_id: int | None = None


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

    def text(self, who: str = "您跟进的") -> str:
        """Say it like "您跟进的制造业客户，方案演示后3天内报价，成单率提升2.3倍"."""
        return f"{who}{self.segment}客户，{BEHAVIOURS[self.behaviour]}，成单率提升{self.lift:.1f}倍"

    def basis(self) -> str:
        """Say how many customers it rests on, without statistics words: "基于41个客户"."""
        return f"基于{self.n}个客户"

    def detail(self) -> str:
        """Give the counts behind it (for managers)."""
        return (f"做到的：{self.won_with}/{self.n_with} 成单（{self.won_with / self.n_with:.0%}）；"
                f"没做到的：{self.won_without}/{self.n_without} 成单（{self.won_without / self.n_without:.0%}）")


def z_score(a: int, n1: int, b: int, n2: int) -> float:
    """Return the two-proportion z statistic of a/n1 against b/n2 (0 when undefined)."""
    if not (n1 and n2):
        return 0.0
    pooled = (a + b) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (a / n1 - b / n2) / se if se else 0.0


def evaluate(deals: list[Deal], segment: str, behaviour: str, min_group: int = MIN_GROUP) -> Finding | None:
    """Return the finding when it passes the evidence rule, else None."""
    mine = [d for d in deals if segment in (ALL, d.industry)]
    have = [d for d in mine if behaviour in d.traits]
    lack = [d for d in mine if behaviour not in d.traits]
    if len(have) < min_group or len(lack) < min_group:
        return None
    a, b = sum(d.won for d in have), sum(d.won for d in lack)
    if b == 0 or a == 0:
        return None
    lift = (a / len(have)) / (b / len(lack))
    z = z_score(a, len(have), b, len(lack))
    if lift < MIN_LIFT or abs(z) < MIN_Z:
        return None
    return Finding(segment, behaviour, len(mine), a, len(have), b, len(lack), round(lift, 2), round(z, 2))


def findings(deals: list[Deal], min_group: int = MIN_GROUP) -> list[Finding]:
    """Return every passing finding over all segments and behaviours, strongest first."""
    segments = [ALL, *sorted({d.industry for d in deals if d.industry})]
    found = [f for s in segments for b in BEHAVIOURS if (f := evaluate(deals, s, b, min_group))]
    return sorted(found, key=lambda f: (-f.z, f.segment == ALL, f.segment, f.behaviour))  # ties: the specific one


def best(deals: list[Deal], min_group: int = MIN_GROUP) -> Finding | None:
    """Return the strongest passing finding in these deals (a team's or a rep's own), else None."""
    return next(iter(findings(deals, min_group)), None)


def best_for(found: list[Finding], industries: Iterable[str]) -> Finding | None:
    """Return the strongest finding for a team selling to these industries (or for all deals), else None."""
    relevant = {ALL, *industries}
    return next((f for f in found if f.segment in relevant), None)
