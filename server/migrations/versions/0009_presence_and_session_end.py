"""accounts and duty: why a session ended (pushed to its live sockets), when a lawyer was last connected

Revision ID: 0009_presence_and_session_end
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_presence_and_session_end'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=32), nullable=True))
    with op.batch_alter_table('lawyer_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lawyer_status', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
