"""signature bodies: a DingTalk signature may carry a few distinct bodies (same-millisecond callbacks), one row
each, numbered by `slot`; unique on (scheme, signature, slot) and on (scheme, signature, body_sha256)

Revision ID: 2160
Revises: 2150
"""

import sqlalchemy as sa
from alembic import op

revision = "2160"
down_revision = "2150"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing rows (one per signature under the old key) become slot 0: the memory survives the upgrade
    with op.batch_alter_table("signature_seen") as batch:
        batch.add_column(sa.Column("slot", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_signature_seen", type_="unique")
        batch.create_unique_constraint("uq_signature_seen_slot", ["scheme", "signature", "slot"])
        batch.create_unique_constraint("uq_signature_seen_body", ["scheme", "signature", "body_sha256"])


def downgrade() -> None:
    op.execute("DELETE FROM signature_seen WHERE slot > 0")  # the old key holds one body per signature
    with op.batch_alter_table("signature_seen") as batch:
        batch.drop_constraint("uq_signature_seen_body", type_="unique")
        batch.drop_constraint("uq_signature_seen_slot", type_="unique")
        batch.create_unique_constraint("uq_signature_seen", ["scheme", "signature"])
        batch.drop_column("slot")
