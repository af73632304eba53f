"""presence: server processes' leases and the connections each holds

Revision ID: 0012_presence
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_presence'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'server_processes',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_server_processes')),
    )
    op.create_table(
        'live_connections',
        sa.Column('process_id', sa.String(length=32), nullable=False),
        sa.Column('sid', sa.String(length=64), nullable=False),
        sa.Column('actor', sa.String(length=40), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('process_id', 'sid', name=op.f('pk_live_connections')),
    )
    op.create_index(op.f('ix_live_connections_actor'), 'live_connections', ['actor'])
    op.create_index(op.f('ix_live_connections_consultation_id'), 'live_connections', ['consultation_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_live_connections_consultation_id'), table_name='live_connections')
    op.drop_index(op.f('ix_live_connections_actor'), table_name='live_connections')
    op.drop_table('live_connections')
    op.drop_table('server_processes')
