"""applications: return visits (several, each with its date, channel and outcome), the comment with the
applicant's satisfaction and who recorded it, and the applicant groups the bureau counts

Revision ID: 0014_application_followup
Revises: 0013_application_supplement
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_application_followup'
down_revision = '0013_application_supplement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_application_visits_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_visits'))
    )
    op.create_index(op.f('ix_application_visits_application_id'), 'application_visits', ['application_id'],
                    unique=False)
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('applicant_groups', sa.JSON(), server_default='[]', nullable=False))
        batch.add_column(sa.Column('satisfaction_comment', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('satisfaction_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('satisfaction_by', sa.String(length=100), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.drop_column('satisfaction_by')
        batch.drop_column('satisfaction_on')
        batch.drop_column('satisfaction_comment')
        batch.drop_column('applicant_groups')
    op.drop_index(op.f('ix_application_visits_application_id'), table_name='application_visits')
    op.drop_table('application_visits')
