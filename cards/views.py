"""Card builders shared by handlers and scheduled jobs; they take plain data, never sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import AdvanceStage, AskEvidence, ShowHelp, ShowOpportunity
from cards.model import Button, Card, Field, Level, Section


@dataclass(frozen=True)
class HelpEntry:
    """One line of the help card."""

    usage: str
    summary: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpportunityView:
    """What the opportunity card shows, computed by the handler from storage and sales rules."""

    id: int
    customer: str
    owner: str
    stage_name: str
    budget: str
    need: str
    days_label: str
    missing: Sequence[str]
    evidence: Sequence[str]
    next_step: str
    overdue: bool = False


def help_card(entries: Sequence[HelpEntry], bot_name: str, short: bool = False, heard: str = "") -> Card:
    """List what the bot can do here; the short form answers text it did not understand."""
    lines = [f"**{e.usage}** — {e.summary}" for e in entries]
    if short:
        intro = f"没听懂“{heard[:30]}”。可以这样说：" if heard else "可以这样说："
        return Card(title="我能帮你做这些", level=Level.INFO,
                    sections=[Section(text=intro, items=lines[:4])],
                    buttons=[Button("看全部指令", ShowHelp(topic="all"))],
                    footer=f"在群里 @{bot_name} 加指令即可")
    aliases = ", ".join(a for e in entries for a in e.aliases)
    return Card(title=f"{bot_name}能做什么", level=Level.INFO, sections=[Section(items=lines)],
                footer=f"英文别名：{aliases}" if aliases else "")


def opportunity_card(v: OpportunityView, title_prefix: str = "") -> Card:
    """The most-seen card: where the customer is stuck and the single next step, within one glance."""
    fields = [Field("客户现在卡在哪", v.stage_name), Field("客户自己说的预算范围", v.budget),
              Field("负责人", v.owner), Field("停留", v.days_label)]
    sections = [Section(fields=fields)]
    if v.need:
        sections.append(Section(title="客户要什么", text=v.need))
    if v.missing:
        sections.append(Section(title="推进前还缺", items=list(v.missing)))
    if v.evidence:
        sections.append(Section(title="已交凭证", items=list(v.evidence)))
    sections.append(Section(title="下一步", text=v.next_step))
    first = (Button("补凭证", AskEvidence(opportunity_id=v.id), "primary") if v.missing
             else Button("推进到下一阶段", AdvanceStage(opportunity_id=v.id), "primary"))
    second = (Button("推进到下一阶段", AdvanceStage(opportunity_id=v.id)) if v.missing
              else Button("刷新", ShowOpportunity(opportunity_id=v.id)))
    level = Level.WARNING if v.overdue else Level.INFO
    return Card(title=f"{title_prefix}{v.customer}", subtitle=f"商机 #{v.id}", level=level,
                sections=sections, buttons=[first, second])


def notice_card(title: str, text: str, level: Level = Level.INFO, items: Sequence[str] = (),
                buttons: Sequence[Button] = ()) -> Card:
    """A short message card: a result, a refusal, or how to do something."""
    return Card(title=title, level=level, sections=[Section(text=text, items=list(items))], buttons=list(buttons))


def error_card() -> Card:
    """What a user sees when something broke on our side: short, friendly, no internals."""
    return notice_card("刚才没处理成功", "我这边出了点问题，已经记下来了。稍后再试一次，或发“帮助”看看能做什么。",
                       Level.WARNING, buttons=[Button("帮助", ShowHelp(topic="all"))])
