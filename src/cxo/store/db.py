"""Engine, migrations and small helpers of the operational store."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from cxo.store.models import (
    AssessmentRun,
    AuditEntry,
    CharterVersion,
    MaturityAnswer,
    MaturityCheck,
)

_ENGINES: OrderedDict[tuple[str, int], Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
MAX_ENGINES = 8
"""Engines kept per process; the least recently used one beyond this is disposed."""


def engine(url: str) -> Engine:
    """The process's SQLAlchemy engine for ``url`` (built once: building one costs ~9 ms).

    SQLite gets no pool (a connection per session is cheap, and a restored or erased file is
    never held open); PostgreSQL a small pool that checks a connection before handing it out.
    Keyed by process id too, so a forked worker never shares its parent's connections.
    """
    key = (url, os.getpid())
    with _ENGINES_LOCK:
        eng = _ENGINES.get(key)
        if eng is not None:
            _ENGINES.move_to_end(key)
            return eng
        if url.startswith("sqlite"):
            eng = create_engine(url, poolclass=NullPool)
        else:
            eng = create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)
        _ENGINES[key] = eng
        while len(_ENGINES) > MAX_ENGINES:
            _, old = _ENGINES.popitem(last=False)
            old.dispose()
        return eng


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session on the process's engine for ``url``."""
    with Session(engine(url)) as session:
        yield session


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


def charter_versions(url: str) -> list[CharterVersion]:
    """All saved charter versions, oldest first (detached objects)."""
    with session_scope(url) as session:
        rows = list(session.scalars(select(CharterVersion).order_by(CharterVersion.id)).all())
        session.expunge_all()
        return rows


def latest_charter_version_id(url: str) -> int | None:
    """Id of the newest charter version (``None`` when none is stored)."""
    with session_scope(url) as session:
        return session.scalars(
            select(CharterVersion.id).order_by(CharterVersion.id.desc()).limit(1)
        ).first()


def record_maturity_check(
    url: str, answers: dict[str, tuple[str, float]], *, author: str, at: datetime | None = None
) -> int:
    """Store one maturity self-check: ``{question: (dimension, score)}``; return its id."""
    when = at or datetime.now(UTC).replace(tzinfo=None)
    with session_scope(url) as session:
        check = MaturityCheck(taken_at=when, author=author)
        session.add(check)
        session.flush()
        for key, (dimension, score) in answers.items():
            session.add(
                MaturityAnswer(check_id=check.id, dimension=dimension, question=key, score=score)
            )
        session.add(
            AuditEntry(
                at=when, actor=author, action="maturity.check", detail=f"{len(answers)} answers"
            )
        )
        session.commit()
        return check.id


def maturity_history(url: str) -> list[dict[str, object]]:
    """Every self-check, oldest first: ``{"id", "taken_at", "author", "answers": {q: score}}``."""
    with session_scope(url) as session:
        checks = session.scalars(select(MaturityCheck).order_by(MaturityCheck.taken_at)).all()
        out: list[dict[str, object]] = []
        for check in checks:
            answers = session.scalars(
                select(MaturityAnswer).where(MaturityAnswer.check_id == check.id)
            ).all()
            out.append(
                {
                    "id": check.id,
                    "taken_at": check.taken_at,
                    "author": check.author,
                    "answers": {a.question: a.score for a in answers},
                }
            )
        return out


def record_assessment_run(
    url: str, number: int, path: str, *, author: str, summary: str = ""
) -> int:
    """Note a written assessment (with the charter version it used); return the run id."""
    version_id = latest_charter_version_id(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    with session_scope(url) as session:
        run = AssessmentRun(
            number=number,
            created_at=now,
            author=author,
            path=path,
            charter_version_id=version_id,
            summary=summary,
        )
        session.add(run)
        session.add(AuditEntry(at=now, actor=author, action="assessment.write", detail=path))
        session.commit()
        return run.id


from cxo.store import audit as _audit  # noqa: E402, F401  (its listener fills before/after)
