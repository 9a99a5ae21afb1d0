"""The gated stages, their evidence, and how long a deal has sat."""

from __future__ import annotations

import pytest

from sales.stages import (
    CLOSED,
    DEFAULT,
    STAGES,
    Pipeline,
    days_in_stage_label,
    missing_evidence,
    next_stage,
    pick_reason,
    pipeline_from_config,
    pipeline_problems,
    stage,
    stage_name,
)


def test_stage_order_and_shape():
    assert [s.key for s in STAGES] == ["needs", "demo", "quote"]
    for s in STAGES:
        assert s.name and s.evidence and s.benchmark_days > 0 and s.next_step
    assert stage("demo").name == "方案演示"


def test_missing_evidence_in_stage_order():
    assert missing_evidence("needs", []) == ["会议纪要"]
    assert missing_evidence("needs", ["会议纪要"]) == []
    assert missing_evidence("needs", iter(["会议纪要", "别的"])) == []
    assert missing_evidence("demo", ["会议纪要"]) == ["演示视频或链接"]
    assert missing_evidence("quote", set()) == ["报价邮件或截图"]


def test_next_stage():
    assert next_stage("needs").key == "demo"
    assert next_stage("demo").key == "quote"
    assert next_stage("quote") is None


def test_stage_name():
    assert stage_name("needs") == "需求确认"
    assert stage_name("quote") == "报价反馈"
    assert stage_name("won") == CLOSED["won"] == "赢单"
    assert stage_name("lost") == "输单"
    assert stage_name("mystery") == "mystery"


def test_days_in_stage_label():
    assert days_in_stage_label(0, "needs") == "已停留 0 天（标准 7 天）"
    assert days_in_stage_label(7, "needs") == "已停留 7 天（标准 7 天）"
    assert days_in_stage_label(10, "needs") == "已停留 10 天（标准 7 天，超了 3 天）"
    assert days_in_stage_label(11, "demo") == "已停留 11 天（标准 10 天，超了 1 天）"


@pytest.mark.parametrize("call", [
    lambda: stage("negotiation"),
    lambda: missing_evidence("negotiation", []),
    lambda: days_in_stage_label(3, "negotiation"),
])
def test_unknown_stage_names_the_valid_ones(call):
    with pytest.raises(KeyError) as info:
        call()
    assert info.value.args[0] == "unknown stage 'negotiation'; stages are needs, demo, quote"


@pytest.mark.parametrize("key", ["won", "negotiation"])
def test_next_stage_of_an_unknown_key_explains(key):
    with pytest.raises(KeyError, match="stages are needs, demo, quote"):
        next_stage(key)


# --- configured pipelines ----------------------------------------------------------------------------

CUSTOM = [{"key": "discover", "name": "摸底", "evidence": ["拜访记录", "组织架构"], "benchmark_days": 5},
          {"key": "pilot", "name": "试用", "evidence": ["试用报告"], "next_step": "跟进试用"},
          {"key": "contract", "name": "合同", "evidence": []}]


def test_empty_config_gives_the_seed_stages():
    assert pipeline_from_config([]) is DEFAULT
    assert [s.name for s in DEFAULT.stages] == ["需求确认", "方案演示", "报价反馈"]


def test_a_configured_pipeline_drives_every_lookup():
    pipe = pipeline_from_config(CUSTOM)
    assert isinstance(pipe, Pipeline) and [s.key for s in pipe.stages] == ["discover", "pilot", "contract"]
    assert pipe.missing_evidence("discover", ["组织架构"]) == ["拜访记录"]
    assert pipe.next_stage("pilot").name == "合同" and pipe.next_stage("contract") is None
    assert pipe.is_last("contract") and not pipe.is_last("pilot")
    assert pipe.stage("pilot").benchmark_days == 7  # the default benchmark
    assert pipe.find("试用").key == "pilot" and pipe.find("pilot").name == "试用" and pipe.find("x") is None
    assert pipe.stage_name("won") == "赢单"
    assert pipe.days_in_stage_label(6, "discover") == "已停留 6 天（标准 5 天，超了 1 天）"
    with pytest.raises(KeyError, match="stages are discover, pilot, contract"):
        pipe.stage("needs")


@pytest.mark.parametrize(("rows", "fragment"), [
    ([{"key": "needs"}], "name is required"),
    ([{"key": "需求", "name": "需求"}], "key must be ASCII"),
    ([{"key": "won", "name": "赢"}], "reserved"),
    ([{"key": "a", "name": "A", "evidence": ["这是一个远远超过十六个字符的凭证名称啊啊"]}], "at most 16"),
    ([{"key": "a", "name": "A", "benchmark_days": 0}], "benchmark_days"),
    ([{"key": "a", "name": "A", "colour": "red"}], "unknown keys colour"),
    ([{"key": "a", "name": "A"}, {"key": "a", "name": "B"}], "used twice"),
    (["needs"], "must be a table"),
])
def test_bad_stage_config_says_what_to_fix(rows, fragment):
    problems = pipeline_problems(rows)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(ValueError, match="fix \\[opportunities\\] stages"):
        pipeline_from_config(rows)


def test_pick_reason_from_the_list():
    reasons = ["价格太高", "选了竞品", "其他"]
    assert pick_reason("2", reasons) == "选了竞品"
    assert pick_reason("价格太高", reasons) == "价格太高"
    assert pick_reason("选了竞品 对方便宜两成", reasons) == "选了竞品：对方便宜两成"
    assert pick_reason("其他：老板换人了", reasons) == "其他：老板换人了"
    for bad in ("", "4", "0", "不想做了"):
        assert pick_reason(bad, reasons) is None
