"""今日必做 ranking: the documented score, tie-breaks, one item per subject, skips, and the words reps read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sales.mustdo import Candidate, describe, left_label, rank, score, urgency

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
H = timedelta(hours=1)


def cand(kind: str, hours_left: float, key: str, owner: int = 1, subject: str = "华东医疗", **kw) -> Candidate:
    return Candidate(owner, key, kind, subject, NOW + hours_left * H, **kw)


def test_urgency_is_continuous_and_capped():
    assert urgency(0) == 1 and urgency(8) == 0.5 and urgency(32) == pytest.approx(0.2)
    assert urgency(-36) == 1.5 and urgency(-72) == 2 and urgency(-500) == 2


def test_nearest_sla_deadline_beats_a_stalled_deal_and_a_far_task():
    items = rank([cand("stalled", -24, "opp:1", subject="A"), cand("sla", 2, "lead:2", subject="B"),
                  cand("task", 30, "task:3", subject="C"), cand("cadence", 0, "cust:4", subject="D")], NOW)[1]
    # sla 100/(1+2/8)=80; stalled 60*(1+24/72)=80 (earlier deadline wins the tie); cadence 40; task 50*0.21
    assert [i.key for i in items] == ["opp:1", "lead:2", "cust:4"]
    assert score(cand("sla", 2, "x"), NOW) == 80


def test_overdue_attack_action_outranks_a_quote_due_later_today():
    items = rank([cand("quote", 4, "opp:1", subject="A"), cand("attack", -2, "task:9", subject="B")], NOW)[1]
    assert [i.kind for i in items] == ["attack", "quote"]


def test_one_item_per_subject_and_three_at_most():
    rows = [cand("task", -1, f"task:{i}", about="opp:7") for i in range(6)] + [
        cand("stalled", -1, "opp:7", about="opp:7"), cand("sla", 1, "lead:1", subject="B"),
        cand("cadence", 1, "cust:3", subject="C", detail="A"), cand("task", 5, "task:99", subject="D")]
    items = rank(rows, NOW)[1]
    assert len(items) == 3 and [i.key for i in items].count("opp:7") == 1
    assert {i.key for i in items} == {"opp:7", "lead:1", "cust:3"}


def test_skipped_items_are_left_out_per_owner():
    rows = [cand("sla", 1, "lead:1", owner=1), cand("sla", 1, "lead:1", owner=2)]
    ranked = rank(rows, NOW, skip={(1, "lead:1")})
    assert 1 not in ranked and [i.key for i in ranked[2]] == ["lead:1"]


def test_each_item_says_why_and_how_long_is_left():
    quote = describe(cand("quote", 2.5, "opp:1", subject="XX客户"), NOW)
    assert quote == "跟进XX客户报价反馈（距超时剩2小时）"
    stalled = describe(cand("stalled", -50, "opp:2", detail="方案演示"), NOW)
    assert stalled == "推进华东医疗出“方案演示”阶段（已超时2天）"
    assert describe(cand("cadence", 0.5, "cust:1", detail="A"), NOW) == "回访A类客户华东医疗（距超时剩30分钟）"
    assert rank([cand("sla", 1, "lead:1")], NOW)[1][0].why.startswith("黄金4小时")
    assert left_label(NOW, NOW - 3 * H) == "已超时3小时"
