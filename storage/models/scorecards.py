"""Balanced scorecards: monthly rows, NPS surveys, deferred bonus, coaching, points and redemptions."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


class ScorecardRow(SQLModel, table=True):
    """One rep's weekly score; `light` is green|yellow|red, or "" when there was no data yet."""

    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("member_id", "period", name="uq_scorecard_member_period"),
                      Index("ix_scorecard_period", "period"))
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    period: str = Field(max_length=10)  # ISO week of the week scored, "2026-W49"
    period_end: datetime | None = timestamp()
    result_score: float | None = None
    health_score: float | None = None
    health_weight: float = 0.0
    total: float | None = None
    light: str = Field(default="", max_length=8)
    parts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime | None = timestamp()


class NpsSurvey(SQLModel, table=True):
    """The one satisfaction survey of a customer, sent after their first delivery was accepted."""

    __tablename__ = "nps_survey"
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)  # owner when sent
    order_id: int | None = Field(default=None, foreign_key="customer_order.id")
    sent_at: datetime | None = timestamp()
    expires_at: datetime | None = timestamp()
    answered_at: datetime | None = timestamp(index=True)
    score: int | None = None
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class BonusDeferral(SQLModel, table=True):
    """The deferred share of a new customer's bonus, released when the first delivery is accepted."""

    __tablename__ = "bonus_deferral"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    month: str = Field(max_length=7)  # the statement month that earned it, "2026-11"
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # yuan
    released_at: datetime | None = timestamp(index=True)
    created_at: datetime | None = timestamp()


class CoachingNote(SQLModel, table=True):
    """A logged 1:1: it closes the coaching task it answers."""

    __tablename__ = "coaching_note"
    id: int = Field(default=None, primary_key=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    manager_id: int = Field(foreign_key="member.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    notes: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime | None = timestamp()


class PointsEntry(SQLModel, table=True):
    """One line of the contribution-points ledger; `ref` (unique) makes every award and spend happen once."""

    __tablename__ = "points_entry"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=24)  # customer_update | script_adopted | script_approved | competitor_tag | redeem
    points: int
    ref: str = Field(max_length=60, unique=True)
    note: str = Field(default="", max_length=200)
    at: datetime | None = timestamp()


class CompetitorTag(SQLModel, table=True):
    """A competitor seen at a customer (`竞品 <客户> <竞品>`); the reports branch reads these."""

    __tablename__ = "competitor_tag"
    __table_args__ = (UniqueConstraint("customer_id", "competitor", name="uq_competitor_tag"),
                      Index("ix_competitor_tag_competitor", "competitor"))
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    competitor: str = Field(max_length=60)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime | None = timestamp()


class ScriptSubmission(SQLModel, table=True):
    """A script a rep submitted with `话术 投稿`; approved ones become library scripts (`script_id`)."""

    __tablename__ = "script_submission"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(max_length=120)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=12)  # pending | approved | rejected
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    script_id: int | None = Field(default=None, foreign_key="script.id", index=True)
    created_at: datetime | None = timestamp()
    decided_at: datetime | None = timestamp()


class Redemption(SQLModel, table=True):
    """A rep's request to spend points on a configured item; a manager approves or rejects it."""

    __tablename__ = "redemption"
    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    item: str = Field(max_length=80)
    points: int
    status: str = Field(default="pending", max_length=12)  # pending | approved | rejected
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = timestamp()
    decided_at: datetime | None = timestamp()
