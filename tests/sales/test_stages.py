"""The gated stages, their evidence, and how long a deal has sat."""

from __future__ import annotations

import pytest

from sales.stages import (
    CLOSED,
    STAGES,
    days_in_stage_label,
    missing_evidence,
    next_stage,
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
