"""Root cause of a falling conversion rate: a shift-share decomposition over recorded factors (no I/O).

Conversion of a week = leads converted in the week (lead_event `converted`) ÷ leads received in the week.
A scope (a team or a region) is flagged when the rate fell two weeks running (w0 > w1 > w2) with at least
`min_leads` leads each week. The change Δ = R2 − R0 is then split, for every factor f separately, over its
values v with the symmetric (midpoint) shift-share identity

    Δ = Σ_v (s2_v − s0_v) · (r0_v + r2_v)/2   [mix: more or fewer leads of kind v]
      + Σ_v (r2_v − r0_v) · (s0_v + s2_v)/2   [rate: leads of kind v converting worse or better]

where s_v is v's share of the week's leads and r_v its conversion. Each term is one (factor, value, mix|rate)
contribution; conversions of a value with no leads that week are a small residual.

Ranking: a decline spread evenly over everyone would give each value a rate term of Δ × its average share
(and mix terms of 0), so a term's *excess* = effect − that expectation (rate) or the effect itself (mix).
A value that is everyone (one channel only) has no excess; the value whose leads changed unlike the others
does. The main cause is the term with the most negative excess over all factors; each factor is represented
by its own strongest term in the evidence list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

# factor key -> (name, how a sentence names leads of value {v})
FACTORS: dict[str, tuple[str, str]] = {
    "source": ("线索来源", "来自“{v}”的线索"), "channel": ("进线渠道", "“{v}”渠道的线索"),
    "industry": ("客户行业", "{v}客户的线索"), "region": ("客户地区", "{v}的线索"),
    "sla": ("首次响应超时", "{v}的线索"), "response": ("首次响应速度", "首次响应{v}的线索"),
    "load": ("负责人负荷", "负责人负荷{v}的线索"), "new_rep": ("负责人是否新人", "{v}负责的线索"),
    "reassigned": ("换过负责人", "{v}的线索"), "followups": ("跟进次数", "跟进{v}的线索"),
    "completion": ("负责人动作完成率", "动作完成率{v}的销售的线索"), "competitor": ("竞品", "{v}的线索"),
    "script": ("话术采用", "{v}的线索"), "stage_dwell": ("商机阶段停留", "商机{v}的线索"),
}
ACTIONS = {
    "source": "和市场一起核对“{v}”的线索质量（号码、需求是否真实），本周这类线索先交给老销售跟",
    "channel": "检查“{v}”渠道的表单和字段映射，必要时暂停这一渠道的投放",
    "industry": "开一次{v}客户的案例复盘，统一话术和方案",
    "region": "和{v}的销售过一遍线索，看是否跟进不到位",
    "sla": "盯住首次响应：超时的线索今天全部回访，主管每天看一次超时名单",
    "response": "首次响应要在 30 分钟内：把线索提醒推到手机，主管盯慢的人",
    "load": "负荷{v}的人线索太多跟不过来，本周调整分配上限或转给负荷低的人",
    "new_rep": "给{v}配师傅，重点线索主管陪跟",
    "reassigned": "减少线索换手：换人前先跟客户打招呼，交接写清楚进展",
    "followups": "跟进{v}的线索太多：本周每条线索至少跟进 3 次",
    "completion": "动作完成率{v}的销售要在周会上过一遍没做的动作",
    "competitor": "遇到竞品就开“攻坚 竞品”，拿对比材料和成功案例",
    "script": "把管用的话术发到群里，晨会练一遍",
    "stage_dwell": "卡住的商机本周逐个过：谁负责、卡在哪、下一步",
}


@dataclass(frozen=True)
class LeadRow:
    """One lead: the week it came in (0, 1, 2 or None), the week it converted (or None), its factor values."""

    received: int | None
    converted: int | None
    values: dict[str, str]


@dataclass(frozen=True)
class Term:
    """One contribution to Δ in percentage points, with the numbers behind it."""

    factor: str
    value: str
    kind: str  # mix | rate
    effect: float
    excess: float
    n0: int
    n2: int
    r0: float
    r2: float


def rates(rows: list[LeadRow]) -> list[tuple[int, int]]:
    """Return (converted, received) for weeks 0, 1 and 2."""
    out = [[0, 0] for _ in range(3)]
    for r in rows:
        if r.received is not None:
            out[r.received][1] += 1
        if r.converted is not None:
            out[r.converted][0] += 1
    return [(c, n) for c, n in out]


def falling(weeks: list[tuple[int, int]], min_leads: int) -> bool:
    """True when conversion fell two weeks running on enough leads each week."""
    if any(n < min_leads for _, n in weeks):
        return False
    r = [c / n for c, n in weeks]
    return r[0] > r[1] > r[2]


def terms(rows: list[LeadRow], factor: str) -> list[Term]:
    """Split R2 − R0 over one factor's values (mix and rate terms), in percentage points."""
    n: dict[tuple[int, str], int] = defaultdict(int)
    c: dict[tuple[int, str], int] = defaultdict(int)
    for r in rows:
        v = r.values.get(factor, "")
        if r.received in (0, 2):
            n[(r.received, v)] += 1
        if r.converted in (0, 2):
            c[(r.converted, v)] += 1
    total = {w: sum(k for (ww, _), k in n.items() if ww == w) for w in (0, 2)}
    if not (total[0] and total[2]):
        return []
    delta = (sum(k for (w, _), k in c.items() if w == 2) / total[2]
             - sum(k for (w, _), k in c.items() if w == 0) / total[0]) * 100
    out = []
    for v in sorted({v for _, v in n}):
        s0, s2 = n[(0, v)] / total[0], n[(2, v)] / total[2]
        r0 = c[(0, v)] / n[(0, v)] if n[(0, v)] else 0.0
        r2 = c[(2, v)] / n[(2, v)] if n[(2, v)] else 0.0
        mix, rate = (s2 - s0) * (r0 + r2) / 2 * 100, (r2 - r0) * (s0 + s2) / 2 * 100
        out.append(Term(factor, v, "mix", mix, mix, n[(0, v)], n[(2, v)], r0, r2))
        out.append(Term(factor, v, "rate", rate, rate - delta * (s0 + s2) / 2, n[(0, v)], n[(2, v)], r0, r2))
    return out


