"""card views: the exact card a shortened platform message links to

Revision ID: 1800
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1800"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "card_view",
        sa.Column("digest", _S(length=32), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_card_view_created_at", "card_view", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_card_view_created_at", table_name="card_view")
    op.drop_table("card_view")
