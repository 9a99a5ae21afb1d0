"""Daily and weekly report numbers, and the daily report's submission rule (no I/O).

A daily report can be submitted only when every must-do item shown that day is either done or has a
reason (one of REASONS, optionally with the rep's own words: "客户改期：下周二再约").
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sales.stages import pick_reason

REASONS = ("客户没回复", "时间不够", "优先级调整", "客户改期", "其他")
SNOOZE_REASON = "推迟到明天"  # a snoozed item carries this reason, so snoozing counts as explained


@dataclass(frozen=True)
class DayNumbers:
    """What a rep did today."""

    followups: int = 0
    stage_moves: int = 0
    actions_done: int = 0


@dataclass(frozen=True)
class ReportItem:
    """A must-do item of the day as the daily report shows it."""

    key: str
    text: str
    done: bool
    reason: str = ""


def missing_reasons(items: list[ReportItem]) -> list[ReportItem]:
    """Return the undone items that still need a reason."""
    return [i for i in items if not i.done and not i.reason]


def parse_reason(text: str, items: list[ReportItem]) -> tuple[str, str] | str:
    """Read "<序号> <原因>" into (item key, reason); return what is wrong as a string otherwise.

    The reason may be a pick-list number or words ("2", "客户改期 下周再约"); other words count as 其他.
    """
    number, _, rest = text.strip().partition(" ")
    undone = [i for i in items if not i.done]
    if not number.isdigit() or not 1 <= int(number) <= len(undone):
        return f"先写没做完事项的序号（1–{len(undone)}），再写原因，如“日报 1 客户改期 下周再约”" if undone \
            else "今天的必做都完成了，不需要写原因"
    rest = rest.strip()
    if not rest:
        return "原因不能为空：可以写“" + "”“".join(REASONS) + "”，或自己的话"
    reason = pick_reason(rest, list(REASONS)) or f"其他：{rest}"[:200]
    return undone[int(number) - 1].key, reason


@dataclass(frozen=True)
class WeekNumbers:
    """A rep's (or, summed, a team's) week: leads, conversion, stage velocity, wins/losses, SLA, actions."""

    leads: int = 0
    converted: int = 0
    stage_moves: int = 0
    stage_days: float = 0.0  # days spent in the stage, summed over the week's moves
    won: int = 0
    won_amount: int = 0
    lost: int = 0
    breaches: int = 0
    tasks_due: int = 0
    tasks_done: int = 0

    def __add__(self, other: WeekNumbers) -> WeekNumbers:
        return WeekNumbers(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def conversion(self) -> str:
        """Say the lead-to-deal conversion of the week's leads."""
        return f"{self.converted / self.leads:.0%}（{self.converted}/{self.leads}）" if self.leads else "—"

    def velocity(self) -> str:
        """Say the average days a deal spent in a stage before moving on."""
        return f"平均 {self.stage_days / self.stage_moves:.1f} 天/阶段（{self.stage_moves} 次推进）" \
            if self.stage_moves else "本周无阶段推进"

    def completion(self) -> str:
        """Say how many of the week's due actions were done."""
        if not self.tasks_due:
            return "—"
        return f"{self.tasks_done / self.tasks_due:.0%}（{self.tasks_done}/{self.tasks_due}）"


def week_total(rows: list[WeekNumbers]) -> WeekNumbers:
    """Sum reps' weeks into the team's."""
    total = WeekNumbers()
    for row in rows:
        total = total + row
    return total


def rollup_rows(people: list[tuple[int, str]], numbers: dict[int, DayNumbers], items: dict[int, list[ReportItem]],
                submitted: set[int]) -> list[tuple[str, DayNumbers, str, str]]:
    """Build the manager's roll-up lines: (name, numbers, "done/shown" must-do, report state)."""
    rows = []
    for mid, name in people:
        mine = items.get(mid, [])
        state = "已提交" if mid in submitted else "未提交"
        rows.append((name, numbers.get(mid, DayNumbers()), f"{sum(i.done for i in mine)}/{len(mine)}", state))
    return rows
