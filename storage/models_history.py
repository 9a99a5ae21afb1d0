"""Tables of a customer's history: orders (LTV, retention, deferred bonus) and life events (pool, handover)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.models import _ts


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
    ordered_at: datetime | None = _ts(index=True)
    accepted_at: datetime | None = _ts()
    source: str = Field(default="deal", max_length=16)  # deal | import
    import_key: str | None = Field(default=None, max_length=64, unique=True)  # re-importing a file is a no-op
    created_at: datetime | None = _ts()


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
    at: datetime | None = _ts()
