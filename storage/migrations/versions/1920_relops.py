"""relops: outbox claim tokens, shared send slots, shared platform tokens, single-holder leases

Revision ID: 1920
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1920"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", _S(length=32), nullable=False, server_default=""))
    op.create_table(
        "send_slot",
        sa.Column("scope", _S(length=200), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("at", _TS(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "slot"),
    )
    op.create_index("ix_send_slot_scope_at", "send_slot", ["scope", "at"])
    op.create_table(
        "app_token",
        sa.Column("key", _S(length=200), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "ops_lease",
        sa.Column("name", _S(length=200), nullable=False),
        sa.Column("holder", _S(length=80), nullable=False),
        sa.Column("until", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("ops_lease")
    op.drop_table("app_token")
    op.drop_index("ix_send_slot_scope_at", table_name="send_slot")
    op.drop_table("send_slot")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
