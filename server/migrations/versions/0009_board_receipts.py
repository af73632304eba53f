"""board: a message's receipt code (only its hash) and the wrong tries at finding one from a kiosk

Revision ID: 0009_board_receipts
Revises: 0008_board_event_note
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_board_receipts'
down_revision = '0008_board_event_note'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_board_messages_receipt_hash'), ['receipt_hash'])

    op.create_table('board_receipt_tries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_board_receipt_tries_device_id_devices')),
    sa.ForeignKeyConstraint(['message_id'], ['board_messages.id'],
                            name=op.f('fk_board_receipt_tries_message_id_board_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_receipt_tries'))
    )
    with op.batch_alter_table('board_receipt_tries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_receipt_tries_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_receipt_tries_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_receipt_tries_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('board_receipt_tries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_receipt_tries_at'))
        batch_op.drop_index(batch_op.f('ix_board_receipt_tries_message_id'))
        batch_op.drop_index(batch_op.f('ix_board_receipt_tries_device_id'))
    op.drop_table('board_receipt_tries')
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_board_messages_receipt_hash'), type_='unique')
        batch_op.drop_column('receipt_hash')
