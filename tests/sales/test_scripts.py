"""Script matching: deterministic, explainable top-3 on constructed data."""

from __future__ import annotations

from sales.scripts import Script, Target, band_of, infer_industry, normalize_band, score, top

MED_NEEDS = Script(1, "医疗需求", "needs", "医疗", "中单", keywords=("影像", "科室", "流程"))
MED_DEMO = Script(2, "医疗演示", "demo", "医疗", "中单")
MFG_NEEDS = Script(3, "制造需求", "needs", "制造", "中单")
ANY_NEEDS = Script(4, "通用需求", "needs")
ANY_STAGE_MED = Script(5, "医疗任何阶段", "", "医疗", "中单")
MED_NEEDS_BIG = Script(6, "医疗需求大单", "needs", "医疗", "大单")
LIBRARY = [MED_NEEDS, MED_DEMO, MFG_NEEDS, ANY_NEEDS, ANY_STAGE_MED, MED_NEEDS_BIG]
TARGET = Target("needs", "医疗", 300_000, 500_000, need="影像设备，科室流程乱")


def test_bands_and_industry_guess():
    assert band_of(None, None) == "" and band_of(50_000, 50_000) == "小单"
    assert band_of(300_000, 500_000) == "中单" and band_of(500_000, 800_000) == "大单"
    assert normalize_band("large") == "大单" and normalize_band("通用") == "" and normalize_band("巨单") is None
    assert infer_industry("华东医疗") == "医疗" and infer_industry("宏达精密机械") == "制造"
    assert infer_industry("星海科技") == ""


def test_score_explains_every_point():
    m = score(MED_NEEDS, TARGET)
    assert m.score == 3 + 3 + 2 + 2
    assert m.explain() == ("阶段对口 +3 · 行业对口（医疗）+3 · 预算档位（中单）+2 · "
                           "需求提到“影像” +1 · 需求提到“科室” +1")


def test_other_stage_or_other_known_industry_is_never_offered():
    assert score(MED_DEMO, TARGET) is None
    assert score(MFG_NEEDS, TARGET) is None
    assert score(MFG_NEEDS, Target("needs")) is None  # unknown industry: only scripts for every industry


def test_top_three_is_ordered_and_deterministic():
    ranked = top(LIBRARY, TARGET)
    assert [m.script.id for m in ranked] == [1, 5, 6]  # 5 and 6 tie at 6 points: the lower id first
    assert [m.score for m in ranked] == [10, 6, 6]
    assert ranked[1].explain() == "各阶段通用 +1 · 行业对口（医疗）+3 · 预算档位（中单）+2"
    assert top(list(reversed(LIBRARY)), TARGET) == ranked  # input order does not matter


def test_ties_break_on_id_and_generic_scripts_fill_in():
    ranked = top([ANY_NEEDS, Script(9, "另一条通用", "needs")], Target("needs", "教育"))
    assert [m.script.id for m in ranked] == [4, 9]
    assert ranked[0].explain() == "阶段对口 +3 · 各行业通用 +1 · 不限预算 +1"


def test_adoption_counts_only_after_enough_impressions():
    few = top(LIBRARY, TARGET, {6: (4, 4)})
    assert [m.script.id for m in few] == [1, 5, 6]
    many = top(LIBRARY, TARGET, {6: (10, 10), 5: (10, 0)})
    assert [(m.script.id, m.score) for m in many] == [(1, 10), (6, 7), (5, 6)]
    assert many[1].reasons[-1] == "采用率 100% +1.00" and many[2].reasons[-1] == "采用率 0% +0.00"
