"""meetings: the schedule, invitations, members of a room, attendance, recording consents and recordings

Revision ID: 0007_meetings
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_meetings'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('recording_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('who', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('text_version', sa.String(length=20), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_consents'))
    )
    with op.batch_alter_table('recording_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_consents_parent_id'), ['parent_id'], unique=False)

    op.create_table('recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_recordings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings'))
    )
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordings_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_started_at'), ['started_at'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('host_account_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('topology', sa.String(length=10), nullable=False),
    sa.Column('janus_room', sa.Integer(), nullable=True),
    sa.Column('janus_secret', sa.String(length=64), nullable=False),
    sa.Column('janus_pin', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['host_account_id'], ['accounts.id'], name=op.f('fk_meetings_host_account_id_accounts')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meetings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_host_account_id'), ['host_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_unit_id'), ['unit_id'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_meeting_attendance_account_id_accounts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendance_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_attendance_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_meeting_invitations_account_id_accounts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_invitations_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_invitations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitations'))
    )
    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitations_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_invitations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_invitations_unit_id'), ['unit_id'], unique=False)

    op.create_table('meeting_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('admitted', sa.Boolean(), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('hand_raised', sa.Boolean(), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('camera_off', sa.Boolean(), nullable=False),
    sa.Column('sharing', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_meeting_members_account_id_accounts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_members_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_members_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_members')),
    sa.UniqueConstraint('meeting_id', 'account_id', name='uq_meeting_members_meeting_account')
    )
    with op.batch_alter_table('meeting_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_members_meeting_id'), ['meeting_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('meeting_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_members_meeting_id'))

    op.drop_table('meeting_members')
    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_invitations_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_invitations_account_id'))

    op.drop_table('meeting_invitations')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_meeting_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_state'))
        batch_op.drop_index(batch_op.f('ix_meetings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meetings_host_account_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_application_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recordings_started_at'))
        batch_op.drop_index(batch_op.f('ix_recordings_parent_id'))

    op.drop_table('recordings')
    with op.batch_alter_table('recording_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_consents_parent_id'))

    op.drop_table('recording_consents')

