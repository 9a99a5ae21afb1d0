"""Cards of customer grading: 分级 (a customer's grade and why), the activation plan, changes, the review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.actions import ApproveAllGrades, ApproveGrade, RejectGrade, TickActivation
from bot.core.cards import Button, Card, Check, Field, Form, Level, Section
from sales.activity import SOURCE_LABELS

__all__ = ["ActivationItem", "GradeView", "ProposalLine", "activation_card", "grade_card", "grade_changes_card",
           "my_grades_card", "outcome_card", "review_card"]

MODEL_LABELS = {"bgnbd": "BG/NBD + Gamma-Gamma（复购频次、最近一次下单、客单价、增长趋势）",
                "project": "项目型客户：只下过一单，按“一单/间隔”的趋势和全体客户的平均客单价估算，不看首单金额",
                "trend": "趋势模型：近12个月消费 × 同比增长（客户太少，还拟合不出模型）",
                "none": "还没有订单：只算在谈商机"}
GRADE_LEVEL = {"战略伙伴": Level.SUCCESS, "高潜成长": Level.INFO, "稳定续费": Level.INFO, "休眠唤醒": Level.WARNING}


@dataclass
class GradeView:
    """What 分级 <客户> shows."""

    name: str
    grade: str
    quadrant: str
    reason: str
    activity: float
    parts: dict[str, float]
    weights: dict[str, float]
    ltv: float
    ltv_orders: float
    ltv_pipeline: float
    model: str
    expected_orders: float
    p_alive: float
    growth: float
    asks: str
    computed: str
    notes: list[str] = field(default_factory=list)
    skipped: str = ""
    board: str = ""


def _yuan(v: float) -> str:
    return f"{v / 10000:,.1f} 万元" if abs(v) >= 10000 else f"{v:,.0f} 元"


def grade_card(v: GradeView) -> Card:
    """A customer's grade, its activity parts with their weights, its predicted value and what the grade asks."""
    if v.skipped:
        return Card(f"{v.name}：暂不分级", Level.INFO, [Section(text=v.skipped, items=v.notes)])
    parts = [f"{SOURCE_LABELS.get(k, k)}：{p:.1f} 分（权重 {v.weights.get(k, 0):g}）" for k, p in v.parts.items()]
    value = [Field("预计价值（未来12个月）", _yuan(v.ltv)), Field("其中订单", _yuan(v.ltv_orders)),
             Field("其中在谈商机", _yuan(v.ltv_pipeline)), Field("预计下单次数", f"{v.expected_orders:.1f} 次"),
             Field("仍在合作的概率", f"{v.p_alive:.0%}"), Field("同比增长", f"{v.growth:+.0%}")]
    sections = [Section(text=v.reason or "首次分级后会写明原因"),
                Section("活跃度", f"{v.activity:.1f} 分（越近的互动分越高）", items=parts or ["窗口内还没有互动"]),
                Section("预计价值", MODEL_LABELS.get(v.model, v.model), fields=value),
                Section("这个级别要你做什么", v.asks)]
    if v.quadrant and v.quadrant != v.grade:
        sections.append(Section(text=f"按最新数字应为“{v.quadrant}”，季度复核经主管通过后调整。"))
    if v.notes:
        sections.append(Section("未计入的数据", items=v.notes))
    footer = f"数据更新于 {v.computed}" + (f" · 分级看板：{v.board}" if v.board else "")
    return Card(f"{v.name}：{v.grade or '未分级'}", GRADE_LEVEL.get(v.grade, Level.INFO), sections, footer=footer)


def my_grades_card(member: str, counts: dict[str, int], board: str = "") -> Card:
    """分级 without a customer: how many of my customers are in each grade, and how to look one up."""
    lines = [f"{g}：{n} 位" for g, n in counts.items() if g] or ["还没有分级的客户：每天早上自动分级"]
    text = "发“分级 客户名”看一位客户的级别、原因和要做的事。"
    return Card(f"{member}的客户分级", Level.INFO, [Section(text=text, items=lines)],
                footer=f"分级看板：{board}" if board else "")


@dataclass
class ActivationItem:
    """One line of the activation plan."""

    task_id: int
    name: str
    how: str
    done: bool
    link: str = ""


def activation_card(customer: str, reason: str, intro: str, items: Sequence[ActivationItem]) -> Card:
    """The activation plan: each item a tickable line that records a follow-up when ticked."""
    checks = [Check(f"{it.name}：{it.how}" + (f"（资料链接：{it.link}）" if it.link else ""), it.done,
                    None if it.done else TickActivation(task_id=it.task_id)) for it in items]
    left = sum(not it.done for it in items)
    return Card(f"唤醒{customer}", Level.WARNING, [Section(text=reason), Section("唤醒计划", intro, checks=checks)],
                footer=f"还剩 {left} 项；每勾一项记一次跟进" if left else "唤醒计划已完成，客户的活跃度会在明早更新")


def grade_changes_card(member: str, first: int, lines: Sequence[str]) -> Card:
    """The owner's once-a-day note of grade changes."""
    items = list(lines[:20]) + ([f"……另有 {len(lines) - 20} 位"] if len(lines) > 20 else [])
    text = f"今天首次分级了你的 {first} 位客户。" if first else ""
    return Card(f"{member}，你的客户分级有变化", Level.INFO,
                [Section(text=text + "发“分级 客户名”看原因和要做的事。", items=items)])


@dataclass
class ProposalLine:
    """One pending proposal as the review card shows it."""

    id: int
    customer: str
    owner: str
    from_grade: str
    to_grade: str
    reason: str


def review_card(quarter: str, team: str, lines: Sequence[ProposalLine], pending: int) -> Card:
    """The manager's review: the pending proposals, approve all or one by one, reject with a reason."""
    if not pending:
        return Card(f"{team} {quarter} 分级复核", Level.SUCCESS, [Section(text="没有待复核的调整建议。")])
    sections = [Section(f"#{p.id} {p.customer}（{p.owner}）", f"{p.from_grade or '未分级'} → {p.to_grade}：{p.reason}")
                for p in lines]
    more = f"共 {pending} 条待复核，先看前 {len(lines)} 条。" if pending > len(lines) else f"共 {pending} 条待复核。"
    buttons = [Button(f"全部通过（{pending}条）", ApproveAllGrades(quarter=quarter), "primary")]
    buttons += [Button(f"通过#{p.id}", ApproveGrade(proposal_id=p.id)) for p in lines[:3]]
    how = "逐条：发“分级复核 通过 编号”或“分级复核 驳回 编号 原因”；没通过前客户级别不变。"
    form = Form(RejectGrade(proposal_id=lines[0].id), "驳回", f"驳回 #{lines[0].id} 的原因") if lines else None
    return Card(f"{team} {quarter} 分级复核", Level.INFO, [Section(text=more + how), *sections], buttons, form=form)


def outcome_card(customer: str, from_grade: str, to_grade: str, approved: bool, note: str) -> Card:
    """What the rep is told after the manager decided a proposal."""
    if approved:
        return Card(f"{customer}调整为{to_grade}", Level.SUCCESS,
                    [Section(text=f"主管通过了季度复核：{from_grade or '未分级'} → {to_grade}。"
                                  f"发“分级 {customer}”看要做的事。")])
    return Card(f"{customer}保持{from_grade or '未分级'}", Level.INFO,
                [Section(text=f"主管没有通过调整为“{to_grade}”的建议。原因：{note or '未写'}")])
