"""Activity score: recency-decayed, weighted counts of what we did with a customer (vectorised, no I/O).

    score = Σ_source weight[source] × Σ_events 0.5 ^ (age_days / half_life_days)      (events inside the window)

Events are counted in weekly buckets (the SQL groups by customer, source and week), and a bucket's age is its
middle, so the decay is exact to half a week. Every score keeps its parts (points per source) so a card can
explain it: "拜访 2 次 × 5 分 …".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.lazy import library
from bot.core.vocab import InteractionKind

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

BUCKET_DAYS = 7
# Sources besides interaction kinds: evidence uploads, stage moves (proposal revisions, meetings held),
# scripts used with the customer.
EXTRA_SOURCES = ("evidence", "stage_change", "script_use")
SOURCE_LABELS = {**{k.value: k.label for k in InteractionKind}, "evidence": "上传凭证", "stage_change": "推进阶段",
                 "script_use": "用话术"}
DEFAULT_WEIGHTS = {"visit": 5.0, "demo": 5.0, "meeting": 4.0, "revision": 3.0, "followup": 2.0, "call": 2.0,
                   "download": 2.0, "message": 1.0, "wechat": 1.0, "email": 1.0, "contact_event": 1.0,
                   "evidence": 3.0, "stage_change": 4.0, "script_use": 1.0}
DEEP_KINDS = ("visit", "meeting", "demo")  # what "deep interaction" means in the cadence rules


@dataclass
class Activity:
    """Scores and their parts: `parts[i, j]` are customer i's points from source j."""

    score: np.ndarray
    parts: np.ndarray
    sources: list[str]

    def explain(self, i: int) -> dict[str, float]:
        """Return customer i's non-zero parts, largest first."""
        row = self.parts[i]
        order = np.argsort(-row)
        return {self.sources[j]: round(float(row[j]), 2) for j in order if row[j] > 0}


def source_of(kind: str) -> str:
    """Map an interaction kind to its source; WeCom contact events (im_*) count as contact_event."""
    if kind.startswith("im_"):
        return InteractionKind.CONTACT_EVENT.value
    parsed = InteractionKind.parse(kind)
    return parsed.value if parsed else kind


def bucket_edges(now: datetime, window_days: int) -> list[datetime]:
    """Return the start of each weekly bucket, newest first: bucket k covers [edges[k], edges[k-1])."""
    count = max(1, -(-window_days // BUCKET_DAYS))
    return [now - timedelta(days=BUCKET_DAYS * (k + 1)) for k in range(count)]


def score(cust_idx: np.ndarray, sources: list[str], source_idx: np.ndarray, bucket: np.ndarray,
          count: np.ndarray, n_customers: int, weights: dict[str, float], half_life_days: float) -> Activity:
    """Sum weight × decayed count per customer and source."""
    w = np.array([weights.get(s, 0.0) for s in sources], dtype=float)
    age = (bucket.astype(float) + 0.5) * BUCKET_DAYS
    points = count.astype(float) * np.power(0.5, age / max(half_life_days, 0.1)) * w[source_idx] \
        if len(count) else np.zeros(0)
    parts = np.zeros((n_customers, len(sources)))
    np.add.at(parts, (cust_idx, source_idx), points)
    return Activity(parts.sum(axis=1), parts, sources)
