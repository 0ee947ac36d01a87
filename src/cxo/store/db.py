"""Engine, migrations and small helpers of the operational store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from cxo.store.models import AuditEntry, CharterVersion


def engine(url: str) -> Engine:
    """A SQLAlchemy engine for ``url``."""
    return create_engine(url, future=True)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session on a short-lived engine that is disposed afterwards (no leaked connections)."""
    eng = engine(url)
    try:
        with Session(eng) as session:
            yield session
    finally:
        eng.dispose()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("cxo.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the operational store at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def record_charter_version(url: str, content: str, *, author: str, message: str = "") -> int:
    """Store a charter version unless it equals the latest one; return the version id."""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    with session_scope(url) as session:
        latest = session.scalars(
            select(CharterVersion).order_by(CharterVersion.id.desc()).limit(1)
        ).first()
        if latest is not None and latest.sha256 == digest:
            return latest.id
        now = datetime.now(UTC).replace(tzinfo=None)
        version = CharterVersion(
            created_at=now, author=author, message=message, content=content, sha256=digest
        )
        session.add(version)
        session.add(
            AuditEntry(at=now, actor=author, action="charter.save", detail=message or digest[:12])
        )
        session.commit()
        return version.id
