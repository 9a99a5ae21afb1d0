"""Distribution strategies: round robin, weighted, rule-based, least loaded; skips, capacity, fallback."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sales.distribution import LeadFacts, Policy, Rep, Rotation, assign, in_hours, parse_rules, weighted_sequence

NOON = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WEB = LeadFacts("web_form")


def team(*names: str, **overrides) -> list[Rep]:
    return [Rep(i + 1, n, **overrides.get(n, {})) for i, n in enumerate(names)]


def run(policy: Policy, reps: list[Rep], n: int, facts: LeadFacts = WEB, cooled=()) -> list[str | None]:
    """Assign n leads in a row, carrying the rotation like the database does."""
    rots: dict[str, Rotation] = {}
    names = {r.id: r.name for r in reps}
    out = []
    for _ in range(n):
        a = assign(policy, facts, reps, rots, NOON, cooled)
        if a.rotation:
            rots[a.pool_key] = a.rotation
        out.append(names.get(a.member_id))
    return out


def test_round_robin_takes_turns_and_records_why():
    reps = team("甲", "乙", "丙")
    assert run(Policy(), reps, 4) == ["甲", "乙", "丙", "甲"]
    first = assign(Policy(), WEB, reps, {}, NOON)
    assert first.reason == "默认规则 · 全员 · 轮流分配（第 1 轮）"


def test_weighted_spreads_heavy_reps():
    reps = team("甲", "乙")
    assert [r.name for r in weighted_sequence(reps, {"甲": 3})] == ["甲", "甲", "乙", "甲"]
    assert run(Policy(strategy="weighted", weights={"甲": 3}), reps, 8).count("甲") == 6


def test_rule_based_by_region_and_industry_relaxes_when_nobody_matches():
    reps = [Rep(1, "沪医", region="上海", industries=("医疗",)), Rep(2, "沪教", region="上海", industries=("教育",)),
            Rep(3, "京医", region="北京", industries=("医疗",))]
    policy = Policy(strategy="rule_based")
    assert run(policy, reps, 2, LeadFacts("web", "上海", "医疗")) == ["沪医", "沪医"]
    assert run(policy, reps, 2, LeadFacts("web", "广州", "医疗")) == ["沪医", "京医"]
    reason = assign(policy, LeadFacts("web", "上海", "制造"), reps, {}, NOON).reason
    assert "地区上海" in reason


def test_explicit_rules_match_channel_and_product_line():
    rules = parse_rules([{"name": "expo", "channel": "expo", "members": ["乙"]},
                         {"name": "cloud", "product_line": "云", "team": "云团队", "strategy": "least_loaded"}])
    reps = [Rep(1, "甲", team="云团队", open_leads=5), Rep(2, "乙"), Rep(3, "丙", team="云团队", open_leads=1)]
    policy = Policy(rules=rules)
    assert run(policy, reps, 2, LeadFacts("expo")) == ["乙", "乙"]
    choice = assign(policy, LeadFacts("web", product_line="云"), reps, {}, NOON)
    assert choice.member_id == 3 and "谁手上线索少给谁（手上 1/50 条）" in choice.reason


def test_skips_inactive_on_leave_outside_hours_capacity_daily_cap_and_cooldown():
    reps = team("休", "假", "夜", "满", "够", "冷", "好", **{
        "休": {"active": False}, "假": {"on_leave": True}, "夜": {"work_start": "20:00", "work_end": "02:00"},
        "满": {"capacity": 3, "open_leads": 3}, "够": {"new_today": 30}})
    choice = assign(Policy(), WEB, reps, {}, NOON, cooled={6})
    assert choice.member_id == 7
    assert choice.skipped == {"休": "inactive", "假": "on leave", "夜": "outside working hours 20:00-02:00",
                              "满": "at capacity (3/3 open)", "够": "daily cap (30/30 today)",
                              "冷": "cooling down after a reclaim"}


def test_fallback_owner_then_the_pool():
    reps = team("甲", "兜底", **{"甲": {"on_leave": True}, "兜底": {"capacity": 0}})
    fallback = assign(Policy(fallback_owner="兜底"), WEB, reps, {}, NOON)
    assert fallback.member_id == 2 and "交给兜底负责人" in fallback.reason
    pooled = assign(Policy(), WEB, team("甲", **{"甲": {"on_leave": True}}), {}, NOON)
    assert pooled.member_id is None and "先放在线索池等人领取" in pooled.reason and "甲休假中" in pooled.reason


def test_overnight_hours_wrap():
    assert in_hours(NOON.replace(hour=23), "20:00", "02:00")
    assert in_hours(NOON.replace(hour=1), "20:00", "02:00")
    assert not in_hours(NOON, "20:00", "02:00")
