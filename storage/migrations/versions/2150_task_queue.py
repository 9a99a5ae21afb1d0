"""task queue: non-message work (media downloads, platform approvals, deal rooms, workbench updates) leaves
the outbox for its own table and worker

Revision ID: 2150
Revises: 2100
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "2150"
down_revision = "2100"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime
# outbox payload kind -> task kind; rows of these kinds move over with their key, state and history
MOVED = {"media_fetch": "fetch_media", "approval_create": "create_approval", "approval_result": "read_approval",
         "room_create": "create_room", "workbench": "set_workbench"}


def upgrade() -> None:
    op.create_table(
        "task_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", _S(length=200), nullable=False),
        sa.Column("kind", _S(length=40), nullable=False),
        sa.Column("platform", _S(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TS(), nullable=True),
        sa.Column("claimed_until", _TS(), nullable=True),
        sa.Column("claim_token", _S(length=32), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("done_at", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_task_queue_status_next", "task_queue", ["status", "next_attempt_at"])
    _move_rows()


def _move_rows() -> None:
    """Move queued non-message outbox rows into the task queue, so an upgrade loses no download or approval."""
    bind = op.get_bind()
    kind = "json_extract(payload, '$.kind')" if bind.dialect.name == "sqlite" else "(payload ->> 'kind')"
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in MOVED.items())
    where = f"{kind} IN ({', '.join(repr(k) for k in MOVED)})"
    op.execute(
        "INSERT INTO task_queue (idempotency_key, kind, platform, payload, status, attempts, next_attempt_at, "
        "claimed_until, claim_token, last_error, created_at, done_at) "
        f"SELECT idempotency_key, CASE {kind} {cases} END, platform, payload, "
        "CASE status WHEN 'sent' THEN 'done' WHEN 'dead' THEN 'dead' ELSE 'pending' END, attempts, "
        f"next_attempt_at, NULL, '', last_error, created_at, sent_at FROM outbox WHERE {where}")
    op.execute(f"DELETE FROM outbox WHERE {where}")


def downgrade() -> None:
    op.drop_index("ix_task_queue_status_next", table_name="task_queue")
    op.drop_table("task_queue")
