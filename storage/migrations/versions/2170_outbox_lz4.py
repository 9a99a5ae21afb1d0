"""outbox payloads compress with lz4 on PostgreSQL (where the server has it): a 10,000-card push writes ~110 MB of
payloads, and pglz spent 2 of its 3 s compressing them; lz4 takes a fraction of that. SQLite: nothing to do.

Revision ID: 2170
Revises: 2160
"""

import sqlalchemy as sa
from alembic import op

revision = "2170"
down_revision = "2160"
branch_labels = None
depends_on = None


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                 "WHERE name = 'default_toast_compression'")).scalar()
    return bool(found)


def upgrade() -> None:
    # Only rows written from now on use it; older payloads stay as they were stored, both read the same.
    if _lz4_available():
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION default")
