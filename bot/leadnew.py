"""A lead the batch flow is creating: the rows it becomes and the owner's first card, built in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.core.vocab import LeadStatus
from cards.model import Card
from cards.views import LeadView, lead_card
from handlers.leads import EVENT_LABELS
from sales import intake, sla
from sales.names import mask_mobile

FACTS = ("company", "region", "industry", "product_line", "email", "title")


@dataclass
class NewLead:
    """One new lead: its input, its customer (an existing row, or None for a new one) and its owner."""

    item: int
    key: str
    li: intake.LeadInput
    payload: dict
    customer: Any | None
    owner: int | None = None
    reason: str = ""
    skipped: dict[str, str] = field(default_factory=dict)
    sets_customer_owner: bool = False
    customer_id: int | None = None
    id: int | None = None
    due: datetime | None = None

    def __post_init__(self) -> None:
        if self.customer is not None:
            self.customer_id = self.customer.id

    def extra(self) -> dict[str, str]:
        """The facts kept on the lead (rules match on region / industry / product line)."""
        return {k: self.li.get(k) for k in FACTS if self.li.get(k)}

    def customer_key(self) -> str:
        """A new customer's normalized name: the company, else keyed by the contact's mobile or WeCom id."""
        key = self.li.company_key or f"~{self.li.mobile or 'wx:' + self.li.get('wecom_external_userid')}"
        return key[:120]

    def customer_name(self) -> str:
        """The customer's display name."""
        if self.customer is not None:
            return self.customer.name
        return (self.li.get("company") or self.li.get("contact_name") or mask_mobile(self.li.mobile or ""))[:120]

    def identity(self) -> list[str]:
        """The customer keys this lead's contact claims: "m:<mobile>", "x:<WeCom external userid>"."""
        ext = self.li.get("wecom_external_userid")
        return [k for k in (f"m:{self.li.mobile}" if self.li.mobile else "", f"x:{ext}" if ext else "") if k]

    def needs_contact(self, have: set[tuple[int, str]]) -> bool:
        """True unless the existing customer already has this mobile (or, without one, this WeCom id)."""
        if self.customer is None:
            return True
        ids = self.identity()
        return bool(ids) and (self.customer_id, ids[0]) not in have

    def contact_row(self) -> dict[str, Any]:
        """The contact row for this lead's customer."""
        return {"customer_id": self.customer_id, "name": self.li.get("contact_name")[:80],
                "mobile": self.li.mobile or "", "wecom_external_userid": self.li.get("wecom_external_userid") or None,
                "title": ""}


def customer_row(n: NewLead, now: datetime) -> dict[str, Any]:
    """The new customer row; it takes the lead's owner (one customer, one owner)."""
    li = n.li
    return {"name": n.customer_name(), "normalized_name": n.customer_key(), "industry": li.get("industry"),
            "region": li.get("region"), "owner_id": n.owner, "grade": "", "created_at": now,
            "in_pool": False, "owned_since": now if n.owner else None}


def lead_row(n: NewLead, now: datetime, due: datetime) -> dict[str, Any]:
    """The lead row, owner and reason included (no second write to assign it)."""
    li = n.li
    return {"channel": li.channel, "source": li.get("source"), "customer_id": n.customer_id,
            "contact_name": li.get("contact_name"), "mobile": li.mobile or "", "need": li.get("need"),
            "owner_id": n.owner, "status": LeadStatus.ASSIGNED if n.owner else LeadStatus.NEW, "received_at": now,
            "assigned_at": now if n.owner else None, "accepted_at": None, "first_response_due_at": due,
            "first_response_at": None, "breached_at": None, "assign_reason": n.reason[:200],
            "extra": {"raw": n.payload, "unmapped": n.li.unmapped, **n.extra()}, "intake_key": n.key,
            "reminded_minutes": None}


def lead_card_for(ctx: Context, n: NewLead, owner: str, now: datetime) -> Card:
    """The owner's first card, as `handlers.leads.view` would show it (timeline: received, assigned)."""
    li = n.li
    when = now.astimezone(ctx.settings.tz).strftime("%m-%d %H:%M")
    events = (("received", f"{li.channel} · {li.get('source')}"), ("assigned", n.reason[:300]))
    lines = [f"{when} {EVENT_LABELS.get(k, k)}{' · ' + note if note else ''}"[:120] for k, note in events]
    overdue = n.due is not None and now > n.due
    view = LeadView(n.id, n.customer_name(), li.get("contact_name"), mask_mobile(li.mobile) if li.mobile else "",
                    f"{li.channel} · {li.get('source')}", li.get("need"), owner, LeadStatus.ASSIGNED.label,
                    sla.countdown(now, n.due), n.reason[:200] or "—", lines, accepted=False, overdue=overdue,
                    deals=ctx.settings.features.opportunities)
    return lead_card(view, "新线索：")
