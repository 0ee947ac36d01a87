"""Follow-ups: detractors and complaints routed to the touchpoint owner (closed loop).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``followups``."""
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("response_id", sa.String(200), nullable=False, unique=True),
        sa.Column("customer_id", sa.String(200), nullable=True),
        sa.Column("touchpoint", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("nps", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("responded_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("contacted_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_followups_owner_status", "followups", ["owner", "status"])


def downgrade() -> None:
    """Drop ``followups``."""
    op.drop_index("ix_followups_owner_status", "followups")
    op.drop_table("followups")
