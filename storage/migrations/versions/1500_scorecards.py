"""scorecards: weekly history, NPS surveys, bonus deferrals, coaching notes, contribution points

Revision ID: 1500
Revises: 0900
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "1500"
down_revision = "0900"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table('points_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', _S(length=24), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('ref', _S(length=60), nullable=False),
    sa.Column('note', _S(length=200), nullable=False),
    sa.Column('at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_index(op.f('ix_points_entry_member_id'), 'points_entry', ['member_id'], unique=False)
    op.create_table('redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('item', _S(length=80), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('status', _S(length=12), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _TS(), nullable=True),
    sa.Column('decided_at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['member.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_redemption_member_id'), 'redemption', ['member_id'], unique=False)
    op.create_table('scorecard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('period', _S(length=10), nullable=False),
    sa.Column('period_end', _TS(), nullable=True),
    sa.Column('result_score', sa.Float(), nullable=True),
    sa.Column('health_score', sa.Float(), nullable=True),
    sa.Column('health_weight', sa.Float(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('light', _S(length=8), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('created_at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'period', name='uq_scorecard_member_period')
    )
    op.create_index('ix_scorecard_period', 'scorecard', ['period'], unique=False)
    op.create_table('script_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('title', _S(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', _S(length=12), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('script_id', sa.Integer(), nullable=True),
    sa.Column('created_at', _TS(), nullable=True),
    sa.Column('decided_at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['member.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['script_id'], ['script.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_script_submission_member_id'), 'script_submission', ['member_id'], unique=False)
    op.create_index(op.f('ix_script_submission_script_id'), 'script_submission', ['script_id'], unique=False)
    op.create_table('bonus_deferral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('month', _S(length=7), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('released_at', _TS(), nullable=True),
    sa.Column('created_at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id')
    )
    op.create_index(op.f('ix_bonus_deferral_member_id'), 'bonus_deferral', ['member_id'], unique=False)
    op.create_index(op.f('ix_bonus_deferral_released_at'), 'bonus_deferral', ['released_at'], unique=False)
    op.create_table('coaching_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['manager_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_coaching_note_member_id'), 'coaching_note', ['member_id'], unique=False)
    op.create_index(op.f('ix_coaching_note_task_id'), 'coaching_note', ['task_id'], unique=False)
    op.create_table('competitor_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('competitor', _S(length=60), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('at', _TS(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', 'competitor', name='uq_competitor_tag')
    )
    op.create_index('ix_competitor_tag_competitor', 'competitor_tag', ['competitor'], unique=False)
    op.create_table('nps_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', _TS(), nullable=True),
    sa.Column('expires_at', _TS(), nullable=True),
    sa.Column('answered_at', _TS(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['customer_order.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id')
    )
    op.create_index(op.f('ix_nps_survey_answered_at'), 'nps_survey', ['answered_at'], unique=False)
    op.create_index(op.f('ix_nps_survey_member_id'), 'nps_survey', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_nps_survey_member_id'), table_name='nps_survey')
    op.drop_index(op.f('ix_nps_survey_answered_at'), table_name='nps_survey')
    op.drop_table('nps_survey')
    op.drop_index('ix_competitor_tag_competitor', table_name='competitor_tag')
    op.drop_table('competitor_tag')
    op.drop_index(op.f('ix_coaching_note_task_id'), table_name='coaching_note')
    op.drop_index(op.f('ix_coaching_note_member_id'), table_name='coaching_note')
    op.drop_table('coaching_note')
    op.drop_index(op.f('ix_bonus_deferral_released_at'), table_name='bonus_deferral')
    op.drop_index(op.f('ix_bonus_deferral_member_id'), table_name='bonus_deferral')
    op.drop_table('bonus_deferral')
    op.drop_index(op.f('ix_script_submission_script_id'), table_name='script_submission')
    op.drop_index(op.f('ix_script_submission_member_id'), table_name='script_submission')
    op.drop_table('script_submission')
    op.drop_index('ix_scorecard_period', table_name='scorecard')
    op.drop_table('scorecard')
    op.drop_index(op.f('ix_redemption_member_id'), table_name='redemption')
    op.drop_table('redemption')
    op.drop_index(op.f('ix_points_entry_member_id'), table_name='points_entry')
    op.drop_table('points_entry')
