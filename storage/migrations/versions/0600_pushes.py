"""pushes: each day's must-do items, daily reports, nudges

Revision ID: 0600
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0600"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "push_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", _S(length=10), nullable=False),
        sa.Column("key", _S(length=40), nullable=False),
        sa.Column("kind", _S(length=12), nullable=False),
        sa.Column("text", _S(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("done_at", _TS(), nullable=True),
        sa.Column("snoozed_until", _TS(), nullable=True),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "day", "key", name="uq_push_item"),
    )
    op.create_index("ix_push_item_day", "push_item", ["day"])
    op.create_index("ix_push_item_snoozed", "push_item", ["snoozed_until"])
    op.create_table(
        "daily_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", _S(length=10), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("submitted_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "day", name="uq_daily_report"),
    )
    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_key", _S(length=40), nullable=False),
        sa.Column("day", _S(length=10), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["from_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_key", "day", name="uq_nudge_item_day"),
    )
    op.create_index("ix_nudge_owner_day", "nudge", ["owner_id", "day"])


def downgrade() -> None:
    for table in ("nudge", "daily_report", "push_item"):
        op.drop_table(table)
