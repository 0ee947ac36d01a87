"""Initial operational store: charter versions, maturity checks, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the initial tables."""
    op.create_table(
        "charter_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "maturity_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("taken_at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
    )
    op.create_table(
        "maturity_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("maturity_checks.id"), nullable=False),
        sa.Column("dimension", sa.String(100), nullable=False),
        sa.Column("question", sa.String(100), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop the initial tables."""
    for name in ("audit_log", "maturity_answers", "maturity_checks", "charter_versions"):
        op.drop_table(name)
