"""Lifetime value: BG/NBD (how many orders) × Gamma-Gamma (how much per order), written with numpy + scipy.

The formulas are Fader, Hardie & Lee (2005) — "Counting your customers the easy way" (BG/NBD) and
"RFM and CLV" (Gamma-Gamma); docs/grading.md writes every one out. Everything is vectorised over customers:
one fit per run (4 + 3 parameters, scipy.optimize L-BFGS-B on the log-likelihood), no loop per customer.
Time is in weeks. `x` is the number of REPEAT orders, `t_x` the age of the last order since the first,
`T` the age of the customer's first order at the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.lazy import library

if TYPE_CHECKING:
    import numpy as np
    from scipy import optimize, special
else:
    np = library("numpy")
    optimize = library("scipy.optimize")
    special = library("scipy.special")

_BOUNDS_BG = [(1e-4, 50.0), (1e-4, 1e4), (1.0001, 50.0), (1e-4, 50.0)]  # a > 1 keeps E[X] finite
_BOUNDS_GG = [(1e-3, 100.0), (1.0001, 100.0), (1e-3, 1e8)]  # q > 1 keeps the mean spend finite


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), drop-out probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters of the spend per order."""

    p: float
    q: float
    gamma: float

    @property
    def mean(self) -> float:
        """Return the population's expected spend per order, p·γ / (q − 1)."""
        return self.p * self.gamma / (self.q - 1)


def bgnbd_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> float:
    """Return the BG/NBD log-likelihood of all customers under `params` = (r, alpha, a, b)."""
    r, alpha, a, b = params
    gammaln = special.gammaln
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.where(repeat, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, start: BgNbd | None = None) -> BgNbd:
    """Fit (r, alpha, a, b) by maximum likelihood, from `start` (yesterday's fit) when given."""
    scale = max(float(np.mean(T)), 1.0)
    x0 = np.array([start.r, start.alpha, start.a, start.b]) if start else np.array([1.0, scale, 2.0, 2.0])
    res = optimize.minimize(lambda p: -bgnbd_loglik(p, x, t_x, T), x0, method="L-BFGS-B", bounds=_BOUNDS_BG)
    return BgNbd(*map(float, res.x))


def expected_orders(m: BgNbd, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return each customer's expected number of orders in the next `t` weeks (the conditional expectation)."""
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    orders: np.ndarray = np.maximum(head * body / _alive_denominator(m, x, t_x, T), 0.0)  # scipy is untyped
    return orders


def p_alive(m: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return each customer's probability of still buying from us."""
    return 1.0 / _alive_denominator(m, x, t_x, T)


def _alive_denominator(m: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    odds = m.a / np.maximum(m.b + x - 1, 1e-12) * ((m.alpha + T) / (m.alpha + t_x)) ** (m.r + x)
    return 1.0 + np.where(x > 0, odds, 0.0)


def gg_loglik(params: np.ndarray, n: np.ndarray, mean: np.ndarray) -> float:
    """Return the Gamma-Gamma log-likelihood of `n` orders averaging `mean` per customer."""
    p, q, g = params
    px = p * n
    gammaln = special.gammaln
    return float(np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * np.log(mean)
                        + px * np.log(n) - (px + q) * np.log(g + mean * n)))


def fit_gamma_gamma(n: np.ndarray, mean: np.ndarray, start: GammaGamma | None = None) -> GammaGamma:
    """Fit (p, q, gamma) on customers with at least two orders; `mean` scaled to keep the optimiser stable."""
    scale = float(np.median(mean)) or 1.0
    x0 = np.array([start.p, start.q, start.gamma / scale]) if start else np.array([2.0, 3.0, 1.0])
    res = optimize.minimize(lambda p: -gg_loglik(p, n, mean / scale), x0, method="L-BFGS-B",
                            bounds=_BOUNDS_GG)
    p, q, g = map(float, res.x)
    return GammaGamma(p, q, g * scale)


def expected_spend(m: GammaGamma, n: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Return each customer's expected spend per future order (their mean shrunk toward the population's)."""
    px = m.p * n
    spend: np.ndarray = (m.p * (m.gamma + mean * n)) / (px + m.q - 1)
    return spend
