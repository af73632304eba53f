"""applications: the form, its timeline of steps, case-number sequences per center and year

Revision ID: 0006_applications
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_applications'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_sequences',
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['units.id'], name=op.f('fk_case_sequences_center_id_units')),
    sa.PrimaryKeyConstraint('center_id', 'year', name=op.f('pk_case_sequences'))
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_unit_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_sex', sa.String(length=8), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('household', sa.String(length=300), nullable=False),
    sa.Column('economic_situation', sa.Text(), nullable=False),
    sa.Column('hardship_grounds', sa.JSON(), nullable=False),
    sa.Column('hardship_other', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('opposing_party', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('help_requested', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('review_consultation_id', sa.Integer(), nullable=True),
    sa.Column('missing', sa.Text(), nullable=False),
    sa.Column('review_opinion', sa.Text(), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('decision_opinion', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('proposed_lawyer_id', sa.Integer(), nullable=True),
    sa.Column('assignment_mode', sa.String(length=12), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('lawyer_account_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('visit_notes', sa.Text(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('supervision_card', sa.JSON(), nullable=False),
    sa.Column('instalments', sa.JSON(), nullable=False),
    sa.Column('enforcement_deadline', sa.Date(), nullable=True),
    sa.Column('enforcement_reminder_on', sa.Date(), nullable=True),
    sa.Column('due_step', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['center_id'], ['units.id'], name=op.f('fk_applications_center_id_units')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_applications_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['lawyer_account_id'], ['accounts.id'], name=op.f('fk_applications_lawyer_account_id_accounts')),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyer_profiles.id'], name=op.f('fk_applications_lawyer_id_lawyer_profiles')),
    sa.ForeignKeyConstraint(['proposed_lawyer_id'], ['lawyer_profiles.id'], name=op.f('fk_applications_proposed_lawyer_id_lawyer_profiles')),
    sa.ForeignKeyConstraint(['review_consultation_id'], ['consultations.id'], name=op.f('fk_applications_review_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['review_unit_id'], ['units.id'], name=op.f('fk_applications_review_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_applications_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_enforcement_reminder_on'), ['enforcement_reminder_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_lawyer_account_id'), ['lawyer_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_review_unit_id'), ['review_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_unit_id'), ['unit_id'], unique=False)

    op.create_table('application_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=False),
    sa.Column('to_state', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_steps_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_steps'))
    )
    with op.batch_alter_table('application_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_steps_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('application_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_steps_application_id'))

    op.drop_table('application_steps')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_unit_id'))
        batch_op.drop_index(batch_op.f('ix_applications_state'))
        batch_op.drop_index(batch_op.f('ix_applications_review_unit_id'))
        batch_op.drop_index(batch_op.f('ix_applications_lawyer_account_id'))
        batch_op.drop_index(batch_op.f('ix_applications_enforcement_reminder_on'))
        batch_op.drop_index(batch_op.f('ix_applications_due_on'))
        batch_op.drop_index(batch_op.f('ix_applications_created_at'))
        batch_op.drop_index(batch_op.f('ix_applications_case_number'))

    op.drop_table('applications')
    op.drop_table('case_sequences')
