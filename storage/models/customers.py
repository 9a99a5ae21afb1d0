"""Customers, their contacts and dedupe keys, what reps did with them, their orders and their life events."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


class Customer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    normalized_name: str = Field(max_length=120, unique=True)
    industry: str = Field(default="", max_length=40)
    region: str = Field(default="", max_length=40)
    owner_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    grade: str = Field(default="", max_length=16)
    created_at: datetime | None = timestamp()
    # The pool (公海): an owner-less customer is in_pool; the reclaim countdowns run from these two stamps.
    in_pool: bool = Field(default=False, index=True)
    pool_since: datetime | None = timestamp()
    owned_since: datetime | None = timestamp()
    last_touch_at: datetime | None = timestamp()  # the newest follow-up / visit / demo / import (resets the countdown)
    pool_warned_at: datetime | None = timestamp()


class Contact(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(default="", max_length=80)
    mobile: str = Field(default="", max_length=20, index=True)
    wecom_external_userid: str | None = Field(default=None, max_length=128, index=True)
    title: str = Field(default="", max_length=80)


class CustomerKey(SQLModel, table=True):
    """A mobile (`m:`) or WeCom external userid (`x:`) claimed by one customer: two intakes racing to create
    customers for the same person collide on this primary key instead of creating two customers (two owners)."""

    __tablename__ = "customer_key"
    key: str = Field(primary_key=True, max_length=140)
    customer_id: int = Field(foreign_key="customer.id", index=True)


class Interaction(SQLModel, table=True):
    __table_args__ = (Index("ix_interaction_customer_at", "customer_id", "at"),)
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    kind: str = Field(max_length=24)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime | None = timestamp()
    import_key: str | None = Field(default=None, max_length=64, unique=True)  # re-importing a file is a no-op


class Order(SQLModel, table=True):
    """One order a customer placed; `accepted_at` is when they accepted its first delivery."""

    __tablename__ = "customer_order"  # "order" is an SQL keyword
    __table_args__ = (Index("ix_order_customer_at", "customer_id", "ordered_at"),
                      Index("ix_order_owner_at", "owner_id", "ordered_at"))
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    owner_id: int | None = Field(default=None, foreign_key="member.id")  # the rep credited with it
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id", index=True)
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # yuan
    product: str = Field(default="", max_length=80)
    ordered_at: datetime | None = timestamp(index=True)
    accepted_at: datetime | None = timestamp()
    source: str = Field(default="deal", max_length=16)  # deal | import
    import_key: str | None = Field(default=None, max_length=64, unique=True)  # re-importing a file is a no-op
    created_at: datetime | None = timestamp()


class CustomerEvent(SQLModel, table=True):
    """One change in a customer's life: pool moves, handovers, field updates, grade changes."""

    __tablename__ = "customer_event"
    __table_args__ = (Index("ix_customer_event_customer_at", "customer_id", "at"),
                      Index("ix_customer_event_kind_at", "kind", "at"))
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    kind: str = Field(max_length=16)  # a bot.core.vocab.CustomerEventKind
    member_id: int | None = Field(default=None, foreign_key="member.id")  # who did it (None: a job)
    owner_from: int | None = Field(default=None, foreign_key="member.id")
    owner_to: int | None = Field(default=None, foreign_key="member.id")
    reason: str = Field(default="", max_length=200)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime | None = timestamp()
