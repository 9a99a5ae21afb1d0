"""The balanced scorecard: indicator scores, result and health scores, the total and its formula (no I/O).

Every indicator scores 0–100 (docs/scorecards.md gives each one's definition, source and window):

    result indicators (签单额, 新客户数, 赢单数):   s = 100 × min(value / team average, cap) / cap
    线索转商机率:       s = 100 × min(1, rate / industry benchmark rate)
    阶段推进:           s = 100 × Σ moves × min(1, benchmark days / actual days) / Σ moves
    客户满意度 NPS:     s = 100 × clamp((NPS + 100) / (benchmark NPS + 100), 0, 1)
    新客户开发:         s = 100 × min(1, new customers' share of revenue / target share)
    客户留存率:         s = 100 × (1 − lost / base)

R and H are the weighted means of the present indicators of each group (an indicator without data gives its
weight to the others of its group); total = Σ weights × scores = (1 − h) × R + h × H with h the health weights'
sum. A member with no data at all, or without any result or any health indicator, has no total ("暂无数据").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sales.benchmarks import Benchmarks

RESULTS: tuple[str, ...] = ("signed_amount", "new_customers", "wins")
HEALTH: tuple[str, ...] = ("conversion", "stage_progress", "nps", "new_customer_development", "retention")
LABELS: dict[str, str] = {
    "signed_amount": "签单额", "new_customers": "新客户开发量", "wins": "赢单数", "conversion": "线索转商机率",
    "stage_progress": "阶段推进", "nps": "客户满意度（净推荐值）", "new_customer_development": "新客户收入占比",
    "retention": "客户留存率",
}
NO_DATA = "暂无数据"


@dataclass
class Facts:
    """One rep's raw numbers over the result window (first three) and the health window (the rest)."""

    signed_amount: int = 0
    new_customers: int = 0
    wins: int = 0
    leads: dict[str, tuple[int, int]] = field(default_factory=dict)  # industry -> (assigned, converted)
    stages: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)  # (industry, stage) -> (n, days)
    nps: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # industry -> (answers, promoters, detractors)
    health_amount: int = 0
    new_amount: int = 0
    base_customers: int = 0
    lost_customers: int = 0

    def empty(self) -> bool:
        """Return True when the rep has no number at all in either window."""
        return not (self.signed_amount or self.new_customers or self.wins or self.leads or self.stages
                    or self.nps or self.health_amount or self.base_customers)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its raw value (None: no data), the reference it is compared with, its score and weight."""

    key: str
    value: float | None
    reference: float | None
    score: float | None
    weight: float


@dataclass(frozen=True)
class Scorecard:
    """A rep's scores: per indicator, per group, the total and the share of health in it."""

    member_id: int
    indicators: dict[str, Indicator]
    result_score: float | None
    health_score: float | None
    health_weight: float
    total: float | None

    @property
    def has_data(self) -> bool:
        """Return True when a total could be computed."""
        return self.total is not None


@dataclass(frozen=True)
class Rules:
    """The `[scorecard]` settings the formulas need."""

    weights: dict[str, float]
    ratio_cap: float = 1.5
    new_share_target: float = 0.30

    @property
    def health_weight(self) -> float:
        """Return the sum of the health indicators' weights."""
        return round(sum(self.weights.get(k, 0.0) for k in HEALTH), 6)


def raw_values(f: Facts) -> dict[str, float | None]:
    """Return each indicator's raw value (rates as 0–1, NPS as −100…100), None where there is no data."""
    assigned = sum(a for a, _ in f.leads.values())
    answers = sum(n for n, _, _ in f.nps.values())
    return {
        "signed_amount": float(f.signed_amount), "new_customers": float(f.new_customers), "wins": float(f.wins),
        "conversion": sum(c for _, c in f.leads.values()) / assigned if assigned else None,
        "stage_progress": None,  # a score only; see stage_score
        "nps": nps_value(*(sum(x[i] for x in f.nps.values()) for i in range(3))) if answers else None,
        "new_customer_development": f.new_amount / f.health_amount if f.health_amount > 0 else None,
        "retention": 1 - f.lost_customers / f.base_customers if f.base_customers else None,
    }


