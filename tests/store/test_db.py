from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from cxo.store.db import engine, migrate, record_charter_version
from cxo.store.models import AuditEntry, Base, CharterVersion


def test_migrations_create_exactly_the_models_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    tables = set(inspect(engine(url)).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)


def test_charter_versions_are_kept_with_author_and_deduplicated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    first = record_charter_version(url, "version: 1\n", author="sophie", message="first")
    same = record_charter_version(url, "version: 1\n", author="sophie", message="again")
    second = record_charter_version(url, "version: 2\n", author="markus", message="owners")
    assert first == same != second
    with Session(engine(url)) as session:
        rows = session.scalars(select(CharterVersion).order_by(CharterVersion.id)).all()
        assert [(r.author, r.message) for r in rows] == [("sophie", "first"), ("markus", "owners")]
        assert len(session.scalars(select(AuditEntry)).all()) == 2
