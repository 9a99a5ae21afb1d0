"""Must-do tasks, push items, daily reports, nudges and workbench state."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import json_object, timestamp


class Task(SQLModel, table=True):
    __table_args__ = (Index("ix_task_owner_done_due", "owner_id", "done_at", "due_at"),)
    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    title: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    due_at: datetime | None = timestamp()
    done_at: datetime | None = timestamp()
    ref: str = Field(default="", max_length=80)
    created_at: datetime | None = timestamp()


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
    done_at: datetime | None = timestamp()
    snoozed_until: datetime | None = timestamp()
    reason: str = Field(default="", max_length=200)  # why it was not done (daily report)


class DailyReport(SQLModel, table=True):
    """A rep's daily report: the generated summary, confirmed (submitted) once every undone item has a reason."""

    __tablename__ = "daily_report"
    __table_args__ = (UniqueConstraint("member_id", "day", name="uq_daily_report"),)
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    day: str = Field(max_length=10)
    summary: dict = json_object()
    created_at: datetime | None = timestamp()
    submitted_at: datetime | None = timestamp()


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
    at: datetime | None = timestamp()


class WorkbenchState(SQLModel, table=True):
    """What a member's WeCom workbench last got: the counts' digest, the chained key part, and when."""

    __tablename__ = "workbench_state"
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    counts: str = Field(max_length=40)  # "3/5/1": 今日必做/待跟进线索/已超时
    chain: str = Field(max_length=16)  # the last outbox key's hash; the next one chains on it, so A→B→A resends
    pushed_at: datetime | None = timestamp()
