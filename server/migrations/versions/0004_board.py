"""message board: ownership, replies, history, public Q&A

Revision ID: 0004_board
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_board'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('owner_account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_board_messages_device_id_devices'), 'devices', ['device_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_board_messages_owner_account_id_accounts'), 'accounts',
                                    ['owner_account_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_board_messages_owner_account_id'), ['owner_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_messages_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_messages_created_at'), ['created_at'], unique=False)

    op.create_table('board_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['board_messages.id'], name=op.f('fk_board_replies_message_id_board_messages')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_board_replies_account_id_accounts')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_board_replies_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_replies'))
    )
    with op.batch_alter_table('board_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_replies_message_id'), ['message_id'], unique=False)

    op.create_table('board_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['board_messages.id'], name=op.f('fk_board_events_message_id_board_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_events'))
    )
    with op.batch_alter_table('board_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_events_message_id'), ['message_id'], unique=False)

    op.create_table('board_public_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['board_messages.id'], name=op.f('fk_board_public_answers_message_id_board_messages')),
    sa.ForeignKeyConstraint(['published_by'], ['accounts.id'], name=op.f('fk_board_public_answers_published_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_public_answers')),
    sa.UniqueConstraint('message_id', name=op.f('uq_board_public_answers_message_id'))
    )
    with op.batch_alter_table('board_public_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_public_answers_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_public_answers_published_at'), ['published_at'], unique=False)


def downgrade() -> None:
    op.drop_table('board_public_answers')
    op.drop_table('board_events')
    op.drop_table('board_replies')
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_messages_created_at'))
        batch_op.drop_index(batch_op.f('ix_board_messages_state'))
        batch_op.drop_index(batch_op.f('ix_board_messages_owner_account_id'))
        batch_op.drop_constraint(batch_op.f('fk_board_messages_owner_account_id_accounts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_board_messages_device_id_devices'), type_='foreignkey')
        for column in ('closed_at', 'answered_at', 'claimed_at', 'owner_account_id', 'created_by',
                       'device_id'):
            batch_op.drop_column(column)
