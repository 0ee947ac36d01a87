"""Alembic environment: the URL comes from the config cxo builds (never from a file)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from cxo.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations online against the configured URL."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    connectable = create_engine(url)
    try:
        with connectable.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        connectable.dispose()


run_migrations()
