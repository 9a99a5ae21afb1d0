"""security: refused-body archive metadata (source, size, hash, truncated) and the signature_seen table

Revision ID: 1910
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1910"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("rejected_request") as batch:
        batch.add_column(sa.Column("source", _S(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("body_size", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("body_sha256", _S(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("truncated", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "signature_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", _S(length=32), nullable=False),
        sa.Column("signature", _S(length=128), nullable=False),
        sa.Column("body_sha256", _S(length=64), nullable=False),
        sa.Column("expires_at", _TS(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scheme", "signature", name="uq_signature_seen"),
    )
    op.create_index("ix_signature_seen_expires_at", "signature_seen", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_signature_seen_expires_at", table_name="signature_seen")
    op.drop_table("signature_seen")
    with op.batch_alter_table("rejected_request") as batch:
        for column in ("truncated", "body_sha256", "body_size", "source"):
            batch.drop_column(column)
