"""Tables of evidence media downloads and the WeCom workbench's last pushed key data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models import _ts


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
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()


class WorkbenchState(SQLModel, table=True):
    """What a member's WeCom workbench last got: the counts' digest, the chained key part, and when."""

    __tablename__ = "workbench_state"
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    counts: str = Field(max_length=40)  # "3/5/1": 今日必做/待跟进线索/已超时
    chain: str = Field(max_length=16)  # the last outbox key's hash; the next one chains on it, so A→B→A resends
    pushed_at: datetime | None = _ts()
