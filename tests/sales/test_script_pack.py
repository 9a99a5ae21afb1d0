"""Script pack rows: every reject says why; the starter pack is valid and broad enough."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from sales.script_pack import check_row, check_rows
from sales.stages import DEFAULT

STARTER = Path(__file__).resolve().parents[2] / "packs" / "scripts" / "starter.toml"
ROW = {"key": "k1", "title": "标题", "text": "正文", "stage": "需求确认", "industry": "医疗", "budget": "large",
       "scenario": "首访", "keywords": "影像; 科室"}


def test_a_good_row_is_normalized():
    assert check_row(ROW, DEFAULT) == {"key": "k1", "title": "标题", "text": "正文", "stage": "needs",
                                       "industry": "医疗", "band": "大单", "scenario": "首访",
                                       "keywords": ["影像", "科室"]}
    generic = check_row({"key": "g", "title": "t", "text": "x", "industry": "通用"}, DEFAULT)
    assert (generic["stage"], generic["industry"], generic["band"], generic["keywords"]) == ("", "", "", [])


@pytest.mark.parametrize(("change", "fragment"), [
    ({"key": ""}, "key is required"),
    ({"stage": "谈判"}, "is not a stage"),
    ({"budget": "巨单"}, "must be 小单"),
    ({"keywords": 3}, "keywords must be"),
    ({"colour": "red"}, "unknown field"),
    ({"title": "长" * 121}, "at most 120"),
])
def test_bad_rows_say_why(change, fragment):
    assert fragment in check_row({**ROW, **change}, DEFAULT)


def test_duplicate_keys_are_rejected_after_the_first():
    valid, rejected = check_rows([ROW, ROW, "x"], DEFAULT, first_line=2)
    assert len(valid) == 1
    assert rejected == [(3, "key 'k1' appears twice in this file"), (4, "must be a table of script fields")]


def test_starter_pack_covers_every_stage_and_industry():
    rows = tomllib.loads(STARTER.read_text("utf-8"))["script"]
    valid, rejected = check_rows(rows, DEFAULT)
    assert rejected == [] and len(valid) >= 30
    by_stage = Counter(r["stage"] for r in valid)
    assert all(by_stage[s.key] >= 10 for s in DEFAULT.stages)
    industries = Counter(r["industry"] for r in valid)
    for industry in ("医疗", "制造", "教育", "零售", "金融"):
        assert industries[industry] >= 6
        assert {r["stage"] for r in valid if r["industry"] == industry} == {"needs", "demo", "quote"}
    assert {r["band"] for r in valid} >= {"小单", "中单", "大单"}
