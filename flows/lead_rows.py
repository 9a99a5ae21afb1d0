"""What a batch of the lead flow reads and writes: the customers a round found, and each new lead's rows and
its owner's first card, built in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.cards import Card
from bot.core.context import Context
from bot.core.vocab import LeadStatus
from cards.views import LeadView, lead_card
from flows.lead_io import Item
from flows.lead_view import EVENT_LABELS
from sales import intake, sla
from sales.names import mask_mobile


@dataclass
class Found:
    """What a round's lookups found for its items' customers."""

    by_mobile: dict[str, int]
    by_ext: dict[str, int]
    by_name: dict[str, int]
    rows: dict[int, Any] = field(default_factory=dict)
    recent: dict[int, Any] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        """True when a contact already carries this "m:<mobile>" / "x:<WeCom id>" (nothing to race for)."""
        kind, _, value = key.partition(":")
        return value in (self.by_mobile if kind == "m" else self.by_ext)

    def customer(self, li: intake.LeadInput) -> int | None:
        """The customer by mobile, then WeCom external userid, then normalized company (like the single flow)."""
        ext = li.get("wecom_external_userid")
        return ((li.mobile and self.by_mobile.get(li.mobile)) or (ext and self.by_ext.get(ext))
                or (li.company_key and self.by_name.get(li.company_key)) or None)


def marks(item: Item, customer_id: int | None) -> set[str]:
    """What an item would create: its customer (found or by its keys) and its intake key."""
    li = item.lead()
    ext = li.get("wecom_external_userid")
    marks = {f"k:{item.key}", f"c:{customer_id}" if customer_id else ""}
    marks |= {f"m:{li.mobile}" if li.mobile else "", f"x:{ext}" if ext else "", f"n:{li.company_key}"}
    return marks - {"", "n:"}


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
    customer_id: int = 0  # 0 until the batch inserts the new customer (an existing one sets it here)
    id: int = 0  # 0 until the batch inserts the lead
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
    """The owner's first card, as `flows.lead_view.view` would show it (timeline: received, assigned)."""
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
