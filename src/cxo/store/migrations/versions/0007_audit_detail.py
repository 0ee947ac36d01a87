"""Audit log: what changed (entity, before, after) and append-only in the database.

Adds ``entity``, ``before`` and ``after`` (JSON text) to ``audit_log`` and triggers that refuse
every ``UPDATE`` and ``DELETE`` of it (SQLite: ``RAISE(ABORT)``; PostgreSQL: a PL/pgSQL
function, also refusing ``TRUNCATE``). See :mod:`cxo.store.audit`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MESSAGE = "audit_log is append-only"


def upgrade() -> None:
    """Add the columns and the append-only triggers."""
    op.add_column(
        "audit_log", sa.Column("entity", sa.String(200), nullable=False, server_default="")
    )
    op.add_column("audit_log", sa.Column("before", sa.Text, nullable=True))
    op.add_column("audit_log", sa.Column("after", sa.Text, nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION cxo_audit_log_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION cxo_audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION cxo_audit_log_append_only()"
        )


def downgrade() -> None:
    """Drop the triggers and the columns."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS cxo_audit_log_append_only()")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("after")
        batch.drop_column("before")
        batch.drop_column("entity")
