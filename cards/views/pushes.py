"""Scheduled pushes: 今日必做, 断点, 催一下, daily and weekly reports, insight, the feedback digest."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import (
    MustDoDone,
    MustDoSnooze,
    NudgeOwner,
    ReportReason,
    ShowLead,
    ShowOpportunity,
    SubmitReport,
)
from bot.core.cards import Button, Card, Field, Level, Section
from cards.views.common import notice_card
from sales.breakpoints import Breakpoint as BreakpointLine
from sales.mustdo import Item as MustDoItem
from sales.reports import DayNumbers, ReportItem, WeekNumbers

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def mustdo_card(name: str, day: str, items: Sequence[MustDoItem], footer: str = "") -> Card:
    """今日必做三件事: what, why and how long is left; one click to finish or snooze each."""
    if not items:
        return notice_card("今日必做：暂无到期事项",
                           f"{name}，今天没有快到期的线索、报价或攻坚动作。可以主动回访重点客户。", Level.SUCCESS)
    sections = [Section(title=f"{_CIRCLED[i]} {it.text}", text=f"为什么：{it.why}") for i, it in enumerate(items)]
    buttons = []
    for i, it in enumerate(items):
        buttons += [Button(f"完成{_CIRCLED[i]}", MustDoDone(key=it.key), "primary" if i == 0 else "default"),
                    Button(f"明天再做{_CIRCLED[i]}", MustDoSnooze(key=it.key))]
    return Card(title="今日必做三件事", subtitle=f"{name} · {day}", level=Level.WARNING, sections=sections,
                buttons=buttons, footer=footer or "做完点“完成”；今天实在做不了点“明天再做”。随时发“今日必做”看最新。")


def breakpoints_card(team: str, day: str, lines: Sequence[BreakpointLine], nudgeable: int = 5) -> Card:
    """The morning meeting's only list: where each item is stuck, who owns it, since when, when to solve it."""
    if not lines:
        return notice_card(f"断点：{team}", "昨天没有卡住的线索或商机。", Level.SUCCESS)
    sections = [Section(title=f"{_CIRCLED[i]} {b.subject}",
                        fields=[Field("卡在哪一阶", b.where), Field("谁负责", b.owner), Field("停了多久", b.since),
                                Field("何时解", b.solve_by)], text=f"建议：{b.step}") for i, b in enumerate(lines)]
    buttons = [Button(f"催一下{_CIRCLED[i]}", NudgeOwner(key=b.key), "primary" if i == 0 else "default")
               for i, b in enumerate(lines[:nudgeable])]
    return Card(title=f"断点 Top {len(lines)}：{team}", subtitle=f"截至 {day} 0 点 · 按金额 × 停滞程度排序",
                level=Level.DANGER, sections=sections, buttons=buttons,
                footer="其余的发“催一下 序号”，负责人会收到提醒卡")


def nudge_card(text: str, key: str) -> Card:
    """What the owner gets when a manager clicks 催一下: the item and a button to open it."""
    kind, _, ident = key.partition(":")
    open_it = (Button("看商机", ShowOpportunity(opportunity_id=int(ident)), "primary") if kind == "opp"
               else Button("看线索", ShowLead(lead_id=int(ident)), "primary"))
    return notice_card("主管催一下", text, Level.WARNING, buttons=[open_it])


def daily_report_card(name: str, day: str, numbers: DayNumbers, items: Sequence[ReportItem],
                      submitted: bool, reasons: Sequence[str]) -> Card:
    """The rep's daily report: confirm the generated summary; every undone must-do item needs a reason first."""
    done = sum(i.done for i in items)
    fields = [Field("跟进", f"{numbers.followups} 次"), Field("阶段推进", f"{numbers.stage_moves} 次"),
              Field("完成动作", f"{numbers.actions_done} 个"), Field("今日必做", f"完成 {done}/{len(items)}")]
    sections = [Section(title="今天做了", fields=fields)]
    undone = [i for i in items if not i.done]
    if undone:
        lines = [f"{n}. {i.text} — 原因：{i.reason or '待填写'}" for n, i in enumerate(undone, 1)]
        sections.append(Section(title="没做完的必做（每项写原因才能提交）", items=lines))
    buttons: list[Button] = []
    waiting = next((i for i in undone if not i.reason), None)
    if submitted:
        pass
    elif waiting is not None:
        sections.append(Section(text=f"第 {undone.index(waiting) + 1} 项为什么没做完？点一个原因："))
        buttons = [Button(r, ReportReason(day=day, key=waiting.key, reason=r)) for r in reasons[:5]]
    else:
        buttons = [Button("确认提交", SubmitReport(day=day), "primary")]
    state = "已提交" if submitted else "待确认"
    return Card(title=f"今日日报（{state}）", subtitle=f"{name} · {day}",
                level=Level.SUCCESS if submitted else Level.INFO, sections=sections, buttons=buttons,
                footer="" if submitted else "补充说明：发“日报 序号 原因”，如“日报 1 客户改期 下周二再约”")


