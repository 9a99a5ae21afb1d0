"""Compute every customer's activity, predicted value and quadrant at `now` (a few queries + numpy, no writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config_sections import GradingConfig
from sales import activity as act
from sales import quadrants
from sales.ltv_model import WEEKS_PER_YEAR, OrderStats, Prediction, predict
from storage.repos import grading_inputs as inputs

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
    last_at: list[datetime | None]
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
    index = {int(c): i for i, c in enumerate(rows.ids)}
    n = len(rows.ids)
    notes: list[list[str]] = [[] for _ in range(n)]
    stats = await _orders(session, now, index, n, notes)
    activity = await _activity(session, cfg, now, index, n, notes)
    last = await inputs.last_interaction(session, now)
    last_at = [last.get(int(c)) for c in rows.ids]
    since = [la or cr for la, cr in zip(last_at, rows.created, strict=True)]
    quiet = np.array([(now - t).total_seconds() / 86400 if t else 0.0 for t in since])
    prev = await inputs.previous(session)
    prev_ltv = np.array([prev.get(int(c), -1.0) for c in rows.ids])
    pred = predict(stats, cfg.ltv_horizon_months * WEEKS_PER_YEAR / 12, cfg.pipeline_weight, cfg.min_fit_customers,
                   cfg.trend_cap)
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


async def _orders(session: AsyncSession, now: datetime, index: dict[int, int], n: int,
                  notes: list[list[str]]) -> OrderStats:
    """Turn the per-customer order aggregates into arrays; say which orders were left out and why."""
    z = lambda: np.zeros(n)  # noqa: E731
    s = OrderStats(z(), z(), z(), z(), z(), z(), z())
    for cid, count, first, last, total, l12, p12, future, bad in await inputs.orders(session, now):
        i = index.get(cid)
        if i is None:
            continue
        s.n[i], s.total[i], s.last12[i], s.prev12[i] = count or 0, total or 0, l12 or 0, p12 or 0
        if first is not None:
            s.first_age[i] = (now - first).total_seconds() / WEEK_SECONDS
            s.last_age[i] = (now - last).total_seconds() / WEEK_SECONDS
        if future:
            notes[i].append(f"{future} 笔订单日期在未来，未计入")
        if bad:
            notes[i].append(f"{bad} 笔订单金额为零或负数（退款/冲销），未计入")
    for cid, value in (await inputs.pipeline(session)).items():
        if (i := index.get(cid)) is not None:
            s.pipeline[i] = value
    return s


async def _activity(session: AsyncSession, cfg: GradingConfig, now: datetime, index: dict[int, int], n: int,
                    notes: list[list[str]]) -> act.Activity:
    """Score the windowed events; events in the future or before the customer existed are noted, not counted."""
    edges = act.bucket_edges(now, cfg.window_days)
    w = weights(cfg)
    sources = sorted(w)
    src_index = {s: j for j, s in enumerate(sources)}
    ci, sj, bk, cnt = [], [], [], []
    for cid, kind, bucket, count in await inputs.activity(session, now, edges):
        i = index.get(cid)
        if i is None:
            continue
        if bucket in (inputs.FUTURE, inputs.BEFORE_CUSTOMER):
            when = "日期在未来" if bucket == inputs.FUTURE else "早于客户建档日期"
            notes[i].append(f"{count} 条互动{when}，未计入")
            continue
        src = act.source_of(kind)
        if src not in src_index:
            src_index[src] = len(sources)
            sources.append(src)
        ci.append(i)
        sj.append(src_index[src])
        bk.append(bucket)
        cnt.append(count)
    return act.score(np.array(ci, dtype=np.int64), sources, np.array(sj, dtype=np.int64), np.array(bk),
                     np.array(cnt), n, w, cfg.half_life_days)
