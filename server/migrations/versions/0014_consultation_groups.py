"""consultations: the applicant groups the bureau counts (elderly, disabled, migrant worker, minor, woman)

Revision ID: 0014_consultation_groups
Revises: 0014_rating_comment
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_consultation_groups'
down_revision = '0014_rating_comment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.add_column(sa.Column('applicant_groups', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.drop_column('applicant_groups')
