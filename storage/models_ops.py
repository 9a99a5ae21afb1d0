"""Tables that let several replicas share send quotas, platform tokens and single-holder leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class SendSlot(SQLModel, table=True):
    """One of a rate scope's N slots: the time of one of its last N sends (a shared sliding window)."""

    __tablename__ = "send_slot"
    __table_args__ = (Index("ix_send_slot_scope_at", "scope", "at"),)
    scope: str = Field(primary_key=True, max_length=200)
    slot: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AppToken(SQLModel, table=True):
    """A platform access token shared by every replica of one app."""

    __tablename__ = "app_token"
    key: str = Field(primary_key=True, max_length=200)
    token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Lease(SQLModel, table=True):
    """A named single-holder lease (a stream connection, a token refresher), renewed while held."""

    __tablename__ = "ops_lease"
    name: str = Field(primary_key=True, max_length=200)
    holder: str = Field(default="", max_length=80)
    until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
