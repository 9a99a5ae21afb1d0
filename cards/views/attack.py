"""Attack task cards (攻坚任务卡): scenario → strategy → checklist, offers, manager summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.actions import (
    ChooseStrategy,
    ShowAttack,
    ShowOpportunity,
    StartAttack,
    TickAttack,
)
from bot.core.cards import Button, Card, Check, Field, Level, Section


@dataclass(frozen=True)
class StrategyOption:
    """A strategy offered for a scenario: its key, name, why, and the actions it will put on the checklist."""

    key: str
    name: str
    why: str
    steps: Sequence[str]


def attack_scenarios_card(opp_id: int, customer: str, scenarios: Sequence[tuple[str, str]],
                          active: Sequence[str] = ()) -> Card:
    """Pick the hard situation this deal is in; one button per scenario (key, name)."""
    sections = [Section(text="客户现在卡在哪种情况？点一个，再选打法，我把要做的动作列成清单。")]
    if active:
        sections.append(Section(title="进行中的攻坚", items=list(active)))
    buttons = [Button(name, StartAttack(opportunity_id=opp_id, scenario=key), "primary" if i == 0 else "default")
               for i, (key, name) in enumerate(scenarios[:6])]
    return Card(title=f"攻坚：{customer}", subtitle=f"商机 #{opp_id}", sections=sections, buttons=buttons,
                footer="也可以直接发“攻坚 预算不足”")


def attack_strategies_card(opp_id: int, customer: str, scenario_key: str, scenario_name: str,
                           options: Sequence[StrategyOption], intro: str = "") -> Card:
    """Choose a strategy: each one with why it works and its actions; one click creates the checklist."""
    sections = [Section(text=intro or f"“{scenario_name}”有 {len(options)} 种打法，选一个：")]
    sections += [Section(title=f"{i}. {o.name}", text=o.why, items=list(o.steps)) for i, o in enumerate(options, 1)]
    buttons = [Button(o.name, ChooseStrategy(opportunity_id=opp_id, scenario=scenario_key, strategy=o.key),
                      "primary" if i == 0 else "default") for i, o in enumerate(options[:6])]
    return Card(title=f"{scenario_name}：{customer}", subtitle=f"选策略 · 商机 #{opp_id}", level=Level.WARNING,
                sections=sections, buttons=buttons)


@dataclass(frozen=True)
class AttackLine:
    """One checklist line: the action, its due label, and (when done) who, when and the evidence."""

    id: int
    title: str
    due: str
    done: bool = False
    overdue: bool = False
    note: str = ""
    number: int = 0  # its place in the checklist, for "攻坚完成 2"


@dataclass(frozen=True)
class AttackView:
    """What an attack task card shows; `lines` are in checklist order."""

    card_id: int
    opportunity_id: int
    customer: str
    scenario: str
    strategy: str
    why: str
    owner: str
    lines: Sequence[AttackLine]


def attack_card(v: AttackView, title_prefix: str = "") -> Card:
    """The checklist: the next undone action first, completed with one click; progress and due dates."""
    undone, done = [a for a in v.lines if not a.done], [a for a in v.lines if a.done]
    fields = [Field("进度", f"{len(done)}/{len(v.lines)}"), Field("负责人", v.owner)]
    sections = [Section(fields=fields)]
    if undone:
        nxt = undone[0]
        sections.append(Section(title="下一步", text=f"{nxt.title}（{nxt.due}）"))
    items = ([f"⬜ {a.number}. {a.title} — {a.due}" for a in undone]
             + [f"✅ {a.number}. {a.title} — {a.note}" for a in done])
    checks = ([Check(f"{a.number}. {a.title} — {a.due}", False, TickAttack(card_id=v.card_id, action_id=a.id))
               for a in undone] + [Check(f"{a.number}. {a.title} — {a.note}", True) for a in done])
    sections.append(Section(title="清单", items=items, checks=checks))
    if v.why:
        sections.append(Section(title="为什么这样打", text=v.why))
    subtitle = f"策略：{v.strategy} · 攻坚卡 #{v.card_id}"
    title = f"{title_prefix}{v.scenario}：{v.customer}"
    if not undone:
        return Card(title=title, subtitle=subtitle, level=Level.SUCCESS, sections=sections,
                    buttons=[Button("看商机", ShowOpportunity(opportunity_id=v.opportunity_id), "primary")],
                    footer="清单全部完成。客户有进展就发“推进”。")
    level = Level.WARNING if any(a.overdue for a in undone) else Level.INFO
    buttons = [Button(f"完成：{undone[0].title}", TickAttack(card_id=v.card_id, action_id=undone[0].id), "primary"),
               Button("刷新", ShowAttack(card_id=v.card_id))]
    return Card(title=title, subtitle=subtitle, level=level, sections=sections, buttons=buttons,
                footer="做完点“完成”；要附凭证就发“攻坚完成 凭证内容”（或“攻坚完成 2 凭证”完成第2项）")


def attack_heatmap_card(scope: str, period: str, done: int, due: int, skips: Sequence[str], link: str) -> Card:
    """The heatmap as a card: overall completion and the actions skipped most, with counts."""
    rate = f"{done / due:.0%}（{done}/{due}）" if due else "—"
    sections = [Section(fields=[Field("动作完成率", rate), Field("范围", scope), Field("期间", period)])]
    sections.append(Section(title="跳过最多的动作", items=list(skips) or ["样本还不够（每项至少 5 次到期才统计）"]))
    return Card(title=f"攻坚动作热力图：{scope}", subtitle=period, sections=sections,
                footer=f"完整热力图（销售 × 动作）：{link}" if link else "")


def attack_report_card(month: str, scope: str, strategies: Sequence[str], actions: Sequence[str], link: str) -> Card:
    """The monthly action-compliance report: completion per strategy and action against the deals' win rate."""
    sections = [Section(title="按策略（完成率 · 赢单率）", items=list(strategies) or ["本月还没有攻坚卡"]),
                Section(title="完成率最低的动作（完成时赢单率对比跳过时赢单率）", items=list(actions)[:5])]
    return Card(title=f"攻坚月报：{month}", subtitle=scope, sections=[s for s in sections if s.items],
                footer="括号里是（分子/分母），样本少于 5 的标“样本少”，别据此下结论。"
                       + (f" 完整报告：{link}" if link else ""))
