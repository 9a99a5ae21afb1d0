"""The daily grading use case: score everyone, grade the ungraded, fire the dormant trigger, wake the revived.

Quadrant drift of an already graded customer is NOT applied here: it waits for the quarterly re-grade and a
manager's approval (flows/regrade.py). Customer.grade only ever holds a bot.core.vocab.Grade value (or "");
a legacy value (the old A–D labels) counts as ungraded and is replaced on the first run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config_sections import GradingConfig
from bot.core.vocab import Grade
from flows.grading_compute import Scored, compute
from sales import quadrants
from storage.repos import grading as repo
from storage.repos.grading import Change

VALID = [g.value for g in Grade]


@dataclass
class DailyResult:
    """What one daily run did: the changes written and the numbers for its summary line."""

    changes: list[Change] = field(default_factory=list)
    scored: int = 0
    skipped: int = 0
    model: str = ""


def inputs_of(s: Scored, i: int) -> dict:
    """Return the numbers behind customer i's grade, as stored with every change and proposal."""
    p = s.pred
    return {"ltv": round(float(p.ltv[i]), 2), "ltv_orders": round(float(p.ltv_orders[i]), 2),
            "activity": round(float(s.activity.score[i]), 2), "parts": s.activity.explain(i),
            "model": str(p.model[i]), "expected_orders": round(float(p.expected_orders[i]), 3),
            "p_alive": round(float(p.p_alive[i]), 3), "growth": round(float(p.growth[i]), 3),
            "quiet_days": int(s.quiet_days[i]), "prev_ltv": round(float(s.prev_ltv[i]), 2)}


def reason_of(s: Scored, i: int, grade: str, triggered: bool) -> str:
    """Say why customer i has (or should have) `grade`."""
    band = s.bands.get(str(s.rows.industry[i]))
    return quadrants.reason(grade, float(s.pred.ltv[i]), float(s.activity.score[i]), band, triggered,
                            float(s.quiet_days[i]), float(s.prev_ltv[i])) if band else ""


def decide(s: Scored, dormant_at: dict[int, datetime]) -> list[Change]:
    """Return the changes the daily run makes (first grades, dormant trigger, revived customers)."""
    graded = s.skipped == ""
    cur = s.rows.grade
    first = graded & ~np.isin(cur, VALID)
    fire = graded & ~first & s.triggered & (cur != Grade.DORMANT.value)
    woke = np.zeros(len(cur), dtype=bool)
    for i in np.flatnonzero(graded & (cur == Grade.DORMANT.value) & (s.quadrant != Grade.DORMANT.value)):
        since, last = dormant_at.get(int(s.rows.ids[i])), s.last_at[i]
        woke[i] = since is not None and last is not None and last > since
    out = []
    for mask, source in ((first, "first"), (fire, "dormant"), (woke, "revived")):
        for i in np.flatnonzero(mask):
            to = Grade.DORMANT.value if s.triggered[i] and source != "revived" else str(s.quadrant[i])
            out.append(Change(int(s.rows.ids[i]), s.rows.owner[i], str(cur[i]), to, source,
                              reason_of(s, i, to, bool(s.triggered[i]) and source != "revived"), inputs_of(s, i)))
    return out


def score_rows(s: Scored, now: datetime) -> list[dict]:
    """Return the customer_score rows of this run."""
    p, a = s.pred, s.activity
    return [{"customer_id": int(cid), "computed_at": now, "activity": float(a.score[i]), "parts": a.explain(i),
             "ltv": float(p.ltv[i]), "ltv_orders": float(p.ltv_orders[i]),
             "ltv_pipeline": float(p.ltv[i] - p.ltv_orders[i]), "prev_ltv": float(max(s.prev_ltv[i], 0.0)),
             "expected_orders": float(p.expected_orders[i]), "p_alive": float(p.p_alive[i]),
             "growth": float(p.growth[i]), "model": str(p.model[i]), "orders": int(s.orders[i]),
             "last_interaction_at": s.last_at[i], "quadrant": str(s.quadrant[i]),
             "skipped": str(s.skipped[i]), "notes": s.notes[i]}
            for i, cid in enumerate(s.rows.ids)]


async def run_daily(session: AsyncSession, cfg: GradingConfig, now: datetime) -> DailyResult:
    """Score every customer, write the scores and the day's grade changes; return what changed."""
    s = await compute(session, cfg, now)
    changes = decide(s, await repo.dormant_since(session))
    rows = score_rows(s, now)
    await repo.save_scores(session, rows)
    await repo.apply_changes(session, changes, now)
    counts = {"scored": len(rows), "skipped": int((s.skipped != "").sum()),
              **{src: sum(c.source == src for c in changes) for src in ("first", "dormant", "revived")}}
    thresholds = {ind: {ax: vars(b) for ax, b in axes.items()} for ind, axes in s.bands.items()}
    await repo.add_run(session, now, "daily", s.pred.params, thresholds, counts)
    model = "BG/NBD + Gamma-Gamma" if "bgnbd" in s.pred.params else "趋势模型"
    return DailyResult(changes, counts["scored"] - counts["skipped"], counts["skipped"], model)

