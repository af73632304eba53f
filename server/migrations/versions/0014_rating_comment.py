"""consultations: what the resident wrote beside the rating

Revision ID: 0014_rating_comment
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_rating_comment'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.add_column(sa.Column('rating_comment', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.drop_column('rating_comment')
