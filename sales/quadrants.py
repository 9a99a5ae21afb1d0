"""Quadrants value × activity → Grade, thresholds per industry, the dormant trigger (vectorised, no I/O).

    high value    & high activity → 战略伙伴        low value & high activity → 高潜成长
    high value    & low activity  → 稳定续费        low value & low activity  → 休眠唤醒

Each axis has a band [low, high]: above `high` is high, below `low` is low, and inside the band a customer
keeps the side its current grade is on (so a customer on the line does not flip every day). Thresholds come
from `[grading.thresholds.<industry>]`, then `[grading.thresholds."*"]`, else the industry's quantile
(`value_quantile`, `activity_quantile`) when it has `min_industry_customers` graded customers, else the
quantile over everyone. Dormant trigger: no interaction for `dormant_days` while the predicted value rose by
`ltv_rise_pct` % or more since the last run → 休眠唤醒, whatever the quadrant says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.lazy import library
from bot.core.vocab import Grade

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

HIGH_VALUE = (Grade.STRATEGIC, Grade.STEADY)
HIGH_ACTIVITY = (Grade.STRATEGIC, Grade.GROWTH)
AXES = ("value", "activity")


@dataclass(frozen=True)
class Band:
    """One axis's band for one industry: where it came from ("配置" or "分位数")."""

    low: float
    high: float
    source: str


def bands(industries: np.ndarray, values: dict[str, np.ndarray], configured: dict[str, dict[str, float]],
          quantiles: dict[str, float], min_customers: int) -> dict[str, dict[str, Band]]:
    """Return {industry: {axis: Band}} for every industry present."""
    out: dict[str, dict[str, Band]] = {}
    for ind in np.unique(industries.astype(str)):
        rows = industries.astype(str) == ind
        conf = configured.get(str(ind)) or configured.get("*") or {}
        out[str(ind)] = {axis: _band(conf, axis, values[axis], rows, quantiles[axis], min_customers)
                         for axis in AXES}
    return out


def _band(conf: dict[str, float], axis: str, all_values: np.ndarray, rows: np.ndarray, q: float,
          min_customers: int) -> Band:
    high, low = conf.get(f"{axis}_high"), conf.get(f"{axis}_low")
    if high is not None:
        return Band(float(low if low is not None else high), float(high), "配置")
    pool = all_values[rows] if rows.sum() >= min_customers else all_values
    cut = float(np.quantile(pool, q)) if len(pool) else 0.0
    return Band(cut, cut, "分位数")


def assign(industries: np.ndarray, value: np.ndarray, activity: np.ndarray, current: np.ndarray,
           table: dict[str, dict[str, Band]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (grade, high_value, high_activity) arrays; `current` holds each customer's present grade or ""."""
    names, inverse = np.unique(industries.astype(str), return_inverse=True)
    lo = {a: np.array([table[str(n)][a].low for n in names])[inverse] for a in AXES}
    hi = {a: np.array([table[str(n)][a].high for n in names])[inverse] for a in AXES}
    was_v = np.isin(current, [g.value for g in HIGH_VALUE])
    was_a = np.isin(current, [g.value for g in HIGH_ACTIVITY])
    hv = (value > hi["value"]) | ((value >= lo["value"]) & was_v & (value > 0))
    ha = (activity > hi["activity"]) | ((activity >= lo["activity"]) & was_a & (activity > 0))
    grade = np.where(hv & ha, Grade.STRATEGIC.value, np.where(ha, Grade.GROWTH.value,
                                                               np.where(hv, Grade.STEADY.value, Grade.DORMANT.value)))
    return grade, hv, ha


def dormant(quiet_days: np.ndarray, ltv: np.ndarray, prev_ltv: np.ndarray, dormant_days: int,
            rise_pct: float) -> np.ndarray:
    """Return where the dormant trigger fires: quiet for `dormant_days` while the value rose by `rise_pct` %."""
    rose = (prev_ltv >= 0) & (ltv > prev_ltv * (1 + rise_pct / 100)) & (ltv > 0)
    return (quiet_days >= dormant_days) & rose


def reason(grade: str, ltv: float, activity: float, band: dict[str, Band], triggered: bool,
           quiet_days: float, prev_ltv: float) -> str:
    """Say in sales language why the customer has this grade."""
    if triggered:
        return (f"已 {int(quiet_days)} 天没有互动，但预计价值从 {prev_ltv:,.0f} 元涨到 {ltv:,.0f} 元："
                "客户还在花钱，关系却冷了，要尽快唤醒")
    v, a = band["value"], band["activity"]
    v_side = "高" if grade in HIGH_VALUE else "低"
    a_side = "高" if grade in HIGH_ACTIVITY else "低"
    return (f"预计价值 {ltv:,.0f} 元（{v_side}，分界 {v.high:,.0f} 元，{v.source}），"
            f"活跃度 {activity:.1f} 分（{a_side}，分界 {a.high:.1f} 分，{a.source}）")
