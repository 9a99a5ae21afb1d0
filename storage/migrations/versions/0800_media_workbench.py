"""media and workbench: local copies of evidence images/files, the WeCom workbench's last pushed counts

Revision ID: 0800
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0800"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "evidence_media",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("platform", _S(length=16), nullable=False),
        sa.Column("ref", _S(length=256), nullable=False),
        sa.Column("status", _S(length=8), nullable=False),
        sa.Column("path", _S(length=200), nullable=False),
        sa.Column("sha256", _S(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("error", _S(length=300), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("updated_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    op.create_index("ix_evidence_media_status", "evidence_media", ["status", "platform"])
    op.create_table(
        "workbench_state",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("counts", _S(length=40), nullable=False),
        sa.Column("chain", _S(length=16), nullable=False),
        sa.Column("pushed_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade() -> None:
    op.drop_table("workbench_state")
    op.drop_index("ix_evidence_media_status", table_name="evidence_media")
    op.drop_table("evidence_media")
