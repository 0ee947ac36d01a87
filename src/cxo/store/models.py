"""Operational store: application state (charter versions, maturity checks, audit log).

Kept apart from the analytical tables; SQLite by default, PostgreSQL for teams. Every
schema change ships as an Alembic migration in ``cxo/store/migrations``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the operational store."""


class CharterVersion(Base):
    """One saved version of the charter YAML, with who changed it and why."""

    __tablename__ = "charter_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    message: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    content: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class MaturityCheck(Base):
    """One maturity self-check (answers to the reflection questions) on a date."""

    __tablename__ = "maturity_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)


class MaturityAnswer(Base):
    """A scored answer to one reflection question."""

    __tablename__ = "maturity_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("maturity_checks.id"), nullable=False)
    dimension: Mapped[str] = mapped_column(String(100), nullable=False)
    question: Mapped[str] = mapped_column(String(100), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)


class AuditEntry(Base):
    """Who did what, when (charter edits, imports, assessments)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    entity: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    """What changed, e.g. ``initiative:chatbot`` (see :mod:`cxo.store.audit`)."""
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON of the state before the change (``None``: created); never customer data."""
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON of the state after the change (``None``: removed)."""


class AssessmentRun(Base):
    """One written assessment (``reports/assessment-<number>.json``) and its headline."""

    __tablename__ = "assessment_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    path: Mapped[str] = mapped_column(String(1000), nullable=False)
    charter_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("charter_versions.id"), nullable=True
    )
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")


class InitiativeRow(Base):
    """One CX initiative of the portfolio (see :mod:`cxo.initiatives.portfolio`)."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="idea")
    touchpoints: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    """JSON list of touchpoint keys."""
    pains: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    """JSON list of ``touchpoint:theme`` the initiative addresses."""
    one_off_cost: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    running_cost_month: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    expected_nps_effect: Mapped[float | None] = mapped_column(Float, nullable=True)
    expected_churn_effect: Mapped[float | None] = mapped_column(Float, nullable=True)
    launch: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class FollowUpRow(Base):
    """A follow-up task: a detractor or complaint routed to the touchpoint's owner."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    response_id: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    touchpoint: Mapped[str] = mapped_column(String(200), nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    department: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    reason: Mapped[str] = mapped_column(String(100), nullable=False)
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The redacted comment (never the raw text: it may hold personal data)."""
    themes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    responded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    """Bumped by every change; an update whose version moved meanwhile fails instead of
    overwriting the other writer's change (``StaleDataError``, retried by
    :mod:`cxo.followups.tasks`)."""

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own attribute)


class UserRow(Base):
    """A local user of the web app and API (see :mod:`cxo.store.users`)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_of: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    """For role ``owner``: the accountable person or department of the charter."""
    password_hash: Mapped[str] = mapped_column(String(500), nullable=False)
    """Argon2id hash (``$argon2id$…``); never the password."""
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class ApiTokenRow(Base):
    """A bearer token of a user for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginFailure(Base):
    """One failed sign-in (user name as typed, client address), for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_name_address", "name", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
