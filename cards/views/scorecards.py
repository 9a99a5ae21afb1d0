"""Cards of the balanced scorecards: my scorecard, the team's lights, coaching, the monthly dashboard, points."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import DecideRedemption, DecideSubmission, LogCoaching
from bot.core.cards import Button, Card, Field, Form, Level, Section
from sales.lights import LIGHT_LABELS
from sales.scorecard import NO_DATA, Scorecard
from sales.scorecard_text import formula_lines, indicator_lines

__all__ = [
    "coaching_card",
    "dashboard_card",
    "points_card",
    "redemption_card",
    "scorecard_card",
    "submission_card",
    "team_lights_card",
]
LEVEL = {"green": Level.SUCCESS, "yellow": Level.WARNING, "red": Level.DANGER, "": Level.INFO}


def _num(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.1f}"


def scorecard_card(name: str, card: Scorecard, light: str, span: str, link: str = "") -> Card:
    """A rep's scorecard: total, R and H, the light, each indicator and the formula with their numbers."""
    fields = [Field("总分", _num(card.total)), Field("结果分", _num(card.result_score)),
              Field("健康分", _num(card.health_score)), Field("本周灯", LIGHT_LABELS[light])]
    sections = [Section(fields=fields)]
    if not card.has_data and card.result_score is None and card.health_score is None:
        sections.append(Section(text=f"{NO_DATA}：还没有签单、线索、商机推进或客户反馈，有了数据后这里会自动算分。"))
    sections += [Section("各项指标", items=indicator_lines(card)), Section("计算公式", items=formula_lines(card))]
    return Card(title=f"计分卡：{name}", subtitle=span, level=LEVEL[light], sections=sections,
                footer=f"完整页面（含月度奖金明细）：{link}" if link else "")


def team_lights_card(team: str, period: str, rows: Sequence[tuple[str, float | None, str]]) -> Card:
    """A manager's view: each rep's latest total and light, red first."""
    if not rows:
        return Card(title=f"团队计分卡：{team}", sections=[Section(text=f"{NO_DATA}：计分卡每周一计算一次。")])
    items = [f"{LIGHT_LABELS[light]}  {name}：{_num(total)}" for name, total, light in rows]
    counts = {k: sum(1 for _, _, lt in rows if lt == k) for k in ("red", "yellow", "green")}
    text = f"红灯 {counts['red']} 人，黄灯 {counts['yellow']} 人，绿灯 {counts['green']} 人"
    level = Level.DANGER if counts["red"] else Level.WARNING if counts["yellow"] else Level.SUCCESS
    return Card(title=f"团队计分卡：{team}", subtitle=period, level=level,
                sections=[Section(text=text, items=items)],
                footer="黄灯/红灯的成员已为你生成一对一辅导任务；辅导后发“辅导 <成员> <记录>”完成。")


def coaching_card(rep: str, rep_id: int, totals: tuple[float | None, float | None], due: str, light: str) -> Card:
    """The manager's coaching task: who, why (two weeks' totals), by when, and a form for the 1:1 notes."""
    this, last = (_num(t) for t in totals)
    return Card(title=f"一对一辅导：{rep}", level=LEVEL[light], sections=[Section(
        text=f"{rep} 的计分卡连续两周偏低（本周 {this}，上周 {last}），{LIGHT_LABELS[light]}。"
             f"请在 {due} 前和 TA 做一次一对一辅导。",
        items=["辅导后在下方写下谈了什么、约定了什么，或发：辅导 " + rep + " <记录>",
               "记录之前，这件事会一直留在你的今日必做里"])],
        form=Form(LogCoaching(rep_id), submit="记录一对一", placeholder="谈了什么、约定了什么"))


def dashboard_card(name: str, month: str, line: str, big: str, totals: tuple[float | None, float | None],
                   payable: str, link: str) -> Card:
    """The monthly personal dashboard card: results vs health, the deviations, the bonus, the page link."""
    r, h = totals
    return Card(title=f"{month} 个人健康度月报：{name}", sections=[
        Section(fields=[Field("结果分", _num(r)), Field("健康分", _num(h)), Field("应发奖金", payable)]),
        Section(text=line, items=[big])], footer=f"图表和奖金明细：{link}")


def points_card(balance: int, held: int, lines: Sequence[str], board: Sequence[tuple[str, int]],
                items: Sequence[tuple[str, int]]) -> Card:
    """My contribution points: balance, latest lines, the team leaderboard and what I can redeem."""
    sections = [Section(fields=[Field("可用积分", str(balance - held)), Field("审批中", str(held))]),
                Section("最近记录", items=list(lines) or ["还没有积分：更新客户信息、投稿话术、标记竞品都能得分"]),
                Section("本月团队排行", items=[f"{i}. {n}：{p} 分" for i, (n, p) in enumerate(board, 1)] or [NO_DATA])]
    if items:
        sections.append(Section("可兑换（发“兑换 <名称>”）", items=[f"{n}：{p} 分" for n, p in items]))
    return Card(title="过程贡献值", sections=sections)


def submission_card(sub_id: int, author: str, title: str, text: str) -> Card:
    """A manager's review card for one submitted script."""
    return Card(title=f"话术投稿 #{sub_id}：{title}", sections=[Section(text=text[:600], items=[f"投稿人：{author}"])],
                buttons=[Button("收入话术库", DecideSubmission(sub_id, True), "primary"),
                         Button("不收录", DecideSubmission(sub_id, False))],
                footer=f"也可以发：通过投稿 {sub_id} / 驳回投稿 {sub_id}")


def redemption_card(rid: int, who: str, item: str, points: int, balance: int) -> Card:
    """A manager's approval card for one redemption."""
    return Card(title=f"积分兑换 #{rid}：{who}", sections=[Section(
        fields=[Field("兑换", item), Field("积分", str(points)), Field("兑换后剩余", str(balance - points))])],
        buttons=[Button("批准", DecideRedemption(rid, True), "primary"), Button("驳回", DecideRedemption(rid, False))],
        footer=f"也可以发：批准兑换 {rid} / 驳回兑换 {rid}")
