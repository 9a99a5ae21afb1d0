"""The tables. Queries live in storage/repos, never here.

Primary keys are typed `int`, not `int | None`: the database assigns them on flush, and no code reads the id of a
row it has not flushed or loaded, so every reader would otherwise narrow an Optional that is never None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _ts(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Team(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    group_platform: str | None = Field(default=None, max_length=16)
    group_chat_id: str | None = Field(default=None, max_length=128)


class Member(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    role: str = Field(default="rep", max_length=16)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    manager_id: int | None = Field(default=None, foreign_key="member.id")
    region: str = Field(default="", max_length=40)
    industries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = 50
    mobile: str = Field(default="", max_length=20)
    is_new: bool = False
    active: bool = True
    work_start: str = "09:00"
    work_end: str = "18:00"
    on_leave: bool = False
    created_at: datetime | None = _ts()
    leave_from: str = Field(default="", max_length=10)  # YYYY-MM-DD: no new leads from..until (inclusive)
    leave_until: str = Field(default="", max_length=10)


class Identity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=128)
    member_id: int = Field(foreign_key="member.id", index=True)


class Customer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    normalized_name: str = Field(max_length=120, unique=True)
    industry: str = Field(default="", max_length=40)
    region: str = Field(default="", max_length=40)
    owner_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    grade: str = Field(default="", max_length=16)
    created_at: datetime | None = _ts()
    # The pool (公海): an owner-less customer is in_pool; the reclaim countdowns run from these two stamps.
    in_pool: bool = Field(default=False, index=True)
    pool_since: datetime | None = _ts()
    owned_since: datetime | None = _ts()
    last_touch_at: datetime | None = _ts()  # the newest follow-up / visit / demo / import (resets the countdown)
    pool_warned_at: datetime | None = _ts()


class Contact(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(default="", max_length=80)
    mobile: str = Field(default="", max_length=20, index=True)
    wecom_external_userid: str | None = Field(default=None, max_length=128, index=True)
    title: str = Field(default="", max_length=80)


_SLA_OPEN = "first_response_at IS NULL AND breached_at IS NULL"


class Lead(SQLModel, table=True):
    __table_args__ = (Index("ix_lead_status_due", "status", "first_response_due_at"),
                      Index("ix_lead_owner_status", "owner_id", "status"),
                      Index("ix_lead_status_assigned", "status", "assigned_at"),
                      Index("ix_lead_sla_open", "first_response_due_at", sqlite_where=text(_SLA_OPEN),
                            postgresql_where=text(_SLA_OPEN)))
    id: int = Field(default=None, primary_key=True)
    channel: str = Field(max_length=40)
    source: str = Field(default="", max_length=80)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    contact_name: str = Field(default="", max_length=80)
    mobile: str = Field(default="", max_length=20, index=True)
    need: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="new", max_length=16)
    received_at: datetime | None = _ts(index=True)
    assigned_at: datetime | None = _ts()
    accepted_at: datetime | None = _ts()
    first_response_due_at: datetime | None = _ts()
    first_response_at: datetime | None = _ts()
    breached_at: datetime | None = _ts()
    assign_reason: str = Field(default="", max_length=200)
    extra: dict = _json()
    intake_key: str | None = Field(default=None, max_length=64, unique=True)
    reminded_minutes: int | None = None
    reassigned: int = 0  # times taken back unaccepted and handed to another rep


class Opportunity(SQLModel, table=True):
    __table_args__ = (Index("ix_opp_status_stage_entered", "status", "stage", "stage_entered_at"),)
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    chat_platform: str | None = Field(default=None, max_length=16)
    chat_id: str | None = Field(default=None, max_length=128, index=True)
    stage: str = Field(default="needs", max_length=16)
    stage_entered_at: datetime | None = _ts()
    budget_text: str = Field(default="", max_length=80)
    budget_low: int | None = Field(default=None, sa_column=Column(BigInteger))
    budget_high: int | None = Field(default=None, sa_column=Column(BigInteger))
    need: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    discount: float | None = None
    status: str = Field(default="open", max_length=16)
    created_at: datetime | None = _ts(index=True)
    closed_at: datetime | None = _ts()
    lost_reason: str = Field(default="", max_length=200)
    won_reason: str = Field(default="", max_length=200)


class Evidence(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id", index=True)
    stage: str = Field(max_length=16)
    kind: str = Field(default="note", max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))
    member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = _ts()
    media_kind: str = Field(default="note", max_length=8)  # note | link | image | file
    media_platform: str | None = Field(default=None, max_length=16)
    media_ref: str | None = Field(default=None, max_length=256)  # the platform's media id / file key
    media_name: str = Field(default="", max_length=200)


class Interaction(SQLModel, table=True):
    __table_args__ = (Index("ix_interaction_customer_at", "customer_id", "at"),)
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    kind: str = Field(max_length=24)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime | None = _ts()
    import_key: str | None = Field(default=None, max_length=64, unique=True)  # re-importing a file is a no-op


class Task(SQLModel, table=True):
    __table_args__ = (Index("ix_task_owner_done_due", "owner_id", "done_at", "due_at"),)
    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    title: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    due_at: datetime | None = _ts()
    done_at: datetime | None = _ts()
    ref: str = Field(default="", max_length=80)
    created_at: datetime | None = _ts()


class InboxEvent(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "dedupe_key", name="uq_inbox_platform_key"),
                      Index("ix_inbox_status", "status"))
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    dedupe_key: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    claimed_until: datetime | None = _ts()
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    event: dict = _json()
    received_at: datetime | None = _ts()
    done_at: datetime | None = _ts()


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=200)
    payload: dict = _json()
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts()
    claimed_until: datetime | None = _ts()
    claim_token: str = Field(default="", max_length=32)  # fences marks: only the current claimer may mark
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()


class CardRef(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "card_key"),)
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    card_key: str = Field(max_length=200)
    message_id: str = Field(default="", max_length=200)
    update_token: str = Field(default="", max_length=400)
    token_expires_at: datetime | None = _ts()


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "fire_key", name="uq_job_run_fire"),)
    id: int = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    fire_key: str = Field(max_length=60)
    status: str = Field(default="running", max_length=12)
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class RejectedRequest(SQLModel, table=True):
    """Every inbound body we refused, kept so nothing that reached us is lost."""

    __tablename__ = "rejected_request"
    id: int = Field(default=None, primary_key=True)
    route: str = Field(max_length=200)
    status: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    content_type: str = Field(default="", max_length=120)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime | None = _ts(index=True)
    # migration 1910: who sent it, how big it was and its hash (a refused unauthenticated body keeps a prefix only)
    source: str = Field(default="", max_length=64)
    body_size: int = 0
    body_sha256: str = Field(default="", max_length=64)
    truncated: bool = False


metadata = SQLModel.metadata

from storage import (  # noqa: E402,F401
    models_attack,
    models_fidelity,
    models_grading,
    models_history,
    models_leads,
    models_lifecycle,
    models_media,
    models_opportunities,
    models_ops,
    models_pushes,
    models_queue,
    models_scorecards,
    models_security,
)
