"""Scoring on constructed data: the seed's top seller who churns ends below a balanced rep; no data is no data."""

from __future__ import annotations

from flows.scorecards import score, windows
from storage.repos import scorecards as repo
from tests.scorecard_story import build_story


async def _scored(rt):
    story = await build_story(rt)
    async with rt.db.session() as s:
        reps = await repo.reps(s)
        return story, await score(s, rt.settings, windows(rt.settings, story.now), reps)


async def test_top_seller_who_churns_ends_below_the_balanced_rep(rt_any):
    story, scored = await _scored(rt_any)
    top, bal = scored.cards[story.top], scored.cards[story.balanced]
    assert top.indicators["signed_amount"].value == 600_000 > bal.indicators["signed_amount"].value
    assert top.indicators["signed_amount"].score == 100 > bal.indicators["signed_amount"].score  # tops the ranking
    assert top.total < bal.total  # … and the balanced rep wins once health weighs in
    assert top.indicators["retention"].value == 0.4 and bal.indicators["retention"].value == 1.0
    assert top.indicators["conversion"].value == 0.1 and bal.indicators["conversion"].value == 0.4
    assert top.indicators["new_customer_development"].value == 0.0
    assert top.indicators["nps"].value == -50.0 and bal.indicators["nps"].value == 75.0
    assert round(top.indicators["stage_progress"].value) == 30 and round(bal.indicators["stage_progress"].value) == 5
    assert top.health_weight == 0.5


async def test_a_rep_without_data_has_no_total_not_zero(rt_any):
    story, scored = await _scored(rt_any)
    idle = scored.cards[story.idle]
    assert idle.total is None and idle.result_score is None and idle.health_score is None
    assert all(i.score is None for i in idle.indicators.values())
