"""断点 ranking: value × staleness, only items past their benchmark, top ten per team, the nudge words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sales.breakpoints import LEAD_VALUE, Stuck, deal_value, nudge_text, rank

AS_OF = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Shanghai midnight
TZ = ZoneInfo("Asia/Shanghai")
D = timedelta(days=1)


def stuck(key: str, days: float, bench: float, value: int, team: int = 1) -> Stuck:
    return Stuck(key, team, 5, "李娜", f"客户{key}", "方案演示", AS_OF - days * D, bench, value, "做方案演示")


def test_value_times_staleness_orders_the_list():
    lines = rank([stuck("opp:1", 50, 10, 100_000),   # 10万 × 5 = 50
                  stuck("opp:2", 20, 10, 500_000),   # 50万 × 2 = 100
                  stuck("opp:3", 9, 10, 9_000_000)],  # not past its benchmark: not stuck
                 AS_OF, TZ)[1]
    assert [b.key for b in lines] == ["opp:2", "opp:1"]
    assert lines[0].score == 100 and lines[0].solve_by == "今天"
    assert lines[0].since == "11-08 起，停 20 天（标准 10 天）"


def test_top_ten_per_team():
    items = [stuck(f"opp:{i}", 10 + i, 10, 100_000, team=1 + i % 2) for i in range(30)]
    ranked = rank(items, AS_OF, TZ)
    assert sorted(ranked) == [1, 2] and all(len(v) == 10 for v in ranked.values())
    assert ranked[2][0].key == "opp:29"


def test_deal_value_falls_back_to_budget_then_lead_value():
    assert deal_value(300_000, 1, 2) == 300_000
    assert deal_value(None, 200_000, 400_000) == 300_000 and deal_value(None, 200_000, None) == 200_000
    assert deal_value(None, None, None) == LEAD_VALUE


def test_nudge_says_where_who_and_when():
    line = rank([stuck("opp:1", 15, 10, 100_000)], AS_OF, TZ)[1][0]
    assert nudge_text("周主管", line) == ("周主管 催一下：客户opp:1 卡在“方案演示”，11-13 起，停 15 天（标准 10 天）。"
                                          "请明天解决：做方案演示")
