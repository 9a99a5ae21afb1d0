"""lead loads: per-member open / today counters for O(1) distribution; customer identity keys for dedupe races

Revision ID: 0101
Revises: 0100
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0101"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows are rebuilt from the lead table on first use (the org's day boundary is config, not known here).
    op.create_table(
        "lead_load",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("open_leads", sa.Integer(), nullable=False),
        sa.Column("new_today", sa.Integer(), nullable=False),
        sa.Column("today_since", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "customer_key",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_customer_key_customer_id", "customer_key", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_key_customer_id", table_name="customer_key")
    op.drop_table("customer_key")
    op.drop_table("lead_load")
