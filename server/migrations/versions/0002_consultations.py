"""consultations, duty, board messages

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_duty_shifts_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_shifts'))
    )
    with op.batch_alter_table('duty_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_shifts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_shifts_day'), ['day'], unique=False)

    op.create_table('lawyer_status',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_lawyer_status_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_lawyer_status'))
    )
    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('target_unit_id', sa.Integer(), nullable=False),
    sa.Column('chosen_lawyer_id', sa.Integer(), nullable=True),
    sa.Column('taker_account_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=100), nullable=False),
    sa.Column('end_reason', sa.String(length=40), nullable=False),
    sa.Column('wait_seconds', sa.Integer(), nullable=True),
    sa.Column('talk_seconds', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('resident_text', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('window_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_minutes', sa.Integer(), nullable=True),
    sa.Column('choice_offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kiosk_away_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('taker_away_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kiosk_resume', sa.String(length=64), nullable=False),
    sa.Column('taker_resume', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['chosen_lawyer_id'], ['lawyer_profiles.id'], name=op.f('fk_consultations_chosen_lawyer_id_lawyer_profiles')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_consultations_device_id_devices')),
    sa.ForeignKeyConstraint(['taker_account_id'], ['accounts.id'], name=op.f('fk_consultations_taker_account_id_accounts')),
    sa.ForeignKeyConstraint(['target_unit_id'], ['units.id'], name=op.f('fk_consultations_target_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_consultations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_taker_account_id'), ['taker_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_target_unit_id'), ['target_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_unit_id'), ['unit_id'], unique=False)

    op.create_table('board_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('target_unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_board_messages_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['target_unit_id'], ['units.id'], name=op.f('fk_board_messages_target_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_board_messages_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_messages'))
    )
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_messages_target_unit_id'), ['target_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_messages_unit_id'), ['unit_id'], unique=False)

    op.create_table('consultation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_events_consultation_id_consultations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_events'))
    )
    with op.batch_alter_table('consultation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_events_consultation_id'), ['consultation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('consultation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_events_consultation_id'))

    op.drop_table('consultation_events')
    with op.batch_alter_table('board_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_messages_unit_id'))
        batch_op.drop_index(batch_op.f('ix_board_messages_target_unit_id'))

    op.drop_table('board_messages')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_target_unit_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_taker_account_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_state'))
        batch_op.drop_index(batch_op.f('ix_consultations_device_id'))

    op.drop_table('consultations')
    op.drop_table('lawyer_status')
    with op.batch_alter_table('duty_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_shifts_day'))
        batch_op.drop_index(batch_op.f('ix_duty_shifts_account_id'))

    op.drop_table('duty_shifts')
