"""Lead tables: refused intake payloads, the lead timeline, rotation state and imported mapping packs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.models import _json, _ts


class IntakeReject(SQLModel, table=True):
    """A payload that could not become a lead (unmappable or invalid); replayed after the map is fixed."""

    __tablename__ = "intake_reject"
    __table_args__ = (Index("ix_intake_reject_channel_status", "channel", "status"),)
    id: int = Field(default=None, primary_key=True)
    channel: str = Field(max_length=40)
    content_type: str = Field(default="", max_length=120)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    fields: dict = _json()
    status: str = Field(default="open", max_length=12)  # open | replayed
    lead_id: int | None = None
    received_at: datetime | None = _ts(index=True)
    replayed_at: datetime | None = _ts()


class LeadEvent(SQLModel, table=True):
    """One line of a lead's timeline: received, assigned, accepted, reclaimed, came back, reminded…"""

    __tablename__ = "lead_event"
    __table_args__ = (Index("ix_lead_event_lead_at", "lead_id", "at"),)
    id: int = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    kind: str = Field(max_length=24)
    member_id: int | None = None
    note: str = Field(default="", max_length=300)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime | None = _ts()


class LeadRotation(SQLModel, table=True):
    """Where each distribution pool's rotation stands, so turns survive restarts and replicas."""

    __tablename__ = "lead_rotation"
    pool_key: str = Field(primary_key=True, max_length=200)
    last_member_id: int = 0
    position: int = 0


class IntakeMapping(SQLModel, table=True):
    """A mapping pack imported with `salesbot import mapping`; the channel's config field_map wins over it."""

    __tablename__ = "intake_mapping"
    channel: str = Field(primary_key=True, max_length=40)
    pack: str = Field(max_length=80)
    field_map: dict = _json()
    default_source: str = Field(default="", max_length=80)
    imported_at: datetime | None = _ts()


class LeadLoad(SQLModel, table=True):
    """Each member's lead load, kept in step with every assignment, so distribution never counts the lead table.

    `new_today` counts assignments since `today_since` (the org-local midnight of the day it counts); a row from an
    earlier day reads as 0. A missing row is rebuilt from the lead table the first time the member is needed.
    """

    __tablename__ = "lead_load"
    member_id: int = Field(primary_key=True, foreign_key="member.id")
    open_leads: int = 0
    new_today: int = 0
    today_since: datetime | None = _ts()


class CustomerKey(SQLModel, table=True):
    """A mobile (`m:`) or WeCom external userid (`x:`) claimed by one customer: two intakes racing to create
    customers for the same person collide on this primary key instead of creating two customers (two owners)."""

    __tablename__ = "customer_key"
    key: str = Field(primary_key=True, max_length=140)
    customer_id: int = Field(foreign_key="customer.id", index=True)
