"""applications: the applicant's chosen lawyer (點援) on the form, and the conflicts of interest
lawyers declared when declining an assignment, remembered per party

Revision ID: 0015_application_choices
Revises: 0014_application_followup
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_application_choices'
down_revision = '0014_application_followup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('chosen_lawyer_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_applications_chosen_lawyer_id_lawyer_profiles'), 'lawyer_profiles',
                                 ['chosen_lawyer_id'], ['id'])
    op.create_table('lawyer_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declared_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_lawyer_conflicts_application_id_applications')),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyer_profiles.id'],
                            name=op.f('fk_lawyer_conflicts_lawyer_id_lawyer_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lawyer_conflicts'))
    )
    op.create_index(op.f('ix_lawyer_conflicts_application_id'), 'lawyer_conflicts', ['application_id'], unique=False)
    op.create_index(op.f('ix_lawyer_conflicts_lawyer_id'), 'lawyer_conflicts', ['lawyer_id'], unique=False)
    op.create_index(op.f('ix_lawyer_conflicts_name_key'), 'lawyer_conflicts', ['name_key'], unique=False)
    op.create_index(op.f('ix_lawyer_conflicts_id_number'), 'lawyer_conflicts', ['id_number'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_lawyer_conflicts_id_number'), table_name='lawyer_conflicts')
    op.drop_index(op.f('ix_lawyer_conflicts_name_key'), table_name='lawyer_conflicts')
    op.drop_index(op.f('ix_lawyer_conflicts_lawyer_id'), table_name='lawyer_conflicts')
    op.drop_index(op.f('ix_lawyer_conflicts_application_id'), table_name='lawyer_conflicts')
    op.drop_table('lawyer_conflicts')
    with op.batch_alter_table('applications') as batch:
        batch.drop_constraint(batch.f('fk_applications_chosen_lawyer_id_lawyer_profiles'), type_='foreignkey')
        batch.drop_column('chosen_lawyer_id')
