"""audit_log: refuse SQLite's INSERT OR REPLACE of an existing row

SQLite's REPLACE deletes the conflicting row without firing DELETE triggers (unless
recursive_triggers is on), so `INSERT OR REPLACE INTO audit_log (id, …)` rewrote a row that the
UPDATE and DELETE triggers of 0001 were meant to keep. A BEFORE INSERT trigger sees the row
that would be replaced and refuses. PostgreSQL has no REPLACE, and its INSERT … ON CONFLICT DO
UPDATE already meets the UPDATE trigger: nothing to add there.

Revision ID: 0010_audit_no_replace
Revises: 0001
"""
from alembic import op


revision = '0010_audit_no_replace'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
                   "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
