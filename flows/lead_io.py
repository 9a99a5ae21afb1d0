"""What goes into and out of the lead flow: submissions, answers, the channel's field map and the deadline."""

from __future__ import annotations

from dataclasses import dataclass
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
    """One submission: its intake key and the raw body, or a lead already validated (an event, replay, tests)."""

    key: str
    body: bytes = b""
    content_type: str = ""
    li: intake.LeadInput | None = None
    payload: dict | None = None

    def lead(self) -> intake.LeadInput:
        """The validated lead (set by the adapter, or by the batch before an item goes on)."""
        if self.li is None:
            raise ValueError(f"intake item {self.key} was not validated")
        return self.li


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
