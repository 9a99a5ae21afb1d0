"""Tables of the scheduled pushes: each day's must-do items (done, snoozed, why not done), daily reports, nudges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import _json, _ts


class PushItem(SQLModel, table=True):
    """One must-do item shown to a rep on a day; the daily report asks why the undone ones were not done."""

    __tablename__ = "push_item"
    __table_args__ = (UniqueConstraint("member_id", "day", "key", name="uq_push_item"),
                      Index("ix_push_item_day", "day"), Index("ix_push_item_snoozed", "snoozed_until"))
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    day: str = Field(max_length=10)  # org-local YYYY-MM-DD
    key: str = Field(max_length=40)  # "lead:12", "task:5", "opp:7", "cust:9"
    kind: str = Field(max_length=12)
    text: str = Field(default="", max_length=200)
    rank: int = 0
    done_at: datetime | None = _ts()
    snoozed_until: datetime | None = _ts()
    reason: str = Field(default="", max_length=200)  # why it was not done (daily report)


class DailyReport(SQLModel, table=True):
    """A rep's daily report: the generated summary, confirmed (submitted) once every undone item has a reason."""

    __tablename__ = "daily_report"
    __table_args__ = (UniqueConstraint("member_id", "day", name="uq_daily_report"),)
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    day: str = Field(max_length=10)
    summary: dict = _json()
    created_at: datetime | None = _ts()
    submitted_at: datetime | None = _ts()


class Nudge(SQLModel, table=True):
    """A manager's 催一下 on a stuck lead or deal (at most one per item and day, like its outbox key)."""

    __table_args__ = (UniqueConstraint("item_key", "day", name="uq_nudge_item_day"),
                      Index("ix_nudge_owner_day", "owner_id", "day"))
    id: int = Field(default=None, primary_key=True)
    item_key: str = Field(max_length=40)
    day: str = Field(max_length=10)
    owner_id: int = Field(foreign_key="member.id")
    from_id: int = Field(foreign_key="member.id")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime | None = _ts()
