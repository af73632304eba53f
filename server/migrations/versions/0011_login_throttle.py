"""accounts: failed logins counted per (name, client address) and per address, not per account

An account-wide lock let anyone lock anyone out and answered differently for a known name.
The counts move to login_throttle (accounts/throttle.py); the account's own counter goes.

Revision ID: 0011_login_throttle
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_login_throttle'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('client_addr', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('username', 'client_addr', name=op.f('pk_login_throttle')),
    )
    op.create_index(op.f('ix_login_throttle_last_attempt_at'), 'login_throttle', ['last_attempt_at'])
    # SQLite drops a plain column in place (3.35+); a batch copy of accounts would trip the
    # foreign keys that point at it
    op.execute("ALTER TABLE accounts DROP COLUMN failed_logins")
    op.execute("ALTER TABLE accounts DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column('accounts', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('accounts', sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    op.drop_table('login_throttle')