def team_rollup_card(team: str, day: str, rows: Sequence[tuple[str, DayNumbers, str, str]]) -> Card:
    """The manager's roll-up of the team's day: per rep follow-ups, stage moves, actions, must-do, report state."""
    lines = [f"{name}：跟进 {n.followups} · 推进 {n.stage_moves} · 动作 {n.actions_done} · 必做 {mustdo} · {state}"
             for name, n, mustdo, state in rows]
    total = DayNumbers(*(sum(getattr(r[1], f) for r in rows) for f in ("followups", "stage_moves", "actions_done")))
    fields = [Field("跟进", f"{total.followups} 次"), Field("阶段推进", f"{total.stage_moves} 次"),
              Field("完成动作", f"{total.actions_done} 个")]
    return Card(title=f"团队日报：{team}", subtitle=day, sections=[Section(fields=fields), Section(items=lines)],
                footer="发“日报”看最新提交情况和没做完的原因")


def weekly_card(title: str, subtitle: str, w: WeekNumbers, rows: Sequence[tuple[str, WeekNumbers]] = (),
                link: str = "") -> Card:
    """The weekly report: leads, conversion, stage velocity, wins and losses, SLA breaches, action completion."""
    fields = [Field("新线索", str(w.leads)), Field("转化", w.conversion()), Field("阶段速度", w.velocity()),
              Field("赢单", f"{w.won} 单 · {w.won_amount / 10_000:g} 万"), Field("输单", f"{w.lost} 单"),
              Field("超时未跟进", f"{w.breaches} 条"), Field("动作完成", w.completion())]
    sections = [Section(fields=fields)]
    if rows:
        sections.append(Section(title="每个人", items=[
            f"{name}：线索 {r.leads} · 转化 {r.conversion()} · 赢 {r.won} 输 {r.lost} · 超时 {r.breaches}"
            f" · 动作 {r.completion()}" for name, r in rows]))
    return Card(title=title, subtitle=subtitle, sections=sections, footer=f"完整周报：{link}" if link else "")


def insight_card(team: str, text: str, n: int, detail: str) -> Card:
    """One suggestion mined from the org's own history, with its sample size and effect."""
    return Card(title=f"本周建议：{team}", level=Level.INFO, sections=[Section(text=text, items=[detail])],
                footer=f"来自本公司历史数据（{n} 单）；证据不足时不会给建议")


DIGEST_LINES = 15  # entries shown; the rest are counted (a card is read in one glance)


def feedback_digest_card(period: str, entries: Sequence[tuple[str, str, str]]) -> Card:
    """Last week's 反馈 (who, team, text), oldest first: how many, from how many people, and what they said."""
    people = len({who for who, _, _ in entries})
    lines = [f"{who}{f'（{team}）' if team else ''}：{text[:80]}{'…' if len(text) > 80 else ''}"
             for who, team, text in entries[:DIGEST_LINES]]
    rest = len(entries) - len(lines)
    return Card(title="反馈周报", subtitle=period, level=Level.INFO,
                sections=[Section(fields=[Field("反馈", f"{len(entries)} 条"), Field("提出人", f"{people} 人")]),
                          Section(title="大家说", items=lines)],
                footer=f"还有 {rest} 条没列出（按时间先后只列前 {DIGEST_LINES} 条）。" if rest else "")
