"""Cards of a lead's life: the lost-reason pick list, a closed lead, which record a follow-up is about."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import LoseLead, PickFollowUp, ShowLead
from bot.core.cards import Button, Card, Level
from cards.views.common import notice_card
from cards.views.leads import sla_breach_card


def lost_reasons_card(lead_id: int, customer: str, reasons: Sequence[str]) -> Card:
    """Ask why the lead is invalid: one button per pick-list reason."""
    text = f"线索 #{lead_id}。点一个原因，或发：无效 {customer} <原因> [补充说明]"
    buttons = [Button(r, LoseLead(lead_id=lead_id, reason=r)) for r in reasons[:6]]
    return notice_card(f"为什么无效：{customer}", text, Level.INFO, buttons=buttons)


def lead_closed_card(customer: str, lead_id: int, status_label: str, why: str) -> Card:
    """A lead was closed: its new status and why; its slot is free for a new lead."""
    return notice_card(f"线索{status_label}：{customer}", f"线索 #{lead_id}：{why}。名额已释放，可以接新线索了。",
                       Level.SUCCESS)


def which_record_card(heading: str, choices: Sequence[tuple[str, str]], draft_id: int) -> Card:
    """Several records fit: ask which one, one button per (label, ref)."""
    buttons = [Button(label[:20], PickFollowUp(draft_id=draft_id, ref=ref)) for label, ref in choices[:6]]
    return notice_card("记到哪一条？", f"{heading}：点一下要记到的客户；也可以发“跟进 <客户> <内容>”。",
                       Level.INFO, buttons=buttons)


def breach_digest_card(items: Sequence[tuple[int, str, str, str]]) -> Card:
    """One card per manager per scan: every lead that just went past the golden 4 hours (id, customer, owner, late)."""
    if len(items) == 1:
        return sla_breach_card(*items[0])
    lines = [f"#{lead_id} {customer} · {owner} · 已过 {elapsed}" for lead_id, customer, owner, elapsed in items]
    buttons = [Button(f"看 #{lead_id}", ShowLead(lead_id=lead_id)) for lead_id, *_ in items[:3]]
    return notice_card(f"超时未跟进：{len(items)} 条线索", "这些线索收到后超过时限仍无首次响应，请督促负责人：",
                       Level.DANGER, items=lines[:20] + ([f"还有 {len(lines) - 20} 条"] if len(lines) > 20 else []),
                       buttons=buttons)


def pooled_after_reassign_card(lead_id: int, customer: str, times: int) -> Card:
    """Tell the manager once: nobody accepted the lead after `times` reassignments; it waits in the pool."""
    text = (f"线索 #{lead_id} 改派 {times} 次都没人接单，已放进公海。"
            f"可以指定负责人，或让同事发“领取 #{lead_id}”。")
    buttons = [Button("看线索", ShowLead(lead_id=lead_id), "primary")]
    return notice_card(f"没人接的线索进了公海：{customer}", text, Level.WARNING, buttons=buttons)
