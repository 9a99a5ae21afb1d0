"""lifecycle: the pool (customer stamps), reassignment count, member leave span, follow-up drafts

Revision ID: 1300
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1300"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("customer") as b:
        b.add_column(sa.Column("in_pool", sa.Boolean(), nullable=False, server_default=sa.false()))
        for name in ("pool_since", "owned_since", "last_touch_at", "pool_warned_at"):
            b.add_column(sa.Column(name, _TS(), nullable=True))
        b.create_index("ix_customer_in_pool", ["in_pool"])
    with op.batch_alter_table("member") as b:
        b.add_column(sa.Column("leave_from", _S(length=10), nullable=False, server_default=""))
        b.add_column(sa.Column("leave_until", _S(length=10), nullable=False, server_default=""))
    with op.batch_alter_table("lead") as b:
        b.add_column(sa.Column("reassigned", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("interaction") as b:
        b.add_column(sa.Column("import_key", _S(length=64), nullable=True))
        b.create_unique_constraint("uq_interaction_import_key", ["import_key"])
    # Owned customers start their countdown from when they were created (the best stamp there is).
    op.execute("UPDATE customer SET owned_since = created_at WHERE owner_id IS NOT NULL")
    op.execute("UPDATE customer SET in_pool = true WHERE owner_id IS NULL")
    op.create_table(
        "followup_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("next_date", _S(length=10), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("used_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_followup_draft_member_id", "followup_draft", ["member_id"])


def downgrade() -> None:
    op.drop_table("followup_draft")
    with op.batch_alter_table("interaction") as b:
        b.drop_constraint("uq_interaction_import_key", type_="unique")
        b.drop_column("import_key")
    with op.batch_alter_table("lead") as b:
        b.drop_column("reassigned")
    with op.batch_alter_table("member") as b:
        b.drop_column("leave_until")
        b.drop_column("leave_from")
    with op.batch_alter_table("customer") as b:
        b.drop_index("ix_customer_in_pool")
        for name in ("pool_warned_at", "last_touch_at", "owned_since", "pool_since", "in_pool"):
            b.drop_column(name)
