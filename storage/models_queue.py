"""The task queue: non-message work (media downloads, platform approvals, deal rooms, workbench updates).

Named `task_queue`, not `task`: the `task` table holds a rep's must-do items (follow-ups, coaching), which
people see and close; these rows are the bot's own background work, which only the task worker sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _ts() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class QueuedTask(SQLModel, table=True):
    """One unit of background work, run at most once per key by the handler of (platform, kind)."""

    __tablename__ = "task_queue"
    __table_args__ = (Index("ix_task_queue_status_next", "status", "next_attempt_at"),)
    id: int = Field(default=None, primary_key=True)  # assigned on insert (storage/models.py says why int)
    idempotency_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # fetch_media, create_approval, read_approval, create_room, set_workbench
    platform: str = Field(max_length=16)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)  # pending | running | done | dead
    attempts: int = 0  # counted when a run starts, so a task that crashes its worker still dies after N
    next_attempt_at: datetime | None = _ts()
    claimed_until: datetime | None = _ts()
    claim_token: str = Field(default="", max_length=32)  # fences marks: only the current claimer may mark
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = _ts()
    done_at: datetime | None = _ts()
