"""replies: canned replies a unit keeps for chat and board answers

Revision ID: 0012_canned_replies
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_canned_replies'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=60), nullable=False),
        sa.Column('body', sa.String(length=1000), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_canned_replies_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies')),
    )
    op.create_index(op.f('ix_canned_replies_unit_id'), 'canned_replies', ['unit_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_canned_replies_unit_id'), table_name='canned_replies')
    op.drop_table('canned_replies')
