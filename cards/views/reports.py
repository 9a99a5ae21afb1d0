"""Report cards: 作战地图, 流失分析, the root-cause push, the weekly suggestion and the monthly action report."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.cards import Card, Field, Level, Section


def battle_map_card(scope: str, risk: str, totals: Sequence[tuple[str, int]], link: str) -> Card:
    """The biggest risk in one sentence, the three totals, and the link to the map ("数据还不够" when empty)."""
    if not any(n for _, n in totals):
        empty = Section(text="数据还不够：近 30 天还没有线索、商机或客户记录。")
        return Card(title=f"作战地图：{scope}", sections=[empty], footer=f"有数据后再看：{link}", link=link)
    fields = [Field(label, str(n)) for label, n in totals]
    text = risk or "没有明显风险：没有卡点，也没有风险客户。"
    return Card(title=f"作战地图：{scope}", level=Level.DANGER if risk else Level.SUCCESS,
                sections=[Section(text=text, fields=fields)], footer=f"打开作战地图（手机可看）：{link}", link=link)


def churn_card(days: int, lost: int, kept: int, conclusions: Sequence[str], link: str) -> Card:
    """What the customers lost in the last N days share, in plain Chinese, with the link to the full page."""
    if not conclusions:
        return Card(title=f"流失分析：近 {days} 天", level=Level.INFO,
                    sections=[Section(text=f"数据还不够：近 {days} 天流失 {lost} 个客户，保留 {kept} 个，"
                                           "还看不出共同点。")], footer=f"完整页面：{link}", link=link)
    return Card(title=f"流失分析：近 {days} 天", subtitle=f"流失 {lost} 个 · 保留 {kept} 个", level=Level.WARNING,
                sections=[Section(title="流失客户的共同点", items=list(conclusions))],
                footer=f"按因素的明细和导出：{link}", link=link)


def root_cause_card(scope: str, drop: str, cause: str, evidence: Sequence[str], action: str, link: str = "") -> Card:
    """转化率连续两周下降: the main cause, the numbers behind it and what to do this week."""
    sections = [Section(text=drop), Section(title="主要原因", text=cause, items=list(evidence)),
                Section(title="建议本周这样做", text=action)]
    return Card(title=f"转化率连降两周：{scope}", level=Level.DANGER, sections=sections,
                footer=f"其他因素的贡献：{link}" if link else "按各因素对转化率变化的贡献排序，只推最大的一个")


def suggestion_card(who: str, text: str, basis: str) -> Card:
    """本周建议 for a team or a rep: one sentence from their own data, and how many customers it rests on."""
    return Card(title=f"本周建议：{who}", level=Level.INFO, sections=[Section(text=text)],
                footer=f"{basis}；数据不够时不会给建议")


def action_report_card(month: str, scope: str, groups: Sequence[tuple[str, Sequence[str]]], link: str = "") -> Card:
    """The monthly action-completion report: completion × win rate per strategy and action, new reps apart."""
    sections = [Section(title=title, items=list(lines) or ["本月没有攻坚卡"]) for title, lines in groups]
    return Card(title=f"月度动作完成报告：{month}", subtitle=scope, sections=sections,
                footer="括号里是（分子/分母），样本少于 5 的标“样本少”。" + (f" 完整报告：{link}" if link else ""),
                link=link)