def nps_value(answers: int, promoters: int, detractors: int) -> float:
    """Return the net promoter score: % promoters (9–10) − % detractors (0–6)."""
    return 100.0 * (promoters - detractors) / answers


def stage_score(f: Facts, bench: Benchmarks) -> tuple[float | None, float | None]:
    """Return (average days per stage move, score) against each move's industry benchmark."""
    moves = sum(n for n, _ in f.stages.values())
    if not moves:
        return None, None
    total = 0.0
    for (industry, stage), (n, days) in f.stages.items():
        avg = days / n
        total += n * (1.0 if avg <= 0 else min(1.0, bench.stage_days(industry, stage) / avg))
    return sum(d for _, d in f.stages.values()) / moves, 100 * total / moves


def _weighted_bench(parts: Mapping[str, tuple[int, ...]], pick: Callable[[str], float]) -> float:
    weight = sum(p[0] for p in parts.values())
    return sum(p[0] * pick(ind) for ind, p in parts.items()) / weight


def score_rep(member_id: int, f: Facts, team_avg: dict[str, float], bench: Benchmarks, rules: Rules) -> Scorecard:
    """Score one rep against their team's averages and the industry benchmarks."""
    raw = raw_values(f)
    refs: dict[str, float | None] = {k: team_avg.get(k) for k in RESULTS}
    scores: dict[str, float | None] = {k: _ratio_score(raw[k], refs[k], rules.ratio_cap) for k in RESULTS}
    if raw["conversion"] is not None:
        refs["conversion"] = _weighted_bench(f.leads, bench.conversion)
        scores["conversion"] = 100 * min(1.0, raw["conversion"] / refs["conversion"]) if refs["conversion"] else 100.0
    raw["stage_progress"], scores["stage_progress"] = stage_score(f, bench)
    if raw["nps"] is not None:
        nps_ref = refs["nps"] = _weighted_bench(f.nps, bench.nps)
        scores["nps"] = 100 * max(0.0, min(1.0, (raw["nps"] + 100) / (nps_ref + 100)))
    if raw["new_customer_development"] is not None:
        refs["new_customer_development"] = rules.new_share_target
        scores["new_customer_development"] = 100 * min(1.0, raw["new_customer_development"] / rules.new_share_target)
    if raw["retention"] is not None:
        refs["retention"] = float(f.base_customers)
        scores["retention"] = 100 * raw["retention"]
    if f.empty():
        scores = dict.fromkeys(scores)
    inds = {k: Indicator(k, raw.get(k), refs.get(k), scores.get(k), rules.weights.get(k, 0.0))
            for k in RESULTS + HEALTH}
    r, h = _group(inds, RESULTS), _group(inds, HEALTH)
    hw = rules.health_weight
    total = None if r is None or h is None else round((1 - hw) * r + hw * h, 1)
    return Scorecard(member_id, inds, r, h, hw, total)


def _ratio_score(value: float | None, avg: float | None, cap: float) -> float | None:
    if value is None or not avg:
        return None  # nobody in the team has any: nothing to compare with
    return 100 * min(value / avg, cap) / cap


def _group(inds: dict[str, Indicator], keys: tuple[str, ...]) -> float | None:
    present = [(i.weight, i.score) for k in keys if (i := inds[k]).score is not None and i.weight > 0]
    weight = sum(w for w, _ in present)
    if not weight:
        return None
    return round(sum(w * s for w, s in present if s is not None) / weight, 1)


def team_averages(facts: dict[int, Facts], members: list[int]) -> dict[str, float]:
    """Return the average of each result indicator over the team's members (zeros included)."""
    if not members:
        return {}
    return {k: sum(getattr(facts.get(m, Facts()), k) for m in members) / len(members) for k in RESULTS}
