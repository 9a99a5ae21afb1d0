"""Heatmap arrangement, most-skipped actions, rates with counts: known answers on small data."""

from __future__ import annotations

from dataclasses import dataclass

from sales.attack_stats import SMALL_SAMPLE, grid, most_skipped, rate


@dataclass(frozen=True)
class C:
    owner_id: int
    name: str
    is_new: bool
    title: str
    due: int
    done: int
    scenario: str = "budget"
    strategy: str = "roi"
    position: int = 1


def test_rate_shows_counts_and_flags_small_samples():
    assert rate(13, 15) == "87%（13/15）"
    assert rate(1, 2) == "50%（1/2） 样本少"
    assert rate(0, 0) == "—"
    assert SMALL_SAMPLE == 5


def test_most_skipped_splits_new_reps_from_the_others_and_ignores_small_samples():
    cells = [C(1, "新人甲", True, "预约财务负责人线上答疑", 8, 1), C(2, "新人乙", True, "预约财务负责人线上答疑", 7, 1),
             C(1, "新人甲", True, "发送行业ROI测算模板", 8, 8), C(3, "老王", False, "预约财务负责人线上答疑", 10, 9),
             C(3, "老王", False, "提供分阶段付款方案", 2, 0)]  # 2 due: too few to judge
    skips = most_skipped(cells)
    assert [s.line() for s in skips] == ["87% 的新人跳过了“预约财务负责人线上答疑”（13/15）",
                                         "10% 的老销售跳过了“预约财务负责人线上答疑”（1/10）"]


def test_grid_puts_new_reps_first_and_columns_in_playbook_order():
    cells = [C(3, "老王", False, "拜访", 2, 1, scenario="decision"), C(1, "新人甲", True, "模板", 4, 3),
             C(1, "新人甲", True, "答疑", 1, 0, position=2), C(3, "老王", False, "模板", 1, 1)]
    g = grid(cells, ["budget", "decision"])
    assert [r[1] for r in g.rows] == ["新人甲", "老王"]
    assert [c[3] for c in g.cols] == ["模板", "答疑", "拜访"]
    assert g.cell(0, 0) == (4, 3) and g.cell(1, 0) == (1, 1) and g.cell(1, 1) == (0, 0) and g.cell(1, 2) == (2, 1)
