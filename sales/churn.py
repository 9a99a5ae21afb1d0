"""Churn features: what the customers lost in the last N days share, compared with those kept (no I/O).

For every factor value v: lost(v), kept(v), churn rate(v) = lost / (lost + kept), and
lift(v) = churn rate(v) ÷ the overall churn rate — "2.8 倍" means such customers were lost 2.8 times as
often as the average customer. Values with fewer than MIN_LOST lost customers are not reported. The strongest
combinations pair two of the top single values of different factors (their customers counted by set
intersection). Conclusions are plain Chinese, strongest lift first, with the number of customers behind each.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

MIN_LOST = 3
MIN_LIFT = 1.3
TOP_SINGLE = 6
# factor key -> (column title, how a conclusion names customers with value {v})
FACTORS: dict[str, tuple[str, str]] = {
    "industry": ("行业", "{v}客户"), "region": ("地区", "{v}的客户"), "source": ("线索来源", "来自{v}的客户"),
    "grade": ("客户等级", "{v}客户"), "load": ("负责人负荷", "负责人负荷{v}的客户"),
    "breach": ("首次响应超时", "{v}的客户"), "stage": ("卡住的阶段", "{v}的客户"),
    "touch": ("最近一次互动", "{v}的客户"), "new_owner": ("负责人是否新人", "{v}跟进的客户"),
    "orders": ("历史订单", "{v}的客户"),
}
WAYS = {"deal_lost": "输单", "reclaimed": "回收公海", "contact_deleted": "删除企业微信好友",
        "order_overdue": "超周期未复购"}
_ORDER = {title: i for i, (title, _) in enumerate(FACTORS.values())}


@dataclass(frozen=True)
class Row:
    """One customer: lost (and how) or kept, and its factor values."""

    lost: bool
    way: str
    values: dict[str, str]


@dataclass(frozen=True)
class Stat:
    """One factor value (or a pair of them) with its counts and lift."""

    factor: str
    value: str
    lost: int
    kept: int
    lift: float
    lost_share: float
    kept_share: float

    @property
    def rate(self) -> float:
        """Return the churn rate of customers with this value."""
        return self.lost / (self.lost + self.kept) if self.lost + self.kept else 0.0

    def line(self) -> str:
        """One factor per line: "行业=制造业：流失 12 / 保留 8，流失率 60%，提升 3.0 倍"."""
        return (f"{self.factor}={self.value}：流失 {self.lost} / 保留 {self.kept}，流失率 {self.rate:.0%}，"
                f"提升 {self.lift:.1f} 倍")


@dataclass(frozen=True)
class Analysis:
    """Every factor's stats, the strongest combinations, and the conclusions."""

    lost: int
    kept: int
    singles: list[Stat]
    pairs: list[Stat]
    ways: dict[str, int]
    conclusions: list[str]
    lost_list: list[tuple[int, str, str]] = field(default_factory=list)  # (customer id, name, how), for the page


def analyse(rows: list[Row]) -> Analysis:
    """Compute counts, rates and lift per factor value, the best pairs, and 3–5 conclusions."""
    lost = sum(r.lost for r in rows)
    kept = len(rows) - lost
    base = lost / len(rows) if rows else 0.0
    singles = _singles(rows, lost, kept, base)
    pairs = _pairs(rows, singles, lost, kept, base)
    ways = Counter(r.way for r in rows if r.lost)
    return Analysis(lost, kept, singles, pairs, dict(ways), conclusions(singles, pairs, ways, lost))


def _stat(factor: str, value: str, lo: int, ke: int, lost: int, kept: int, base: float) -> Stat:
    rate = lo / (lo + ke) if lo + ke else 0.0
    return Stat(factor, value, lo, ke, round(rate / base, 2) if base else 0.0,
                lo / lost if lost else 0.0, ke / kept if kept else 0.0)


def _singles(rows: list[Row], lost: int, kept: int, base: float) -> list[Stat]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        for key, v in r.values.items():
            counts[(key, v)][0 if r.lost else 1] += 1
    stats = [_stat(FACTORS[k][0], v, lo, ke, lost, kept, base) for (k, v), (lo, ke) in counts.items()]
    return sorted(stats, key=lambda s: (_ORDER[s.factor], -s.lift, s.value))


def _strong(stats: list[Stat]) -> list[Stat]:
    """The values worth a sentence: enough lost customers and a clear lift, strongest first."""
    return sorted((s for s in stats if s.lost >= MIN_LOST and s.lift >= MIN_LIFT), key=lambda s: (-s.lift, -s.lost))


def _pairs(rows: list[Row], singles: list[Stat], lost: int, kept: int, base: float) -> list[Stat]:
    keys = {v[0]: k for k, v in FACTORS.items()}
    top = [(keys[s.factor], s.value, s.factor) for s in _strong(singles)[:TOP_SINGLE]]
    members = {(k, v): {i for i, r in enumerate(rows) if r.values.get(k) == v} for k, v, _ in top}
    lost_ids = {i for i, r in enumerate(rows) if r.lost}
    out = []
    for (k1, v1, f1), (k2, v2, f2) in combinations(top, 2):
        if k1 == k2:
            continue
        both = members[(k1, v1)] & members[(k2, v2)]
        lo = len(both & lost_ids)
        out.append(_stat(f"{f1}+{f2}", f"{v1}+{v2}", lo, len(both) - lo, lost, kept, base))
    return _strong(out)[:5]


def _who(stat: Stat) -> str:
    """Name the customers of a value in words: "制造业客户", "卡在方案演示的客户"."""
    keys = {v[0]: k for k, v in FACTORS.items()}
    parts = [FACTORS[keys[f]][1].format(v=v) for f, v in zip(stat.factor.split("+"), stat.value.split("+"),
                                                              strict=True)]
    return parts[0] if len(parts) == 1 else f"{parts[0].removesuffix('客户').removesuffix('的')}、又是" + parts[1]


def conclusions(singles: list[Stat], pairs: list[Stat], ways: Counter[str], lost: int) -> list[str]:
    """Three to five readable sentences, strongest first; none when nothing stands out."""
    out: list[str] = []
    seen: set[str] = set()
    for s in _strong(singles):
        if s.factor in seen or len(out) >= 3:
            continue
        seen.add(s.factor)
        out.append(f"流失客户里 {s.lost_share:.0%} 是{_who(s)}（保留的客户里只有 {s.kept_share:.0%}），"
                   f"这类客户流失的可能是平均的 {s.lift:.1f} 倍（基于 {s.lost + s.kept} 个客户）。")
    if pairs:
        p = pairs[0]
        out.append(f"最危险的组合：{_who(p)}，{p.lost + p.kept} 个里流失了 {p.lost} 个（{p.rate:.0%}），"
                   f"是平均的 {p.lift:.1f} 倍。")
    if out and lost:
        how = "、".join(f"{WAYS.get(w, w)} {n} 个" for w, n in ways.most_common())
        out.append(f"流失的 {lost} 个客户里：{how}。")
    return out[:5]
