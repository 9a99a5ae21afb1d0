"""The owner's lead card, SLA reminders, breach warnings and the admins' daily intake-reject card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.actions import (
    AcceptLead,
    LogLeadFollowUp,
    ShowLead,
)
from bot.core.cards import Button, Card, Field, Level, Section
from cards.views.common import notice_card
from sales import sources
from sales.intake import FIELD_NAMES


@dataclass(frozen=True)
class LeadView:
    """The owner's lead card: who the customer is, the SLA countdown and the timeline."""

    id: int
    customer: str
    contact: str
    mobile_masked: str
    channel: str
    need: str
    owner: str
    status_label: str
    countdown: str
    reason: str
    timeline: Sequence[str]
    accepted: bool = False
    overdue: bool = False
    deals: bool = True  # [features] opportunities: moving a deal's stage also counts as the first response


def lead_card(v: LeadView, title_prefix: str = "新线索：") -> Card:
    """The owner's card: customer summary, the golden-4-hours countdown, accept button, timeline."""
    fields = [Field("联系人", f"{v.contact} {v.mobile_masked}".strip()), Field("来源", sources.in_words(v.channel)),
              Field("首次响应", v.countdown), Field("状态", v.status_label)]
    sections = [Section(fields=fields)]
    if v.need:
        sections.append(Section(title="客户要什么", text=v.need[:300]))
    sections.append(Section(title="为什么分给你", text=sources.in_words(v.reason)))
    sections.append(Section(title="时间线", items=[sources.in_words(x) for x in list(v.timeline)[-8:]]))
    buttons = [] if v.accepted else [Button("接单", AcceptLead(lead_id=v.id), "primary")]
    buttons.append(Button("记跟进", LogLeadFollowUp(lead_id=v.id)))
    buttons.append(Button("刷新", ShowLead(lead_id=v.id)))
    level = Level.DANGER if v.overdue else (Level.SUCCESS if v.accepted else Level.WARNING)
    return Card(title=f"{title_prefix}{v.customer}", subtitle=f"线索 #{v.id} · 负责人 {v.owner}", level=level,
                sections=sections, buttons=buttons,
                footer="4 小时内跟进：点“记跟进”或发“跟进 内容”" + ("、推进阶段" if v.deals else "")
                + "或加企业微信都算首次响应")


def sla_reminder_card(lead_id: int, customer: str, countdown: str) -> Card:
    """Remind the owner before the first-response deadline."""
    return notice_card(f"还没跟进：{customer}", f"线索 #{lead_id} 首次响应{countdown}。发“跟进 内容”即可。",
                       Level.WARNING, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


def sla_breach_card(lead_id: int, customer: str, owner: str, elapsed: str) -> Card:
    """Warn the owner's manager: a lead went past the golden 4 hours unanswered."""
    return notice_card(f"超时未跟进：{customer}", f"线索 #{lead_id} 由 {owner} 负责，收到后 {elapsed} 仍无首次响应。",
                       Level.DANGER, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


def came_back_card(lead_id: int, customer: str, channel: str) -> Card:
    """Tell the owner their customer came back through another channel (one customer, one owner)."""
    via = sources.channel_name(channel)
    return notice_card(f"老客户回来了：{customer}", f"这个客户又通过“{via}”来了，仍归你负责。",
                       Level.INFO, buttons=[Button("看线索", ShowLead(lead_id=lead_id), "primary")])


@dataclass(frozen=True)
class ChannelRejects:
    """One channel's refused payloads of a day: how many, how many still open, and the top (field, problem, n)."""

    channel: str
    received: int
    still_open: int
    reasons: Sequence[tuple[str, str, int]]


REJECT_CHANNELS = 8  # channels listed on the admin card; the rest are counted in the footer


def intake_rejects_card(day: str, channels: Sequence[ChannelRejects]) -> Card:
    """The admins' daily card: yesterday's refused intake payloads per channel, the top reasons and the fix."""
    total, still_open = sum(c.received for c in channels), sum(c.still_open for c in channels)
    sections = [Section(fields=[Field("拒收", f"{total} 条"), Field("渠道", f"{len(channels)} 个"),
                                Field("待重放", f"{still_open} 条")])]
    for c in channels[:REJECT_CHANNELS]:
        # count first: lines get cut
        items = [f"{n} 条 · {FIELD_NAMES.get(field, field)} → {problem}" for field, problem, n in c.reasons]
        fix = (f"改字段映射后执行 salesbot intake replay --channel {c.channel}" if c.still_open
               else "已全部重放成线索，无需处理")
        title = f"{sources.channel_name(c.channel)}：拒收 {c.received} 条，待重放 {c.still_open} 条"
        sections.append(Section(title=title, text=fix, items=items))
    rest = len(channels) - REJECT_CHANNELS
    more = f"还有 {rest} 个渠道没列出；" if rest > 0 else ""
    footer = f"{more}逐条原因见 /api/v1/intake_rejects；字段映射在 [intake.channels.<渠道>] field_map"
    return Card(title="线索拒收日报", subtitle=day, level=Level.WARNING if still_open else Level.INFO,
                sections=sections, footer=footer)
