"""Initiatives: the portfolio of CX initiatives with owner, cost and expected effect.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``initiatives``."""
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("touchpoints", sa.Text, nullable=False),
        sa.Column("pains", sa.Text, nullable=False),
        sa.Column("one_off_cost", sa.Float, nullable=False),
        sa.Column("running_cost_month", sa.Float, nullable=False),
        sa.Column("expected_nps_effect", sa.Float, nullable=True),
        sa.Column("expected_churn_effect", sa.Float, nullable=True),
        sa.Column("launch", sa.DateTime, nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop ``initiatives``."""
    op.drop_table("initiatives")
