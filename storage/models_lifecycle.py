"""Lifecycle tables: follow-up drafts waiting for the rep to say which record they are about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.models import _ts


class FollowUpDraft(SQLModel, table=True):
    """A `跟进/拜访/演示` whose record was ambiguous: kept until the rep picks one (the buttons carry its id)."""

    __tablename__ = "followup_draft"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=24)  # an InteractionKind value
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_date: str = Field(default="", max_length=10)  # YYYY-MM-DD or ""
    created_at: datetime | None = _ts()
    used_at: datetime | None = _ts()
