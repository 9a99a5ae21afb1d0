"""Tables of the opportunity lifecycle: stage history, quote approvals, the script library, feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import _ts


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
    at: datetime | None = _ts()


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
    created_at: datetime | None = _ts()
    decided_at: datetime | None = _ts()


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
    updated_at: datetime | None = _ts()


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
    at: datetime | None = _ts()


class Feedback(SQLModel, table=True):
    """A rep's pain point sent with `反馈` (the seed's 内部体验官)."""

    id: int = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    platform: str = Field(default="", max_length=16)
    chat_id: str = Field(default="", max_length=128)
    created_at: datetime | None = _ts(index=True)
