"""Daily report rules: reasons per undone item (pick-list plus words) gate submission; weekly sums."""

from __future__ import annotations

from sales.reports import REASONS, ReportItem, WeekNumbers, missing_reasons, parse_reason, week_total

ITEMS = [ReportItem("lead:1", "首次联系A", True), ReportItem("opp:2", "跟进B报价反馈", False),
         ReportItem("task:3", "攻坚C", False, "客户没回复")]


def test_only_undone_items_without_reason_block_submission():
    assert [i.key for i in missing_reasons(ITEMS)] == ["opp:2"]
    assert missing_reasons([ReportItem("a", "x", True)]) == []


def test_reason_by_number_pick_list_words_or_own_words():
    assert parse_reason("1 2", ITEMS) == ("opp:2", REASONS[1])  # item numbers count undone items only
    assert parse_reason("1 客户改期 下周二再约", ITEMS) == ("opp:2", "客户改期：下周二再约")
    assert parse_reason("2 客户出差了", ITEMS) == ("task:3", "其他：客户出差了")


def test_bad_reason_input_says_how_to_write_it():
    assert "序号" in parse_reason("客户出差", ITEMS)
    assert "1–2" in parse_reason("3 太忙", ITEMS)
    assert "不能为空" in parse_reason("1", ITEMS)
    assert "都完成了" in parse_reason("1 x", [ReportItem("a", "x", True)])


def test_week_numbers_sum_and_read_well():
    a = WeekNumbers(leads=4, converted=1, stage_moves=2, stage_days=9, tasks_due=4, tasks_done=3)
    total = week_total([a, WeekNumbers(leads=6, converted=2, won=1, won_amount=500_000)])
    assert (total.leads, total.converted, total.won) == (10, 3, 1)
    assert total.conversion() == "30%（3/10）" and a.velocity().startswith("平均 4.5 天/阶段")
    assert a.completion() == "75%（3/4）" and WeekNumbers().completion() == "—"
