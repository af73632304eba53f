"""applications: 补充材料 pauses the decision clock (when it paused, the held due date, the days paused);
the day the sweep told the late unit that its step is overdue; the objection (異議) and the bureau's answer

Revision ID: 0013_application_supplement
Revises: 0006_applications
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_application_supplement'
down_revision = '0006_applications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('paused_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('paused_due_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('paused_working_days', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('overdue_notified_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('objection', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('objection_decision', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('applications') as batch:
        batch.drop_column('objection_decision')
        batch.drop_column('objection')
        batch.drop_column('overdue_notified_on')
        batch.drop_column('paused_working_days')
        batch.drop_column('paused_due_on')
        batch.drop_column('paused_on')
