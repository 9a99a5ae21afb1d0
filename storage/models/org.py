"""Who works here: teams, members and their platform identities."""

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


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
    created_at: datetime | None = timestamp()
    leave_from: str = Field(default="", max_length=10)  # YYYY-MM-DD: no new leads from..until (inclusive)
    leave_until: str = Field(default="", max_length=10)


class Identity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=128)
    member_id: int = Field(foreign_key="member.id", index=True)
