"""grading: customer_score, grade_history, grade_proposal and grading_run

Revision ID: 1400
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1400"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "customer_score",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", _TS(), nullable=True),
        sa.Column("activity", sa.Float(), nullable=False),
        sa.Column("ltv", sa.Float(), nullable=False),
        sa.Column("ltv_orders", sa.Float(), nullable=False),
        sa.Column("ltv_pipeline", sa.Float(), nullable=False),
        sa.Column("prev_ltv", sa.Float(), nullable=False),
        sa.Column("expected_orders", sa.Float(), nullable=False),
        sa.Column("p_alive", sa.Float(), nullable=False),
        sa.Column("growth", sa.Float(), nullable=False),
        sa.Column("model", _S(length=12), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("last_interaction_at", _TS(), nullable=True),
        sa.Column("quadrant", _S(length=16), nullable=False),
        sa.Column("skipped", _S(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "grade_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.Column("from_grade", _S(length=16), nullable=False),
        sa.Column("to_grade", _S(length=16), nullable=False),
        sa.Column("source", _S(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grade_history_customer_at", "grade_history", ["customer_id", "at"])
    op.create_index("ix_grade_history_at", "grade_history", ["at"])
    op.create_table(
        "grade_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", _S(length=8), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("from_grade", _S(length=16), nullable=False),
        sa.Column("to_grade", _S(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", _TS(), nullable=True),
        sa.Column("decision_note", _S(length=200), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quarter", "customer_id", name="uq_grade_proposal_quarter"),
    )
    op.create_index("ix_grade_proposal_status", "grade_proposal", ["status", "quarter"])
    op.create_table(
        "grading_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.Column("kind", _S(length=12), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grading_run_at", "grading_run", ["at"])


def downgrade() -> None:
    op.drop_table("grading_run")
    op.drop_table("grade_proposal")
    op.drop_table("grade_history")
    op.drop_table("customer_score")
