"""The battle map (作战地图): region × product line × rep cells of lead density, blockages and risks (no I/O).

Signals come from storage/repos/battle_map.py, one row per record, each tied to an owner and the customer's
industry. A cell is (row, product line) where the row is a rep (a manager's view, or an admin's drill into a
region) or a region (the admin's view). Product lines: `[reports] product_lines` maps an industry to its
line ("医疗" → "医疗设备线"); an unmapped industry is its own line, a customer without one is "未分类".

Blockage kinds (卡点): a deal past its stage's benchmark days, a lead that breached the first-response SLA,
an accepted lead not converted within LEAD_CONVERT_DAYS. Risk kinds (风险客户): a customer dormant past
`dormant_days`, a churn signal (pool reclaim or WeCom contact deleted, last 30 days), a lost deal (last 30
days), a customer past 1.5 × their usual order cycle. Each cell's to-dos are its three oldest records.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

BLOCK_KINDS = {"deal_stalled": "商机阶段超期", "lead_breached": "线索超时未响应", "lead_stuck": "线索久未转化"}
RISK_KINDS = {"dormant": "客户休眠", "churn": "流失信号", "deal_lost": "近期输单", "order_overdue": "超周期未复购"}
METRICS = {"block": "卡点", "risk": "风险客户", "density": "线索密度"}
UNSORTED = "未分类"
TOP = 3


@dataclass(frozen=True)
class Signal:
    """One record behind a number: what kind, whose, which customer, since when, and what to do."""

    kind: str
    owner_id: int
    industry: str
    customer_id: int | None
    subject: str
    since: datetime
    detail: str = ""
    where: str = ""  # the row it belongs to when rows are regions (the repository's row key)

    def todo(self, now: datetime) -> str:
        """Say the to-do in sales language: "华东医疗：商机阶段超期 12 天（方案演示）→ 今天约客户推进"."""
        days = max((now - self.since).days, 0)
        label = {**BLOCK_KINDS, **RISK_KINDS}.get(self.kind, self.kind)
        step = STEPS.get(self.kind, "")
        extra = f"（{self.detail}）" if self.detail else ""
        return f"{self.subject}：{label} {days} 天{extra}→ {step}"


STEPS = {"deal_stalled": "今天约客户推进到下一阶段", "lead_breached": "马上打电话并记“跟进”",
         "lead_stuck": "约需求沟通，能成就新建商机", "dormant": "本周回访一次", "churn": "主管出面挽回或重新分配",
         "deal_lost": "复盘输单原因，留后续机会", "order_overdue": "问问复购计划"}


@dataclass
class Cell:
    """One cell: counts per metric and the oldest records of each metric."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    todos: dict[str, list[Signal]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Grid:
    """Rows (reps or regions) × columns (product lines) of cells."""

    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], Cell]
    row_region: dict[str, str]

    def cell(self, row: str, col: str) -> Cell:
        """Return the cell (an empty one where nothing happened)."""
        return self.cells.get((row, col)) or Cell()

    def total(self, metric: str) -> int:
        """Return the metric summed over every cell."""
        return sum(c.counts[metric] for c in self.cells.values())

    def peak(self, metric: str) -> int:
        """Return the largest cell value of a metric (the colour scale's top)."""
        return max((c.counts[metric] for c in self.cells.values()), default=0)


def product_line(industry: str, mapping: Mapping[str, str]) -> str:
    """Return the product line an industry sells through (config mapping, else the industry itself)."""
    return mapping.get(industry, industry) or UNSORTED


def metric_of(kind: str) -> str:
    """Return the metric a signal kind counts towards."""
    return "block" if kind in BLOCK_KINDS else "risk"


def build(counts: Iterable[tuple[int | str, str, str, int]], signals: Iterable[Signal],
          people: Mapping[int, tuple[str, str]], mapping: Mapping[str, str], by: str = "rep") -> Grid:
    """Fold (row key, industry, metric, n) counts and record signals into a grid by rep or by region.

    The row key is an owner id for rep rows, the region itself for region rows (the repository groups by it).
    """
    def row_of(key: int | str) -> str | None:
        if by != "rep":
            return str(key) or UNSORTED
        who = people.get(key) if isinstance(key, int) else None  # rep rows are keyed by owner id
        return None if who is None else who[0]

    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for owner, industry, metric, n in counts:
        if (row := row_of(owner)) is not None:
            cells[(row, product_line(industry, mapping))].counts[metric] += n
    for s in signals:
        if (row := row_of(s.owner_id if by == "rep" else s.where)) is not None:
            cells[(row, product_line(s.industry, mapping))].todos[metric_of(s.kind)].append(s)
    for cell in cells.values():
        for metric, items in cell.todos.items():
            cell.todos[metric] = heapq.nsmallest(TOP, items, key=lambda s: (s.since, s.subject))
    regions = {n: r or UNSORTED for n, r in people.values()} if by == "rep" else {}
    rows = sorted({r for r, _ in cells} | (set(regions) if by == "rep" else set()),
                  key=lambda r: (regions.get(r, ""), r))
    cols = sorted({c for _, c in cells}, key=lambda c: (c == UNSORTED, c))
    return Grid(rows, cols, dict(cells), regions)


def biggest_risk(grid: Grid, now: datetime) -> str:
    """Say the single biggest process risk in one sentence, or "" when there is none.

    The cell with the most blockages (×2) plus risk customers wins; ties go to the one with the oldest record.
    """
    def oldest(c: Cell) -> float:
        return max(((now - s.since).total_seconds() for items in c.todos.values() for s in items), default=0.0)

    scored = [(c.counts["block"] * 2 + c.counts["risk"], oldest(c), key) for key, c in grid.cells.items()
              if c.counts["block"] or c.counts["risk"]]
    if not scored:
        return ""
    *_, (row, col) = max(scored)
    cell = grid.cells[(row, col)]
    worst = min((s for items in cell.todos.values() for s in items), key=lambda s: s.since, default=None)
    where = f"{row}·{col}"
    head = f"最大风险在{where}：{cell.counts['block']} 个卡点、{cell.counts['risk']} 个风险客户"
    return head + (f"，最久的是{worst.todo(now)}" if worst else "") + "。"
