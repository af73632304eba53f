"""board: an event's note (what the person typed when handing over or closing), apart from its record

Revision ID: 0008_board_event_note
Revises: 0004_board
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_board_event_note'
down_revision = '0004_board'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('board_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('board_events', schema=None) as batch_op:
        batch_op.drop_column('note')
