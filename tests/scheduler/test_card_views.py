"""Stored full views are deleted once their links have expired."""

from __future__ import annotations

from datetime import timedelta

from scheduler.core import run_job
from storage.repos import card_views


async def test_old_views_are_pruned_and_fresh_ones_kept(rt):
    now = rt.clock.now()
    async with rt.db.session() as s:
        await card_views.save(s, {"a" * 32: {"title": "旧"}}, now - timedelta(days=9))
        await card_views.save(s, {"b" * 32: {"title": "新"}}, now)
    result = await run_job(rt, "card_view_prune")
    assert "1 张" in result.summary
    async with rt.db.session() as s:
        assert await card_views.load(s, "a" * 32) is None and await card_views.load(s, "b" * 32) == {"title": "新"}
