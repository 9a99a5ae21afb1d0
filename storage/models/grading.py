"""Customer grading: scores, grade history, quarterly proposals and runs."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


class CustomerScore(SQLModel, table=True):
    """The latest inputs of a customer's grade: activity (with its parts), predicted value and why."""

    __tablename__ = "customer_score"
    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customer.id"), primary_key=True,
                                              autoincrement=False))
    computed_at: datetime | None = timestamp()
    activity: float = 0.0  # its parts are recomputed for one customer when shown (flows/grading_view.py)
    ltv: float = 0.0
    ltv_orders: float = 0.0
    ltv_pipeline: float = 0.0
    prev_ltv: float = 0.0  # the value of the run before, for the dormant trigger
    expected_orders: float = 0.0
    p_alive: float = 0.0
    growth: float = 0.0
    model: str = Field(default="none", max_length=12)  # bgnbd | project | trend | none
    orders: int = 0
    last_interaction_at: datetime | None = timestamp()
    quadrant: str = Field(default="", max_length=16)  # the grade the numbers point to today
    skipped: str = Field(default="", max_length=200)  # why the customer was not graded ("" when graded)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # inputs left out, and why


class GradeHistory(SQLModel, table=True):
    """Every grade a customer was given: from, to, by what (daily, dormant, quarterly review) and why."""

    __tablename__ = "grade_history"
    __table_args__ = (Index("ix_grade_history_customer_at", "customer_id", "at"),
                      Index("ix_grade_history_at", "at"))
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    at: datetime | None = timestamp()
    from_grade: str = Field(default="", max_length=16)
    to_grade: str = Field(max_length=16)
    source: str = Field(max_length=12)  # first | dormant | revived | review
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    inputs: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class GradeProposal(SQLModel, table=True):
    """A quarterly re-grade proposal; nothing changes until a manager approves it."""

    __tablename__ = "grade_proposal"
    __table_args__ = (UniqueConstraint("quarter", "customer_id", name="uq_grade_proposal_quarter"),
                      Index("ix_grade_proposal_status", "status", "quarter"))
    id: int = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=8)  # "2026Q3": the quarter whose numbers it rests on
    customer_id: int = Field(foreign_key="customer.id")
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    from_grade: str = Field(default="", max_length=16)
    to_grade: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    numbers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)  # pending | approved | rejected
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = timestamp()
    decision_note: str = Field(default="", max_length=200)
    created_at: datetime | None = timestamp()


class GradingRun(SQLModel, table=True):
    """One grading run: the fitted model, the thresholds used and what changed."""

    __tablename__ = "grading_run"
    id: int = Field(default=None, primary_key=True)
    at: datetime | None = timestamp(index=True)
    kind: str = Field(default="daily", max_length=12)
    model: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    thresholds: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
