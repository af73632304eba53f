"""retention: legal holds, and an audit log the retention job may trim past six months

The append-only triggers of 0001 refused every DELETE on audit_log. Retention of the log itself
needs one narrow way through: a DELETE is now allowed only of a row older than 183 days (the
legal minimum) both by the database's own clock and behind the log's newest row, so no setting,
code path or person at a console can remove a younger one, and a clock set wrong (the
machine's, or a test's under faketime) cannot open the recent history either; UPDATE stays
refused outright.

Revision ID: 0012_retention
Revises: 0010_audit_no_replace
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_retention'
down_revision = '0010_audit_no_replace'
branch_labels = None
depends_on = None

AUDIT_MINIMUM_DAYS = 183  # server/retention/policy.py: the same floor, for the settings
REFUSAL = f"audit_log is append-only: no row younger than {AUDIT_MINIMUM_DAYS} days may be deleted"


def upgrade() -> None:
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('set_by', sa.String(length=100), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=100), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    op.create_index('ix_legal_holds_case', 'legal_holds', ['kind', 'ref_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
        op.execute(
            "CREATE FUNCTION audit_log_refuse_young() RETURNS trigger AS $$ BEGIN "
            f"IF OLD.at >= now() - interval '{AUDIT_MINIMUM_DAYS} days' OR "
            f"OLD.at >= (SELECT max(at) FROM audit_log) - interval '{AUDIT_MINIMUM_DAYS} days' THEN "
            f"RAISE EXCEPTION '{REFUSAL}'; END IF; "
            "RETURN OLD; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_log_no_young_delete BEFORE DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_young()")
    else:
        # `at` is stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, which compares as text with
        # datetime()'s UTC 'YYYY-MM-DD HH:MM:SS'
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("CREATE TRIGGER audit_log_no_young_delete BEFORE DELETE ON audit_log "
                   f"WHEN OLD.at >= datetime('now', '-{AUDIT_MINIMUM_DAYS} days') "
                   f"OR OLD.at >= (SELECT datetime(max(at), '-{AUDIT_MINIMUM_DAYS} days') FROM audit_log) "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_young_delete ON audit_log")
        op.execute("DROP FUNCTION audit_log_refuse_young()")
        op.execute("DROP TRIGGER audit_log_no_update ON audit_log")
        op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
    else:
        op.execute("DROP TRIGGER audit_log_no_young_delete")
        op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    op.drop_index('ix_legal_holds_case', table_name='legal_holds')
    op.drop_table('legal_holds')
