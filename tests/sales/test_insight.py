"""The weekly insight's evidence rule: enough deals on both sides, a big enough lift, a significant z."""

from __future__ import annotations

from sales.insight import MIN_GROUP, MIN_GROUP_REP, Deal, best, best_for, evaluate, findings, z_score


def deals(industry: str, trait: str, won_with: int, n_with: int, won_without: int, n_without: int) -> list[Deal]:
    have = [Deal(industry, i < won_with, frozenset({trait})) for i in range(n_with)]
    lack = [Deal(industry, i < won_without, frozenset()) for i in range(n_without)]
    return have + lack


def test_strong_effect_is_reported_with_sample_size_and_effect():
    rows = deals("制造", "demo", 21, 30, 9, 30)  # 70% vs 30%
    found = evaluate(rows, "制造", "demo")
    assert found is not None and found.n == 60 and found.lift == 2.33
    assert found.text() == "您跟进的制造客户，做过线上演示，成单率提升2.3倍"
    assert found.text("团队跟进的").startswith("团队跟进的制造客户") and found.basis() == "基于60个客户"
    assert "21/30" in found.detail() and "9/30" in found.detail()
    assert "z=" not in found.text() + found.basis() + found.detail() and "n=" not in found.text() + found.basis()


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


def test_rep_threshold_is_lower_but_still_needs_evidence():
    rows = deals("制造业", "quick_quote", 9, 10, 2, 10)  # 90% vs 20% on 20 deals of one rep
    assert best(rows) is None  # a team needs 15 a side
    found = best(rows, MIN_GROUP_REP)
    assert found is not None and found.text() == "您跟进的制造业客户，方案演示后3天内报价，成单率提升4.5倍"
    assert best(deals("制造业", "demo", 3, 4, 1, 4), MIN_GROUP_REP) is None
