"""Compute every customer's activity, predicted value and quadrant at `now` (a few queries + numpy, no writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config.sales_sections import GradingConfig
from bot.core.lazy import library
from sales import activity as act
from sales import quadrants
from sales.ltv_model import WEEKS_PER_YEAR, OrderStats, Prediction, predict
from storage.repos import grading as repo
from storage.repos import grading_inputs as inputs

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

WEEK_SECONDS = 7 * 86400


@dataclass
class Scored:
    """Everything a run knows about every customer, as parallel arrays (index i = customer rows.ids[i])."""

    rows: inputs.CustomerRows
    activity: act.Activity
    pred: Prediction
    quadrant: np.ndarray
    triggered: np.ndarray
    quiet_days: np.ndarray
    last_at: np.ndarray  # epoch seconds of the last interaction, NaN when none
    prev_ltv: np.ndarray
    skipped: np.ndarray
    notes: list[list[str]]
    orders: np.ndarray
    bands: dict[str, dict[str, quadrants.Band]] = field(default_factory=dict)


def weights(cfg: GradingConfig) -> dict[str, float]:
    """Return the activity weights: the documented defaults overridden by `[grading] weights`."""
    return {**act.DEFAULT_WEIGHTS, **{k: float(v) for k, v in cfg.weights.items()}}


async def compute(session: AsyncSession, cfg: GradingConfig, now: datetime) -> Scored:
    """Load the inputs of every customer in a handful of queries and score them."""
    rows = await inputs.customers(session)
    n = len(rows.ids)
    notes: list[list[str]] = [[] for _ in range(n)]
    stats = await _orders(session, now, rows.ids, n, notes)
    activity = await _activity(session, cfg, now, rows.ids, notes)
    last_at = np.full(n, np.nan)
    if last := await inputs.last_interaction(session, now):
        pos, ok = _index(rows.ids, [c for c, _ in last])
        last_at[pos] = np.array([t for _, t in last], dtype=float)[ok]
    since = np.where(np.isnan(last_at), rows.created, last_at)
    quiet = np.nan_to_num((now.timestamp() - since) / 86400, nan=0.0)
    prev = await inputs.previous(session)
    prev_ltv = np.array([prev.get(int(c), -1.0) for c in rows.ids])
    last_run = await repo.latest_run(session)
    pred = predict(stats, cfg.ltv_horizon_months * WEEKS_PER_YEAR / 12, cfg.pipeline_weight, cfg.min_fit_customers,
                   cfg.trend_cap, last_run.model if last_run else None)
    skipped = np.where((stats.n == 0) & (stats.pipeline <= 0) & (activity.score <= 0),
                       "还没有订单、商机和互动，暂不分级", "")
    graded = skipped == ""
    bands = quadrants.bands(rows.industry[graded], {"value": pred.ltv[graded], "activity": activity.score[graded]},
                            cfg.thresholds, {"value": cfg.value_quantile, "activity": cfg.activity_quantile},
                            cfg.min_industry_customers)
    quadrant = np.full(n, "", dtype=object)
    if graded.any():
        quadrant[graded] = quadrants.assign(rows.industry[graded], pred.ltv[graded], activity.score[graded],
                                            rows.grade[graded], bands)[0]
    triggered = graded & quadrants.dormant(quiet, pred.ltv, prev_ltv, cfg.dormant_days, cfg.ltv_rise_pct)
    return Scored(rows, activity, pred, quadrant, triggered, quiet, last_at, prev_ltv, skipped, notes, stats.n, bands)


def _index(ids: np.ndarray, cids: list) -> tuple[np.ndarray, np.ndarray]:
    """Map customer ids to row indexes (ids is sorted); return (indexes, mask of ids that are known)."""
    c = np.asarray(cids, dtype=np.int64)
    pos = np.clip(np.searchsorted(ids, c), 0, max(len(ids) - 1, 0))
    ok = (ids[pos] == c) if len(ids) else np.zeros(len(c), dtype=bool)
    return pos[ok], ok


def _weeks(now: datetime, stamps: list) -> np.ndarray:
    """Weeks from epoch-second stamps to now (0 where missing)."""
    return np.nan_to_num((now.timestamp() - np.array(stamps, dtype=float)) / WEEK_SECONDS, nan=0.0)


async def _orders(session: AsyncSession, now: datetime, ids: np.ndarray, n: int, notes: list[list[str]]) -> OrderStats:
    """Turn the per-customer order aggregates into arrays; say which orders were left out and why."""
    z = lambda: np.zeros(n)  # noqa: E731
    s = OrderStats(z(), z(), z(), z(), z(), z(), z())
    rows = await inputs.orders(session, now)
    if rows:
        cid, count, first, last, total, l12, p12, future, bad = (list(c) for c in zip(*rows, strict=True))
        pos, ok = _index(ids, cid)
        pick = lambda col: np.nan_to_num(np.array(col, dtype=float))[ok]  # noqa: E731
        s.n[pos], s.total[pos], s.last12[pos], s.prev12[pos] = pick(count), pick(total), pick(l12), pick(p12)
        s.first_age[pos] = _weeks(now, first)[ok]
        s.last_age[pos] = _weeks(now, last)[ok]
        for k in np.flatnonzero((np.array(future, dtype=float) > 0) | (np.array(bad, dtype=float) > 0)):
            for i in _index(ids, [cid[k]])[0]:
                if future[k]:
                    notes[i].append(f"{future[k]} 笔订单日期在未来，未计入")
                if bad[k]:
                    notes[i].append(f"{bad[k]} 笔订单金额为零或负数（退款/冲销），未计入")
    pipe = await inputs.pipeline(session)
    if pipe:
        pos, ok = _index(ids, list(pipe))
        s.pipeline[pos] = np.array(list(pipe.values()), dtype=float)[ok]
    return s
async def explain(session: AsyncSession, cfg: GradingConfig, now: datetime, customer_id: int) -> dict[str, float]:
    """Return one customer's activity parts (points per source, largest first), as the daily run computes them."""
    activity = await _activity(session, cfg, now, np.array([customer_id], dtype=np.int64), [[]], [customer_id])
    return activity.explain(0)


async def _activity(session: AsyncSession, cfg: GradingConfig, now: datetime, ids: np.ndarray,
                    notes: list[list[str]], only: list[int] | None = None) -> act.Activity:
    """Score the windowed events; events in the future or before the customer existed are noted, not counted."""
    w = weights(cfg)
    sources = sorted(w)
    rows = await inputs.activity(session, now, act.bucket_edges(now, cfg.window_days), only)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return act.score(empty, sources, empty, empty, empty, len(ids), w, cfg.half_life_days)
    cid, kind, bucket, count = (np.array(c) for c in zip(*rows, strict=True))
    pos, ok = _index(ids, cid.tolist())
    kind, bucket, count = kind[ok], bucket[ok].astype(int), count[ok].astype(float)
    for k in np.flatnonzero(bucket < 0):
        when = "日期在未来" if bucket[k] == inputs.FUTURE else "早于客户建档日期"
        notes[int(pos[k])].append(f"{int(count[k])} 条互动{when}，未计入")
    keep = bucket >= 0
    kinds, inverse = np.unique(kind[keep].astype(str), return_inverse=True)
    for src in {act.source_of(k) for k in kinds} - set(sources):
        sources.append(src)
    src_idx = np.array([sources.index(act.source_of(k)) for k in kinds], dtype=np.int64)[inverse] \
        if len(kinds) else np.zeros(0, dtype=np.int64)
    return act.score(pos[keep], sources, src_idx, bucket[keep], count[keep], len(ids), w, cfg.half_life_days)
