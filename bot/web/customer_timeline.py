"""The customer page's one timeline: orders, interactions, leads, deals and pool moves, newest first."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.core.vocab import CustomerEventKind, InteractionKind
from sales.lead_life import status_label
from sales.parsing import format_yuan
from sales.stages import Pipeline
from storage.repos.customer_page import RECENT, CustomerPage

EVENTS: dict[str, str] = {CustomerEventKind.CREATED: "建档", CustomerEventKind.UPDATED: "资料更新",
          CustomerEventKind.CLAIMED: "从公海领取",
          CustomerEventKind.RELEASED: "放回公海", CustomerEventKind.RECLAIMED: "收回公海",
          CustomerEventKind.HANDOVER: "交接", CustomerEventKind.CONTACT_DELETED: "客户删了好友",
          CustomerEventKind.GRADED: "等级变化"}
CLOSED = {"won": "赢单", "lost": "输单"}
Entry = tuple[datetime, str, str, str]  # (when, what, who, detail)
_Dated = tuple[datetime | None, str, str, str]  # before the undated are dropped


def _kind(kind: str, extra: dict[str, str]) -> str:
    try:
        return InteractionKind(kind).label
    except ValueError:
        return extra.get(kind, kind)


def entries(page: CustomerPage, pipe: Pipeline, extra_kinds: dict[str, str]) -> list[Entry]:
    """Every dated thing that happened to the customer, newest first, at most RECENT."""
    out: list[_Dated] = [(i.at, _kind(i.kind, extra_kinds), who or "系统", i.note) for i, who in page.interactions]
    for o, who in page.orders:
        accepted = "，已验收" if o.accepted_at else ""
        out.append((o.ordered_at, "订单", who, f"{format_yuan(o.amount)} {o.product}{accepted}".strip()))
    for ld, who in page.leads:
        out.append((ld.received_at, "线索", who, f"线索 #{ld.id} · {ld.channel} · {status_label(ld.status)}"))
    for d, who in page.deals:
        out.append((d.created_at, "商机", who, f"商机 #{d.id} 建立（{pipe.stage_name(d.stage)}）"))
        if d.closed_at and d.status in CLOSED:
            out.append((d.closed_at, CLOSED[d.status], who, f"商机 #{d.id} {d.won_reason or d.lost_reason}".strip()))
    for e, who in page.events:
        out.append((e.at, EVENTS.get(e.kind, e.kind), who, e.reason))
    dated = [(when, what, who, detail) for when, what, who, detail in out if when is not None]
    return sorted(dated, key=lambda x: x[0], reverse=True)[:RECENT]


def rows(page: CustomerPage, pipe: Pipeline, tz: tzinfo, extra_kinds: dict[str, str]) -> list[tuple[str, ...]]:
    """The timeline as the template shows it."""
    return [(at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), what, who, detail)
            for at, what, who, detail in entries(page, pipe, extra_kinds)]
