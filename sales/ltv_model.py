"""Predicted lifetime value per customer: which model applies to whom, trend, pipeline — vectorised, no I/O.

* two or more orders and a fitted population → BG/NBD expected orders × Gamma-Gamma spend × trend factor;
* exactly one order ("project" customer) → expected orders × the POPULATION's spend per order, never the
  first order's own size (a one-off big project says little about the next one); the expected orders are
  the trend rate of one order per T weeks (T = weeks since that order) over the horizon, capped by BG/NBD;
* no fit possible (fewer than `min_fit` repeat customers, or the optimiser fails) → the trend model:
  last-12-month spend × horizon × (1 + growth);
* open pipeline adds `pipeline_weight` × its value to every customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.lazy import library
from sales import ltv

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

WEEKS_PER_YEAR = 52.1775
P = TypeVar("P", ltv.BgNbd, ltv.GammaGamma)
FIT_SAMPLE = 20_000  # customers the parameters are fitted on (a fixed-seed sample); predictions cover everyone


@dataclass
class OrderStats:
    """Per-customer order facts at the cut-off (arrays of equal length; ages in weeks)."""

    n: np.ndarray  # orders with a positive amount, not in the future
    first_age: np.ndarray  # weeks since the first order (T)
    last_age: np.ndarray  # weeks since the last order
    total: np.ndarray  # their sum (yuan)
    last12: np.ndarray  # spend in the last 12 months
    prev12: np.ndarray  # spend in the 12 months before that
    pipeline: np.ndarray  # open pipeline value (yuan)


@dataclass
class Prediction:
    """What the model says about each customer (arrays) and which parameters it used."""

    ltv: np.ndarray
    ltv_orders: np.ndarray
    expected_orders: np.ndarray
    p_alive: np.ndarray
    growth: np.ndarray
    model: np.ndarray  # "bgnbd" | "project" | "trend" | "none" per customer
    params: dict[str, Any]


def growth_rate(last12: np.ndarray, prev12: np.ndarray, cap: float) -> np.ndarray:
    """Return the year-on-year spend growth, clipped to [-0.5, cap]; 0 where the year before had no spend."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(prev12 > 0, last12 / np.where(prev12 > 0, prev12, 1) - 1, 0.0)
    return np.clip(g, -0.5, cap)


def predict(s: OrderStats, horizon_weeks: float, pipeline_weight: float, min_fit: int,
            trend_cap: float, start: dict[str, Any] | None = None) -> Prediction:
    """Return every customer's predicted value over the horizon; `start` is the last run's parameters (warm start)."""
    years = horizon_weeks / WEEKS_PER_YEAR
    g = growth_rate(s.last12, s.prev12, trend_cap)
    x, T = np.maximum(s.n - 1, 0).astype(float), s.first_age.astype(float)
    t_x = np.maximum(T - s.last_age, 0.0)
    repeat, single = s.n >= 2, s.n == 1
    fitted = _fit(x, t_x, T, s, repeat, min_fit, start or {})
    if fitted is None:
        orders, alive, per_order, params = _trend(s, years, repeat)
        model = np.where(repeat | single, "trend", "none")
        value = np.where(repeat, s.last12 * years * (1 + g), orders * per_order)
    else:
        bg, gg = fitted
        orders, alive = ltv.expected_orders(bg, horizon_weeks, x, t_x, T), ltv.p_alive(bg, x, t_x, T)
        orders = np.where(single, np.minimum(orders, horizon_weeks / np.maximum(T, 1.0)), orders)
        mean = np.where(repeat, s.total / np.maximum(s.n, 1), 1.0)
        spend = np.where(repeat, ltv.expected_spend(gg, np.maximum(s.n, 1), mean), gg.mean)
        value = orders * spend * np.where(repeat, (1 + g) ** (years / 2), 1.0)
        model = np.where(repeat, "bgnbd", np.where(single, "project", "none"))
        params = {"bgnbd": vars(bg), "gamma_gamma": vars(gg)}
    value = np.where(s.n > 0, np.nan_to_num(value, nan=0.0, posinf=0.0), 0.0)
    orders = np.where(s.n > 0, np.nan_to_num(orders), 0.0)
    return Prediction(value + pipeline_weight * s.pipeline, value, orders, np.where(s.n > 0, alive, 0.0), g,
                      model, params)


def _fit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, s: OrderStats, repeat: np.ndarray, min_fit: int,
         start: dict[str, Any]) -> tuple[ltv.BgNbd, ltv.GammaGamma] | None:
    """Fit BG/NBD on every customer with orders and Gamma-Gamma on the repeat ones; None when too few."""
    if int(repeat.sum()) < min_fit:
        return None
    has, rep = _sample(s.n > 0), _sample(repeat)
    try:
        bg = ltv.fit_bgnbd(x[has], t_x[has], T[has], _params(ltv.BgNbd, start.get("bgnbd")))
        gg = ltv.fit_gamma_gamma(s.n[rep].astype(float), (s.total / np.maximum(s.n, 1))[rep],
                                 _params(ltv.GammaGamma, start.get("gamma_gamma")))
    except (ValueError, FloatingPointError):
        return None
    return (bg, gg) if np.isfinite([bg.r, bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.gamma]).all() else None


def _params(kind: type[P], stored: dict[str, float] | None) -> P | None:
    """Rebuild last run's parameters, or None when absent or unusable (then the fit starts from scratch)."""
    try:
        return kind(**stored) if stored else None
    except TypeError:
        return None


def _sample(mask: np.ndarray) -> np.ndarray:
    """Return the indices of `mask`, thinned to FIT_SAMPLE with a fixed seed (the same data fits the same way)."""
    idx = np.flatnonzero(mask)
    if len(idx) <= FIT_SAMPLE:
        return idx
    return np.sort(np.random.default_rng(14).choice(idx, FIT_SAMPLE, replace=False))


def _trend(s: OrderStats, years: float, repeat: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """The fallback: a one-order customer gets the population's typical order × its repeat rate."""
    n = len(s.n)
    orders_per_year = np.where(repeat, s.n / np.maximum(s.first_age / WEEKS_PER_YEAR, 1.0), 0.0)
    typical = float(np.median(s.total[s.n > 0] / s.n[s.n > 0])) if (s.n > 0).any() else 0.0
    buyers = int((s.n > 0).sum())
    repeat_rate = float(repeat.sum()) / buyers if buyers else 0.0
    once = np.minimum(repeat_rate * years, years * WEEKS_PER_YEAR / np.maximum(s.first_age, 1.0))
    orders = np.where(repeat, orders_per_year * years, once)
    alive = np.where(repeat, 1.0, repeat_rate)
    return orders, alive, np.full(n, typical), {"trend": {"typical_order": typical, "repeat_rate": repeat_rate}}