def rank(rows: list[LeadRow]) -> list[Term]:
    """Each factor's term with the most negative excess, most negative first (the main cause is the first)."""
    best = [min(ts, key=lambda t: t.excess) for f in FACTORS if (ts := terms(rows, f))]
    return sorted((t for t in best if t.excess < 0 and t.effect < 0), key=lambda t: t.excess)


def explain(main: Term, delta: float) -> tuple[str, str]:
    """Say the main cause and the suggested action in sales language."""
    who = FACTORS[main.factor][1].format(v=main.value)
    part = f"这一项解释了下降的 {min(main.effect / delta * 100, 100):.0f}%" if delta < 0 else "影响最大"
    if main.kind == "rate":
        cause = f"{who}转化率从 {main.r0:.0%} 降到 {main.r2:.0%}（{main.n0} 条 → {main.n2} 条），{part}。"
    else:
        cause = f"{who}变多或变少了（{main.n0} 条 → {main.n2} 条），它们本来就难转化，{part}。"
    return cause, ACTIONS[main.factor].format(v=main.value)


def evidence(ranked: list[Term], top: int = 4) -> list[str]:
    """The strongest few contributions, one line each, in percentage points of conversion."""
    return [f"{FACTORS[t.factor][0]}·{t.value}：{'转化变差' if t.kind == 'rate' else '占比变化'}，"
            f"拉低 {-t.effect:.1f} 个百分点（转化 {t.r0:.0%} → {t.r2:.0%}）" for t in ranked[:top]]
