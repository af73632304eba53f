"""consultations: third persons invited into a live consultation, and wrong invitation codes

Revision ID: 0015_consultation_guests
Revises: 0014_consultation_groups
"""
from alembic import op
import sqlalchemy as sa



revision = '0015_consultation_guests'
down_revision = '0014_consultation_groups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consultation_guests',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('consultation_id', sa.Integer(), sa.ForeignKey('consultations.id'), nullable=False),
        sa.Column('invited_by', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('code_hash', sa.String(64), nullable=False),
        sa.Column('link_hash', sa.String(64), nullable=False),
        sa.Column('session_hash', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(40), nullable=False),
    )
    for column in ('consultation_id', 'state', 'code_hash', 'link_hash', 'session_hash'):
        op.create_index(f'ix_consultation_guests_{column}', 'consultation_guests', [column])
    op.create_table(
        'consultation_guest_tries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('client_addr', sa.String(64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_consultation_guest_tries_client_addr', 'consultation_guest_tries', ['client_addr'])
    op.create_index('ix_consultation_guest_tries_at', 'consultation_guest_tries', ['at'])


def downgrade() -> None:
    op.drop_table('consultation_guest_tries')
    op.drop_table('consultation_guests')
