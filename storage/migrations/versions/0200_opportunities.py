"""opportunities: stage history, quote approvals, script library and its use, feedback; evidence media

Revision ID: 0200
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0200"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", _S(length=16), nullable=False),
        sa.Column("to_stage", _S(length=16), nullable=False),
        sa.Column("via", _S(length=12), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("reason", _S(length=400), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stage_change_opp_at", "stage_change", ["opportunity_id", "at"])
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("from_stage", _S(length=16), nullable=False),
        sa.Column("to_stage", _S(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("discount", sa.Float(), nullable=True),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("platform", _S(length=16), nullable=False),
        sa.Column("chat_id", _S(length=128), nullable=False),
        sa.Column("instance_id", _S(length=128), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("decided_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "instance_id", name="uq_approval_instance"),
    )
    op.create_index("ix_approval_opp_status", "approval", ["opportunity_id", "status"])
    op.create_table(
        "script",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _S(length=80), nullable=False),
        sa.Column("title", _S(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stage", _S(length=16), nullable=False),
        sa.Column("industry", _S(length=40), nullable=False),
        sa.Column("band", _S(length=8), nullable=False),
        sa.Column("scenario", _S(length=40), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("pack", _S(length=80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_script_stage_industry", "script", ["stage", "industry"])
    op.create_table(
        "script_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=8), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", _S(length=10), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["script_id"], ["script.id"]),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "script_id", "opportunity_id", "member_id", "day", name="uq_script_use"),
    )
    op.create_index("ix_script_use_script_id", "script_use", ["script_id"])
    op.create_index("ix_script_use_member_kind", "script_use", ["member_id", "kind"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("platform", _S(length=16), nullable=False),
        sa.Column("chat_id", _S(length=128), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_kind", _S(length=8), nullable=False, server_default="note"))
        batch_op.add_column(sa.Column("media_platform", _S(length=16), nullable=True))
        batch_op.add_column(sa.Column("media_ref", _S(length=256), nullable=True))
        batch_op.add_column(sa.Column("media_name", _S(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("won_reason", _S(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_column("won_reason")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        for column in ("media_name", "media_ref", "media_platform", "media_kind"):
            batch_op.drop_column(column)
    for table in ("feedback", "script_use", "script", "approval", "stage_change"):
        op.drop_table(table)
