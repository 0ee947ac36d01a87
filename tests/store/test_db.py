from pathlib import Path

from sqlalchemy import inspect, select

from cxo.store.db import engine, migrate, record_charter_version, session_scope
from cxo.store.models import AuditEntry, Base, CharterVersion


def test_migrations_create_exactly_the_models_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    eng = engine(url)
    tables = set(inspect(eng).get_table_names()) - {"alembic_version"}
    eng.dispose()
    assert tables == set(Base.metadata.tables)


def test_charter_versions_are_kept_with_author_and_deduplicated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    first = record_charter_version(url, "version: 1\n", author="sophie", message="first")
    same = record_charter_version(url, "version: 1\n", author="sophie", message="again")
    second = record_charter_version(url, "version: 2\n", author="markus", message="owners")
    assert first == same != second
    with session_scope(url) as session:
        rows = session.scalars(select(CharterVersion).order_by(CharterVersion.id)).all()
        assert [(r.author, r.message) for r in rows] == [("sophie", "first"), ("markus", "owners")]
        assert len(session.scalars(select(AuditEntry)).all()) == 2


def _postgres_url() -> str:
    import os

    import pytest

    url = os.environ.get("CXO_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide PostgreSQL (scripts/test starts a throwaway cluster)")
        pytest.skip("no PostgreSQL here: scripts/test starts one when the server binaries exist")
    return url


def test_the_same_migrations_and_store_work_on_postgresql() -> None:
    from sqlalchemy import text

    url = _postgres_url()
    eng = engine(url)
    try:
        with eng.begin() as con:  # a clean slate: the cluster is throwaway but tests may rerun
            con.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrate(url)
        tables = set(inspect(eng).get_table_names()) - {"alembic_version"}
    finally:
        eng.dispose()
    assert tables == set(Base.metadata.tables)
    first = record_charter_version(url, "version: 1\n", author="sophie")
    assert record_charter_version(url, "version: 1\n", author="sophie") == first
