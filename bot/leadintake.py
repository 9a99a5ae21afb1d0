"""What goes into and out of the lead flow: submissions, answers, the channel's field map, the deadline, and
what a round of lookups found for its submissions' customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.context import Context
from sales import intake, sla
from storage.repos import leads as repo

Answer = tuple[int, str, int | None]  # lead id, status, owner id


@dataclass(frozen=True)
class IntakeResult:
    """The intake answer: 201 {"lead_id", "status", "owner"}."""

    lead_id: int
    status: str  # assigned | duplicate | queued
    owner: str | None

    def to_json(self) -> dict[str, Any]:
        """The response body of INTERFACE.md."""
        return {"lead_id": self.lead_id, "status": self.status, "owner": self.owner}


@dataclass
class Item:
    """One submission: its intake key and the raw body, or a lead already validated (replay, tests)."""

    key: str
    body: bytes = b""
    content_type: str = ""
    li: intake.LeadInput | None = None
    payload: dict | None = None


async def field_map(ctx: Context, channel: str) -> tuple[dict[str, str], str]:
    """Return the channel's effective field map (pack, then config on top) and default source."""
    pack = await repo.mapping(ctx.session, channel)
    cfg = ctx.settings.intake.channels.get(channel) or {}
    fmap = {**(pack.field_map if pack else {}), **(cfg.get("field_map") or {})}
    return fmap, str(cfg.get("default_source") or (pack.default_source if pack else ""))


def due_at(ctx: Context, received: datetime) -> datetime:
    """The first-response deadline per [sla] and [leads] working_hours_sla."""
    cfg = ctx.settings.leads
    week = sla.WorkWeek.parse(cfg.work_hours, cfg.work_days) if cfg.working_hours_sla else None
    return sla.due_at(received, ctx.settings.sla.first_response_hours, ctx.settings.tz, week)


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
    li, ext = item.li, item.li.get("wecom_external_userid")
    marks = {f"k:{item.key}", f"c:{customer_id}" if customer_id else ""}
    marks |= {f"m:{li.mobile}" if li.mobile else "", f"x:{ext}" if ext else "", f"n:{li.company_key}"}
    return marks - {"", "n:"}
