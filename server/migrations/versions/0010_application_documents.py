"""applications: documents as issued (what each showed the first time it was printed)

Revision ID: 0010_application_documents
Revises: 0006_applications
"""
from alembic import op
import sqlalchemy as sa



revision = '0010_application_documents'
down_revision = '0006_applications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_application_documents_application_id_applications')),
    sa.ForeignKeyConstraint(['step_id'], ['application_steps.id'],
                            name=op.f('fk_application_documents_step_id_application_steps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents')),
    sa.UniqueConstraint('application_id', 'kind', 'step_id', name=op.f('uq_application_documents_application_id'))
    )
    op.create_index(op.f('ix_application_documents_application_id'), 'application_documents', ['application_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_application_documents_application_id'), table_name='application_documents')
    op.drop_table('application_documents')
