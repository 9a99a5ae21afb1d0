"""The daily grading use case: score everyone, grade the ungraded, fire the dormant trigger, wake the revived.

Quadrant drift of an already graded customer is NOT applied here: it waits for the quarterly re-grade and a
manager's approval (flows/regrade.py). Customer.grade only ever holds a bot.core.vocab.Grade value (or "");
a legacy value (the old A–D labels) counts as ungraded and is replaced on the first run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config.sales_sections import GradingConfig
from bot.core.lazy import library
from bot.core.vocab import Grade
from flows.grading_compute import Scored, compute
from sales import quadrants
from storage.repos import grading as repo
from storage.repos.grading import Change

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

VALID = [g.value for g in Grade]


@dataclass
class DailyResult:
    """What one daily run did: first grades per owner, the other changes written, numbers for its summary."""

    first: dict[int, int] = field(default_factory=dict)
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


def first_mask(s: Scored) -> np.ndarray:
    """Where a scored customer has no grade yet (or a legacy label): it gets its quadrant's grade."""
    return (s.skipped == "") & ~np.isin(s.rows.grade, VALID)


def decide(s: Scored, dormant_at: dict[int, datetime]) -> list[Change]:
    """Return the trigger changes of the daily run: the dormant trigger and customers revived from it."""
    graded, cur = (s.skipped == "") & ~first_mask(s), s.rows.grade
    fire = graded & s.triggered & (cur != Grade.DORMANT.value)
    woke = np.zeros(len(cur), dtype=bool)
    for i in np.flatnonzero(graded & (cur == Grade.DORMANT.value) & (s.quadrant != Grade.DORMANT.value)).tolist():
        since, last = dormant_at.get(int(s.rows.ids[i])), s.last_at[i]
        woke[i] = since is not None and not np.isnan(last) and last > since.timestamp()
    out = []
    for mask, source in ((fire, "dormant"), (woke, "revived")):
        for i in np.flatnonzero(mask).tolist():  # plain ints for the helpers
            to = Grade.DORMANT.value if source == "dormant" else str(s.quadrant[i])
            out.append(Change(int(s.rows.ids[i]), s.rows.owner[i], str(cur[i]), to, source,
                              reason_of(s, i, to, source == "dormant"), inputs_of(s, i)))
    return out


def _stamps(epochs: np.ndarray) -> list[datetime | None]:
    return [None if np.isnan(t) else datetime.fromtimestamp(t, UTC) for t in epochs.tolist()]


def score_rows(s: Scored, now: datetime) -> list[dict]:
    """Return the customer_score rows of this run."""
    p, a = s.pred, s.activity
    cols = [s.rows.ids.tolist(), a.score.tolist(), p.ltv.tolist(), p.ltv_orders.tolist(),
            (p.ltv - p.ltv_orders).tolist(), np.maximum(s.prev_ltv, 0).tolist(), p.expected_orders.tolist(),
            p.p_alive.tolist(), p.growth.tolist(), p.model.tolist(), s.orders.astype(int).tolist(), _stamps(s.last_at),
            s.quadrant.tolist(), s.skipped.tolist(), ["；".join(n) for n in s.notes]]
    keys = ("customer_id", "activity", "ltv", "ltv_orders", "ltv_pipeline", "prev_ltv", "expected_orders", "p_alive",
            "growth", "model", "orders", "last_interaction_at", "quadrant", "skipped", "notes")
    return [{"computed_at": now, **dict(zip(keys, row, strict=True))} for row in zip(*cols, strict=True)]


async def run_daily(session: AsyncSession, cfg: GradingConfig, now: datetime) -> DailyResult:
    """Score every customer, write the scores and the day's grade changes; return what changed."""
    s = await compute(session, cfg, now)
    changes = decide(s, await repo.dormant_since(session))
    first = first_mask(s)
    await repo.save_scores(session, score_rows(s, now))
    await repo.apply_first(session, now)
    await repo.apply_changes(session, changes, now)
    owners = [o for o, f in zip(s.rows.owner, first, strict=True) if f and o is not None]
    counts = {"scored": len(s.rows.ids), "skipped": int((s.skipped != "").sum()), "first": int(first.sum()),
              **{src: sum(c.source == src for c in changes) for src in ("dormant", "revived")}}
    thresholds = {ind: {ax: vars(b) for ax, b in axes.items()} for ind, axes in s.bands.items()}
    await repo.add_run(session, now, "daily", s.pred.params, thresholds, counts)
    model = "BG/NBD + Gamma-Gamma" if "bgnbd" in s.pred.params else "趋势模型"
    return DailyResult(dict(Counter(owners)), changes, counts["scored"] - counts["skipped"], counts["skipped"], model)
