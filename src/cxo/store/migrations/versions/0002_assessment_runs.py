"""Assessment runs: which versioned assessment was written when, on which charter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``assessment_runs``."""
    op.create_table(
        "assessment_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column(
            "charter_version_id",
            sa.Integer,
            sa.ForeignKey("charter_versions.id"),
            nullable=True,
        ),
        sa.Column("summary", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop ``assessment_runs``."""
    op.drop_table("assessment_runs")
