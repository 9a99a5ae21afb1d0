"""Opportunities, their evidence and stage changes, quote approvals, scripts and feedback."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


class Opportunity(SQLModel, table=True):
    __table_args__ = (Index("ix_opp_status_stage_entered", "status", "stage", "stage_entered_at"),)
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    chat_platform: str | None = Field(default=None, max_length=16)
    chat_id: str | None = Field(default=None, max_length=128, index=True)
    stage: str = Field(default="needs", max_length=16)
    stage_entered_at: datetime | None = timestamp()
    budget_text: str = Field(default="", max_length=80)
    budget_low: int | None = Field(default=None, sa_column=Column(BigInteger))
    budget_high: int | None = Field(default=None, sa_column=Column(BigInteger))
    need: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    discount: float | None = None
    status: str = Field(default="open", max_length=16)
    created_at: datetime | None = timestamp(index=True)
    closed_at: datetime | None = timestamp()
    lost_reason: str = Field(default="", max_length=200)
    won_reason: str = Field(default="", max_length=200)


class Evidence(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id", index=True)
    stage: str = Field(max_length=16)
    kind: str = Field(default="note", max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))
    member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = timestamp()
    media_kind: str = Field(default="note", max_length=8)  # note | link | image | file
    media_platform: str | None = Field(default=None, max_length=16)
    media_ref: str | None = Field(default=None, max_length=256)  # the platform's media id / file key
    media_name: str = Field(default="", max_length=200)


class EvidenceMedia(SQLModel, table=True):
    """The local copy of an evidence image/file: pending → queued (outbox) → stored | failed.

    Rows of platforms whose API cannot download yet stay "pending" and are picked up once it can.
    """

    __tablename__ = "evidence_media"
    __table_args__ = (Index("ix_evidence_media_status", "status", "platform"),)
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    platform: str = Field(max_length=16)
    ref: str = Field(max_length=256)  # the platform's media id / file key / download code
    status: str = Field(default="pending", max_length=8)  # pending | queued | stored | failed
    path: str = Field(default="", max_length=200)  # relative to [storage] media_dir: "ab/abcdef….jpg"
    sha256: str = Field(default="", max_length=64)
    size: int = 0
    error: str = Field(default="", max_length=300)
    created_at: datetime | None = timestamp()
    updated_at: datetime | None = timestamp()


class StageChange(SQLModel, table=True):
    """Every stage move and close: who, when, how (evidence, override, approval, won, lost) and why."""

    __tablename__ = "stage_change"
    __table_args__ = (Index("ix_stage_change_opp_at", "opportunity_id", "at"),)
    id: int = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id")
    from_stage: str = Field(max_length=16)
    to_stage: str = Field(max_length=16)
    via: str = Field(max_length=12)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    reason: str = Field(default="", max_length=400)
    at: datetime | None = timestamp()


class Approval(SQLModel, table=True):
    """A quote approval; `instance_id` is the DingTalk OA / Feishu approval instance when one exists."""

    __table_args__ = (UniqueConstraint("platform", "instance_id", name="uq_approval_instance"),
                      Index("ix_approval_opp_status", "opportunity_id", "status"))
    id: int = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id")
    requested_by: int | None = Field(default=None, foreign_key="member.id")
    from_stage: str = Field(max_length=16)
    to_stage: str = Field(max_length=16)
    amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    discount: float | None = None
    reason: str = Field(default="", max_length=200)
    status: str = Field(default="pending", max_length=12)  # pending | approved | rejected
    platform: str = Field(max_length=16)
    chat_id: str = Field(default="", max_length=128)
    instance_id: str | None = Field(default=None, max_length=128)
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    remark: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = timestamp()
    decided_at: datetime | None = timestamp()


class Script(SQLModel, table=True):
    """One script of the library, tagged for matching; `key` makes imports idempotent."""

    __table_args__ = (Index("ix_script_stage_industry", "stage", "industry"),)
    id: int = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=120)
    text: str = Field(sa_column=Column(Text, nullable=False))
    stage: str = Field(default="", max_length=16)
    industry: str = Field(default="", max_length=40)
    band: str = Field(default="", max_length=8)
    scenario: str = Field(default="", max_length=40)
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pack: str = Field(default="", max_length=80)
    active: bool = True
    updated_at: datetime | None = timestamp()


class ScriptUse(SQLModel, table=True):
    """A script shown to or used by a rep for an opportunity; at most one row per kind, script, deal, rep, day."""

    __tablename__ = "script_use"
    __table_args__ = (UniqueConstraint("kind", "script_id", "opportunity_id", "member_id", "day",
                                       name="uq_script_use"),
                      Index("ix_script_use_member_kind", "member_id", "kind"))
    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # shown | used
    script_id: int = Field(foreign_key="script.id", index=True)
    opportunity_id: int = Field(foreign_key="opportunity.id")
    member_id: int = Field(foreign_key="member.id")
    day: str = Field(max_length=10)
    at: datetime | None = timestamp()


class Feedback(SQLModel, table=True):
    """A rep's pain point sent with `反馈` (the seed's 内部体验官)."""

    id: int = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    platform: str = Field(default="", max_length=16)
    chat_id: str = Field(default="", max_length=128)
    created_at: datetime | None = timestamp(index=True)
