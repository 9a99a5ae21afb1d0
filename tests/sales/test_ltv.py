"""BG/NBD and Gamma-Gamma written with numpy + scipy: parameters recovered from data simulated with known ones,
and predictions that match what the simulation then does."""

from __future__ import annotations

import numpy as np

from sales import ltv
from sales.ltv_model import OrderStats, growth_rate, predict

TRUE = ltv.BgNbd(r=0.8, alpha=6.0, a=1.6, b=3.0)


def simulate(n: int, T: float, horizon: float, seed: int = 7):
    """Customers who made a first order at 0 and are watched for T weeks, then `horizon` more."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE.r, 1 / TRUE.alpha, n)
    p = rng.beta(TRUE.a, TRUE.b, n)
    x, t_x, future = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            if rng.random() < p[i] and t > 0:  # after each repeat order the customer may drop out
                break
            t += rng.exponential(1 / lam[i])
            if t > T + horizon:
                break
            if t <= T:
                x[i], t_x[i] = x[i] + 1, t
            else:
                future[i] += 1
    return x, t_x, np.full(n, T), future


def test_bgnbd_recovers_known_parameters_and_predicts_what_followed():
    x, t_x, T, future = simulate(4000, 52.0, 26.0)
    fit = ltv.fit_bgnbd(x, t_x, T)
    assert abs(fit.r - TRUE.r) / TRUE.r < 0.25 and abs(fit.alpha - TRUE.alpha) / TRUE.alpha < 0.3
    predicted = ltv.expected_orders(fit, 26.0, x, t_x, T)
    assert abs(predicted.sum() - future.sum()) / future.sum() < 0.1
    alive = ltv.p_alive(fit, x, t_x, T)
    assert np.all(alive[x == 0] == 1.0) and np.all((alive > 0) & (alive <= 1))


def test_gamma_gamma_recovers_the_mean_spend_and_shrinks_toward_it():
    rng = np.random.default_rng(3)
    p, q, g = 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1 / g, 3000)
    n = rng.integers(2, 10, 3000).astype(float)
    mean = np.array([rng.gamma(p, 1 / v, int(k)).mean() for v, k in zip(nu, n, strict=True)]) * 1000
    fit = ltv.fit_gamma_gamma(n, mean)
    assert abs(fit.mean - p * g / (q - 1) * 1000) / (p * g / (q - 1) * 1000) < 0.1
    spend = ltv.expected_spend(fit, np.array([2.0, 2.0]), np.array([10.0, 1e7]))
    assert 10 < spend[0] < fit.mean and spend[1] < 1e7  # both pulled toward the population mean


def test_one_order_customers_are_valued_by_the_population_not_their_first_order():
    rows = 40
    stats = OrderStats(n=np.array([1.0] + [6.0] * rows), first_age=np.array([90.0] + [100.0] * rows),
                       last_age=np.array([90.0] + [5.0] * rows), total=np.array([5e6] + [3e5] * rows),
                       last12=np.array([0.0] + [2e5] * rows), prev12=np.array([0.0] + [1e5] * rows),
                       pipeline=np.zeros(rows + 1))
    pred = predict(stats, 52.0, 0.3, 20, 1.0)
    assert pred.model[0] == "project" and pred.ltv[0] < pred.ltv[1:].min() and pred.ltv[0] < 5e6 / 10
    assert pred.growth[1] == 1.0  # doubled year on year, at the cap


def test_trend_model_when_too_few_customers_to_fit():
    stats = OrderStats(np.array([4.0, 0.0]), np.array([80.0, 0.0]), np.array([4.0, 0.0]), np.array([4e5, 0.0]),
                       np.array([3e5, 0.0]), np.array([1e5, 0.0]), np.array([0.0, 1e5]))
    pred = predict(stats, 52.1775, 0.3, 20, 1.0)
    assert list(pred.model) == ["trend", "none"]
    assert round(pred.ltv[0]) == round(3e5 * 2.0) and round(pred.ltv[1]) == 30_000  # growth capped at 100 %


def test_growth_is_zero_without_a_year_to_compare_and_clipped():
    assert list(growth_rate(np.array([5.0, 1.0, 0.0]), np.array([0.0, 10.0, 4.0]), 1.0)) == [0.0, -0.5, -0.5]
