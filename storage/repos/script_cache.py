"""The script library, cached per database: every opportunity card ranks the scripts of its stage and industry,
and the library changes only when a pack is imported.

Candidates are kept per (stage, industry) until the scripts table is changed through a session of this
process (ORM flushes, INSERT/UPDATE/DELETE statements), or for TTL seconds (a pack imported by another
process). Adoption counts (times shown and used) are kept TTL seconds, so a card's ranking may lag the last
half-minute of use — it only reorders scripts whose rates are nearly equal; a 用了这条 here refreshes them.
Cached scripts are detached from the session that loaded them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Script
from storage.repos import scripts
from storage.repos.table_watch import TableWatch

TTL = 30.0  # seconds: how stale a change made by another process (or a card's shown count) may be seen
WATCH = TableWatch(Script)


def invalidate() -> None:
    """Drop every cached candidate list and adoption count (the library or its use changed here)."""
    WATCH.invalidate()


class _Cache:
    """One database's cached lookups: key → (value, generation, expiry)."""

    def __init__(self) -> None:
        self.rows: dict[Any, tuple[Any, int, float]] = {}

    def get(self, key: Any) -> Any:
        hit = self.rows.get(key)
        if hit is None or hit[1] != WATCH.generation or time.monotonic() >= hit[2]:
            return None
        return hit[0]

    def put(self, key: Any, value: Any, generation: int) -> None:
        if generation == WATCH.generation:  # nothing changed while it was read
            if len(self.rows) > 1000:  # stages × industries, and their candidate sets: a few dozen in practice
                self.rows.clear()
            self.rows[key] = (value, generation, time.monotonic() + TTL)


_CACHES: WeakKeyDictionary[Any, _Cache] = WeakKeyDictionary()


def _of(session: AsyncSession) -> _Cache:
    engine = session.bind.sync_engine  # type: ignore[union-attr]  # our sessions are always bound to one engine
    if (cache := _CACHES.get(engine)) is None:
        cache = _CACHES[engine] = _Cache()
    return cache


async def candidates(session: AsyncSession, stage: str, industry: str) -> list[Script]:
    """scripts.candidates, read once per library change (or TTL); the scripts are detached: read them only."""
    cache, key, generation = _of(session), ("candidates", stage, industry), WATCH.generation
    if (rows := cache.get(key)) is None:
        rows = await scripts.candidates(session, stage, industry)
        for row in rows:
            session.expunge(row)
        cache.put(key, rows, generation)
    return rows


async def adoption(session: AsyncSession, script_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """scripts.adoption, read at most once per TTL for the same scripts."""
    cache, key, generation = _of(session), ("adoption", tuple(script_ids)), WATCH.generation
    if (counts := cache.get(key)) is None:
        counts = await scripts.adoption(session, list(script_ids))
        cache.put(key, counts, generation)
    return counts
