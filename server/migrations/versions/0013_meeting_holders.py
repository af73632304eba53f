"""meetings across processes: which process holds a member's socket, Janus session and a meeting's recorder

Revision ID: 0013_meeting_holders
Revises: 0007_meetings
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_meeting_holders'
down_revision = '0007_meetings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting_members') as batch:
        batch.add_column(sa.Column('process_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('sid', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('janus_session', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('recorder_process', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('recording_stopped_reason', sa.String(length=40), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('recording_stopped_reason')
        batch.drop_column('recorder_process')
    with op.batch_alter_table('meeting_members') as batch:
        batch.drop_column('janus_session')
        batch.drop_column('sid')
        batch.drop_column('process_id')
