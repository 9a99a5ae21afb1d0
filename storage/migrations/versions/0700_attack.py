"""attack task cards: attack_card, attack_action (state on its task row), imported playbooks

Revision ID: 0700
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0700"
down_revision = "0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "attack_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("scenario", _S(length=20), nullable=False),
        sa.Column("scenario_name", _S(length=40), nullable=False),
        sa.Column("strategy", _S(length=20), nullable=False),
        sa.Column("strategy_name", _S(length=40), nullable=False),
        sa.Column("source", _S(length=12), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS(), nullable=True),
        sa.Column("done_at", _TS(), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attack_card_opp_status", "attack_card", ["opportunity_id", "status"])
    op.create_index("ix_attack_card_created", "attack_card", ["created_at"])
    op.create_table(
        "attack_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", _S(length=60), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["attack_card.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.ForeignKeyConstraint(["done_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("card_id", "position", name="uq_attack_action_pos"),
        sa.UniqueConstraint("task_id"),
    )
    op.create_table(
        "attack_playbook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _S(length=80), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", _TS(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attack_playbook_imported_at", "attack_playbook", ["imported_at"])


def downgrade() -> None:
    for table in ("attack_playbook", "attack_action", "attack_card"):
        op.drop_table(table)
