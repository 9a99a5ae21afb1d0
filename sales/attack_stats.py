"""Manager views of attack actions (no I/O): the reps × actions heatmap, and the rates every view shows.

Every rate is shown with its counts ("87%（13/15）") and rates over fewer than SMALL_SAMPLE cases are
flagged "样本少", so nobody over-reads three deals. An action counts once it is due; one done late still
counts as done. The monthly report's lines are in sales/action_report.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

SMALL_SAMPLE = 5


class CellLike(Protocol):  # read-only members: the repositories hand frozen dataclasses
    @property
    def owner_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def is_new(self) -> bool: ...

    @property
    def scenario(self) -> str: ...

    @property
    def strategy(self) -> str: ...

    @property
    def position(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def due(self) -> int: ...

    @property
    def done(self) -> int: ...


def rate(part: int, whole: int) -> str:
    """Show part/whole as "87%（13/15）", "—" when there is nothing to count, flagged when the sample is small."""
    if not whole:
        return "—"
    text = f"{part / whole:.0%}（{part}/{whole}）"
    return text + " 样本少" if whole < SMALL_SAMPLE else text


@dataclass
class Grid:
    """The heatmap: rows are reps (new reps first), columns are actions in playbook order, cells (due, done)."""

    rows: list[tuple[int, str, bool]] = field(default_factory=list)
    cols: list[tuple[str, str, int, str]] = field(default_factory=list)
    cells: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    def cell(self, row: int, col: int) -> tuple[int, int]:
        """Return (due, done) of a cell, (0, 0) when that rep never had that action."""
        return self.cells.get((row, col), (0, 0))


def grid(cells: Iterable[CellLike], scenario_order: Sequence[str] = ()) -> Grid:
    """Arrange heatmap cells into rows and columns."""
    cells = list(cells)
    order = {key: i for i, key in enumerate(scenario_order)}
    cols = sorted({(c.scenario, c.strategy, c.position, c.title) for c in cells},
                  key=lambda k: (order.get(k[0], len(order)), k[0], k[1], k[2]))
    rows = sorted({(c.owner_id, c.name, c.is_new) for c in cells}, key=lambda r: (not r[2], r[1]))
    col_at = {k: i for i, k in enumerate(cols)}
    row_at = {r[0]: i for i, r in enumerate(rows)}
    out = Grid(rows, cols)
    for c in cells:
        key = (row_at[c.owner_id], col_at[(c.scenario, c.strategy, c.position, c.title)])
        due, done = out.cell(*key)
        out.cells[key] = (due + c.due, done + c.done)
    return out


@dataclass(frozen=True)
class Skip:
    """How often a group of reps skipped one action."""

    group: str  # 新人 | 老销售 | 全部
    title: str
    due: int
    skipped: int

    def line(self) -> str:
        """Say it the way a manager reads it: "87% 的新人跳过了“预约财务负责人线上答疑”（13/15）"."""
        return f"{self.skipped / self.due:.0%} 的{self.group}跳过了“{self.title}”（{self.skipped}/{self.due}）"


def most_skipped(cells: Iterable[CellLike], top: int = 3, min_due: int = SMALL_SAMPLE) -> list[Skip]:
    """The actions skipped most, for new reps and for the others, ignoring samples under `min_due`."""
    totals: dict[tuple[str, str], list[int]] = {}
    for c in cells:
        key = ("新人" if c.is_new else "老销售", c.title)
        due_done = totals.setdefault(key, [0, 0])
        due_done[0] += c.due
        due_done[1] += c.done
    skips = [Skip(g, t, due, due - done) for (g, t), (due, done) in totals.items() if due >= min_due and due > done]
    skips.sort(key=lambda s: (-s.skipped / s.due, -s.due, s.group, s.title))
    return skips[:top]


def completion(cells: Iterable[CellLike]) -> tuple[int, int]:
    """Return (done, due) over all cells."""
    cells = list(cells)
    return sum(c.done for c in cells), sum(c.due for c in cells)
