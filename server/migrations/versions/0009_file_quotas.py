"""files: one quota row per parent (files and bytes it holds), reserved with a conditional UPDATE

Revision ID: 0009_file_quotas
Revises: 0005_files
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_file_quotas'
down_revision = '0005_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'file_quotas',
        sa.Column('parent_kind', sa.String(length=20), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=False),
        sa.Column('file_count', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('parent_kind', 'parent_id', name=op.f('pk_file_quotas')),
    )
    # the parents that already hold files start from what they hold
    op.execute("INSERT INTO file_quotas (parent_kind, parent_id, file_count, size_bytes) "
               "SELECT parent_kind, parent_id, count(*), sum(size_bytes) FROM files GROUP BY parent_kind, parent_id")


def downgrade() -> None:
    op.drop_table('file_quotas')
