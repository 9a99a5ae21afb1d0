"""The weekly insight's evidence rule: enough deals on both sides, a big enough lift, a significant z."""

from __future__ import annotations

from sales.insight import MIN_GROUP, Deal, best_for, evaluate, findings, z_score


def deals(industry: str, trait: str, won_with: int, n_with: int, won_without: int, n_without: int) -> list[Deal]:
    have = [Deal(industry, i < won_with, frozenset({trait})) for i in range(n_with)]
    lack = [Deal(industry, i < won_without, frozenset()) for i in range(n_without)]
    return have + lack


def test_strong_effect_is_reported_with_sample_size_and_effect():
    rows = deals("制造", "demo", 21, 30, 9, 30)  # 70% vs 30%
    found = evaluate(rows, "制造", "demo")
    assert found is not None and found.n == 60 and found.lift == 2.33
    assert found.text() == "制造客户做过线上演示，成单率是其他的2.3倍（看了60单）"
    assert "21/30" in found.detail() and "9/30" in found.detail()


def test_thin_evidence_gives_nothing():
    small = deals("制造", "demo", MIN_GROUP - 1, MIN_GROUP - 1, 1, 40)  # too few deals with the behaviour
    assert evaluate(small, "制造", "demo") is None
    weak_lift = deals("制造", "demo", 18, 30, 14, 30)  # 60% vs 47%: lift 1.29 < 1.5
    assert evaluate(weak_lift, "制造", "demo") is None
    noisy = deals("制造", "demo", 8, 15, 5, 15)  # lift 1.6 but z ≈ 1.1: could be chance
    assert evaluate(noisy, "制造", "demo") is None
    assert findings(noisy) == [] and findings(weak_lift) == []


def test_team_gets_the_strongest_finding_of_its_industries_or_none():
    rows = deals("制造", "visit", 25, 30, 5, 30) + deals("医疗", "demo", 20, 30, 8, 30)
    found = findings(rows)
    assert best_for(found, {"医疗"}).segment in ("医疗", "")
    assert best_for(found, {"制造"}).behaviour in ("visit", "demo")
    assert best_for([f for f in found if f.segment == "制造"], {"教育"}) is None


def test_z_score_is_zero_when_undefined():
    assert z_score(0, 0, 0, 0) == 0 and round(z_score(21, 30, 9, 30), 2) == 3.1
