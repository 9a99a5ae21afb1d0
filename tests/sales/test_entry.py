"""The one-line entry syntax: a new lead with the quick form's trailing 行业 / 地区 picks."""

from __future__ import annotations

from sales.entry import NewLeadText, parse_new_lead


def test_a_new_lead_reads_trailing_industry_and_region():
    assert parse_new_lead("王经理 138-0013-8000 华东医疗 想了解 影像设备 行业 医疗 地区：上海") == NewLeadText(
        "王经理", "13800138000", "华东医疗", "想了解 影像设备", "医疗", "上海")
    assert parse_new_lead("王经理 13800138000") == NewLeadText("王经理", "13800138000", "", "")


def test_picks_alone_are_not_a_lead():
    assert "要写姓名和手机" in parse_new_lead("行业 医疗 地区 上海")
    assert "要写姓名和手机" in parse_new_lead("王经理 行业 医疗")
    assert "不是11位手机号" in parse_new_lead("王经理 12345 行业 医疗")
