"""Leads and their timeline, distribution state, intake mapping packs, refused payloads and follow-up drafts."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.models.columns import json_object, timestamp

_SLA_OPEN = "first_response_at IS NULL AND breached_at IS NULL"


class Lead(SQLModel, table=True):
    # ix_lead_sla_open is partial on PostgreSQL too (migration 0100 says postgresql_where); naming that dialect's
    # option here would load the PostgreSQL dialect into every SQLite process, 2 MiB of idle memory (bench.route).
    __table_args__ = (Index("ix_lead_status_due", "status", "first_response_due_at"),
                      Index("ix_lead_owner_status", "owner_id", "status"),
                      Index("ix_lead_status_assigned", "status", "assigned_at"),
                      Index("ix_lead_sla_open", "first_response_due_at", sqlite_where=text(_SLA_OPEN)))
    id: int = Field(default=None, primary_key=True)
    channel: str = Field(max_length=40)
    source: str = Field(default="", max_length=80)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    contact_name: str = Field(default="", max_length=80)
    mobile: str = Field(default="", max_length=20, index=True)
    need: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="new", max_length=16)
    received_at: datetime | None = timestamp(index=True)
    assigned_at: datetime | None = timestamp()
    accepted_at: datetime | None = timestamp()
    first_response_due_at: datetime | None = timestamp()
    first_response_at: datetime | None = timestamp()
    breached_at: datetime | None = timestamp()
    assign_reason: str = Field(default="", max_length=200)
    extra: dict = json_object()
    intake_key: str | None = Field(default=None, max_length=64, unique=True)
    reminded_minutes: int | None = None
    reassigned: int = 0  # times taken back unaccepted and handed to another rep


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
    at: datetime | None = timestamp()


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
    field_map: dict = json_object()
    default_source: str = Field(default="", max_length=80)
    imported_at: datetime | None = timestamp()


class IntakeReject(SQLModel, table=True):
    """A payload that could not become a lead (unmappable or invalid); replayed after the map is fixed."""

    __tablename__ = "intake_reject"
    __table_args__ = (Index("ix_intake_reject_channel_status", "channel", "status"),)
    id: int = Field(default=None, primary_key=True)
    channel: str = Field(max_length=40)
    content_type: str = Field(default="", max_length=120)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    fields: dict = json_object()
    status: str = Field(default="open", max_length=12)  # open | replayed
    lead_id: int | None = None
    received_at: datetime | None = timestamp(index=True)
    replayed_at: datetime | None = timestamp()


class LeadLoad(SQLModel, table=True):
    """Each member's lead load, kept in step with every assignment, so distribution never counts the lead table.

    `new_today` counts assignments since `today_since` (the org-local midnight of the day it counts); a row from an
    earlier day reads as 0. A missing row is rebuilt from the lead table the first time the member is needed.
    """

    __tablename__ = "lead_load"
    member_id: int = Field(primary_key=True, foreign_key="member.id")
    open_leads: int = 0
    new_today: int = 0
    today_since: datetime | None = timestamp()


class FollowUpDraft(SQLModel, table=True):
    """A `跟进/拜访/演示` whose record was ambiguous: kept until the rep picks one (the buttons carry its id)."""

    __tablename__ = "followup_draft"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=24)  # an InteractionKind value
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_date: str = Field(default="", max_length=10)  # YYYY-MM-DD or ""
    created_at: datetime | None = timestamp()
    used_at: datetime | None = timestamp()
