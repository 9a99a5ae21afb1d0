"""The root-cause use case: per team and per region, detect two falling weeks and name the main cause.

Facts come from storage/repos/root_cause.py, factor values are bucketed here, the decomposition is
sales/root_cause.py's. The job (scheduler/root_cause.py) pushes each finding to the people who own the scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sales import root_cause as rc
from sales.stages import Pipeline
from storage.repos import root_cause as repo

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Finding:
    """A scope whose conversion fell two weeks running, with its weekly rates and ranked contributions."""

    kind: str  # team | region
    key: int | str
    weeks: list[tuple[int, int]]
    ranked: list[rc.Term]

    @property
    def delta(self) -> float:
        """Return R2 − R0 in percentage points."""
        (c0, n0), _, (c2, n2) = self.weeks
        return (c2 / n2 - c0 / n0) * 100

    def drop_text(self, name: str) -> str:
        """Say the fall: "华东一部 转化率连续两周下降：30% → 22% → 9%（各周新线索 40、38、41 条）"."""
        rates = " → ".join(f"{c / n:.0%}" for c, n in self.weeks)
        counts = "、".join(str(n) for _, n in self.weeks)
        return f"{name} 线索转化率连续两周下降：{rates}（三周前 → 上周；各周新线索 {counts} 条）"


def _week(at: datetime | None, start: datetime) -> int | None:
    if at is None or at < start:
        return None
    w = int((at - start) / WEEK)
    return w if 0 <= w <= 2 else None


def _load(owner: int | None, share: float) -> str:
    if owner is None:
        return "无负责人"
    return "过半以下" if share < 0.5 else "五到九成" if share < 0.9 else "接近满载"


def _bucket(f: dict, loads: dict[int, int], done: dict, start: datetime, end: datetime, pipe: Pipeline) -> dict:
    owner = f["owner_id"]
    share = loads.get(owner, 0) / (f["capacity"] or 1)
    resp = (f["first_response_at"] - f["assigned_at"]).total_seconds() / 60 \
        if f["first_response_at"] and f["assigned_at"] else None
    due, ok = done.get((owner, _week(f["received_at"], start)), (0, 0))
    stage = pipe.find(f["opp_stage"] or "")
    stuck = stage and f["opp_since"] and (end - f["opp_since"]).days > stage.benchmark_days
    return {
        "source": f["source"] or f["channel"] or "未知来源", "channel": f["channel"] or "未知渠道",
        "industry": f["industry"] or "未填行业", "region": f["region"] or "未填地区",
        "sla": "首响超时" if f["breached_at"] else "首响及时",
        "response": "还没响应" if resp is None else "30分钟内" if resp <= 30 else "4小时内" if resp <= 240
        else "超过4小时",
        "load": _load(owner, share),
        "new_rep": "无负责人" if owner is None else "新人" if f["is_new"] else "老销售",
        "reassigned": "换过负责人" if f["moved"] else "没换过负责人",
        "followups": "0次" if not f["touches"] else "1-2次" if f["touches"] <= 2 else "3次以上",
        "completion": "无动作" if not due else "八成以上" if ok / due >= 0.8 else "五到八成" if ok / due >= 0.5
        else "不到五成",
        "competitor": "提到竞品" if f["rival"] else "没提竞品", "script": "用过话术" if f["script"] else "没用话术",
        "stage_dwell": "无商机" if not f["opp_stage"] else "卡住" if stuck else "推进正常",
    }


async def findings(session: AsyncSession, end: datetime, pipe: Pipeline, min_leads: int) -> list[Finding]:
    """Return every team and region whose conversion fell two weeks running before `end`, biggest fall first."""
    start = end - 3 * WEEK
    facts = await repo.lead_facts(session, start, end)
    loads = await repo.owner_loads(session)
    done: dict[tuple[int, int | None], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for owner, due_at, ok in await repo.completion(session, start, end):
        n, k = done[(owner, _week(due_at, start))]
        done[(owner, _week(due_at, start))] = (n + 1, k + ok)
    scopes: dict[tuple[str, int | str], list[rc.LeadRow]] = defaultdict(list)
    for f in facts:
        row = rc.LeadRow(_week(f["received_at"], start), _week(f["converted_at"], start),
                         _bucket(f, loads, done, start, end, pipe))
        if f["team_id"] is not None:
            scopes[("team", f["team_id"])].append(row)
        if f["owner_region"]:
            scopes[("region", f["owner_region"])].append(row)
    out = []
    for (kind, key), rows in scopes.items():
        weeks = rc.rates(rows)
        if rc.falling(weeks, min_leads):
            out.append(Finding(kind, key, weeks, rc.rank(rows)))
    return sorted(out, key=lambda f: (f.delta, str(f.key)))
