"""Follow-ups: a version number per task, so that two writers at once lose no update.

Every change of a task compares and sets ``version`` (optimistic concurrency, see
:func:`cxo.followups.tasks.update`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``followups.version`` (0 for the tasks that exist)."""
    with op.batch_alter_table("followups") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    """Drop ``followups.version``."""
    with op.batch_alter_table("followups") as batch:
        batch.drop_column("version")
