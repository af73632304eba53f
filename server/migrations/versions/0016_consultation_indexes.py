"""consultations: indexes for the hot queries of a busy queue. A queue's waiting consultations
are read in order on every change to it (unit, state, then queue order, where the unit's index
read every consultation the unit ever had and sorted them); a taker's live consultations
are counted on every take (taker and state together, where the taker's index alone read every
consultation the taker ever had); the queue's estimate averages the unit's last talk times
(a partial index of the consultations that have one, where the unit's index read every queued
and live consultation of the unit on every change to the queue)

Revision ID: 0016_consultation_indexes
Revises: 0015_consultation_guests
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_consultation_indexes'
down_revision = '0015_consultation_guests'
branch_labels = None
depends_on = None

HAS_TALK = sa.text('talk_seconds IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_consultations_queue', 'consultations', ['target_unit_id', 'state', 'queued_at', 'id'])
    op.drop_index('ix_consultations_taker_account_id', table_name='consultations')
    op.create_index('ix_consultations_taker_state', 'consultations', ['taker_account_id', 'state'])
    op.create_index('ix_consultations_recent_talks', 'consultations', ['target_unit_id', 'id'],
                    sqlite_where=HAS_TALK, postgresql_where=HAS_TALK)


def downgrade() -> None:
    op.drop_index('ix_consultations_recent_talks', table_name='consultations')
    op.drop_index('ix_consultations_taker_state', table_name='consultations')
    op.create_index('ix_consultations_taker_account_id', 'consultations', ['taker_account_id'])
    op.drop_index('ix_consultations_queue', table_name='consultations')
