"""leads: intake rejects, lead timeline, rotation state, mapping packs; SLA columns and indexes

Revision ID: 0100
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0100"
down_revision = "0001"
branch_labels = None
depends_on = None

_SLA_OPEN = "first_response_at IS NULL AND breached_at IS NULL"
_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "intake_reject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", _S(length=40), nullable=False),
        sa.Column("content_type", _S(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("received_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("replayed_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_reject_channel_status", "intake_reject", ["channel", "status"])
    op.create_index("ix_intake_reject_received_at", "intake_reject", ["received_at"])
    op.create_table(
        "lead_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=24), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("note", _S(length=300), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lead_event_lead_at", "lead_event", ["lead_id", "at"])
    op.create_table(
        "lead_rotation",
        sa.Column("pool_key", _S(length=200), nullable=False),
        sa.Column("last_member_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pool_key"),
    )
    op.create_table(
        "intake_mapping",
        sa.Column("channel", _S(length=40), nullable=False),
        sa.Column("pack", _S(length=80), nullable=False),
        sa.Column("field_map", sa.JSON(), nullable=False),
        sa.Column("default_source", _S(length=80), nullable=False),
        sa.Column("imported_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("channel"),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intake_key", _S(length=64), nullable=True))
        batch_op.add_column(sa.Column("reminded_minutes", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_lead_intake_key", ["intake_key"])
        batch_op.create_index("ix_lead_status_assigned", ["status", "assigned_at"])
    op.create_index("ix_lead_sla_open", "lead", ["first_response_due_at"], sqlite_where=sa.text(_SLA_OPEN),
                    postgresql_where=sa.text(_SLA_OPEN))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_leave", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("on_leave")
    op.drop_index("ix_lead_sla_open", table_name="lead")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_status_assigned")
        batch_op.drop_constraint("uq_lead_intake_key", type_="unique")
        batch_op.drop_column("reminded_minutes")
        batch_op.drop_column("intake_key")
    op.drop_table("intake_mapping")
    op.drop_table("lead_rotation")
    op.drop_index("ix_lead_event_lead_at", table_name="lead_event")
    op.drop_table("lead_event")
    op.drop_index("ix_intake_reject_received_at", table_name="intake_reject")
    op.drop_index("ix_intake_reject_channel_status", table_name="intake_reject")
    op.drop_table("intake_reject")
