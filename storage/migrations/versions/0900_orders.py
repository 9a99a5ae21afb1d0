"""orders: one head again (merges 0101, 0200, 0600, 0700, 0800) the customer_order and customer_event tables

Revision ID: 0900
Revises: 0101, 0200, 0600, 0700, 0800
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0900"
down_revision = ("0101", "0200", "0600", "0700", "0800")
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "customer_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("product", _S(length=80), nullable=False),
        sa.Column("ordered_at", _TS(), nullable=True),
        sa.Column("accepted_at", _TS(), nullable=True),
        sa.Column("source", _S(length=16), nullable=False),
        sa.Column("import_key", _S(length=64), nullable=True),
        sa.Column("created_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_key"),
    )
    op.create_index("ix_order_customer_at", "customer_order", ["customer_id", "ordered_at"])
    op.create_index("ix_order_owner_at", "customer_order", ["owner_id", "ordered_at"])
    op.create_index("ix_customer_order_ordered_at", "customer_order", ["ordered_at"])
    op.create_index("ix_customer_order_opportunity_id", "customer_order", ["opportunity_id"])
    op.create_table(
        "customer_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("owner_from", sa.Integer(), nullable=True),
        sa.Column("owner_to", sa.Integer(), nullable=True),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["owner_from"], ["member.id"]),
        sa.ForeignKeyConstraint(["owner_to"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customer_event_customer_at", "customer_event", ["customer_id", "at"])
    op.create_index("ix_customer_event_kind_at", "customer_event", ["kind", "at"])


def downgrade() -> None:
    op.drop_table("customer_event")
    op.drop_table("customer_order")
