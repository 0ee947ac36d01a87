"""The audit log: who changed what, when, and the state before and after — append-only.

Every change of the charter, initiatives, follow-ups, users, imports, retention runs and
erasures writes one :class:`~cxo.store.models.AuditEntry`: the actor (the signed-in user in the
web app and API, ``os:<login>`` for the command line, see :func:`actor`), the action (e.g.
``initiative.update``), the entity (``initiative:chatbot``), a short detail and JSON of the
state ``before`` and ``after`` the change.

Append-only, guaranteed three ways: this module offers no update or delete; the database
refuses them (migration 0007: SQLite triggers ``RAISE(ABORT)`` on ``UPDATE``/``DELETE``,
PostgreSQL a trigger on ``UPDATE``/``DELETE``/``TRUNCATE``; a database owner can still drop
the trigger, so for tamper evidence ship the log elsewhere too); and restore
(:mod:`cxo.backup`) replaces the whole store, it never edits entries.

The log holds no customer data, so an erasure (:mod:`cxo.privacy.erase`) never has to touch
it: :func:`scrub` replaces the values of keys that may hold personal data (customer ids,
comments, notes, raw rows, e-mail addresses) with their length before anything is written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import getpass
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cxo.store.db import migrate, session_scope
from cxo.store.models import AuditEntry

PERSONAL_KEYS = frozenset(
    {"customer_id", "comment", "note", "raw", "email", "e-mail", "redacted_text", "text"}
)
"""Keys whose values never enter the log (replaced by ``"<n characters>"``)."""

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("cxo_audit_actor", default=None)
_migrated: set[str] = set()


def actor() -> str:
    """Who acts now: the name set by :func:`acting_as` (the web app's signed-in user), else
    ``os:<login name>`` of the process (the command line)."""
    name = _actor.get()
    if name:
        return name
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "os:?"


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Attribute the changes made inside the block to ``name``."""
    token = _actor.set(name)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(name: str | None) -> None:
    """Attribute the changes of the current context (a request) to ``name``."""
    _actor.set(name)


def scrub(value: Any) -> Any:
    """``value`` with the personal fields of every mapping replaced by their length."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if str(key).lower() in PERSONAL_KEYS and item not in (None, ""):
                out[str(key)] = f"<{len(str(item))} characters>"
            else:
                out[str(key)] = scrub(item)
        return out
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _json(state: Any) -> str | None:
    if state is None:
        return None
    return json.dumps(scrub(state), ensure_ascii=False, sort_keys=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def add(
    session: Session,
    who: str | None,
    action: str,
    entity: str = "",
    before: Any = None,
    after: Any = None,
    *,
    detail: str = "",
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add an entry to ``session`` (committed with the change it describes)."""
    entry = AuditEntry(
        at=at or _now(),
        actor=(who or actor())[:200],
        action=action[:100],
        entity=entity[:200],
        detail=detail,
        before=_json(before),
        after=_json(after),
    )
    session.add(entry)
    return entry


def record(
    url: str,
    who: str | None,
    action: str,
    entity: str = "",
    before: Any = None,
    after: Any = None,
    *,
    detail: str = "",
) -> int:
    """Write one entry in its own transaction (``who=None``: :func:`actor`); return its id."""
    if url not in _migrated:
        migrate(url)
        _migrated.add(url)
    with session_scope(url) as session:
        entry = add(session, who, action, entity, before, after, detail=detail)
        session.commit()
        return entry.id


@dataclass(frozen=True)
class Entry:
    """One audit-log entry as read back."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    detail: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "detail": self.detail,
            "before": self.before,
            "after": self.after,
        }


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def entries(
    url: str,
    *,
    action: str | None = None,
    actor_name: str | None = None,
    entity: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = 200,
) -> list[Entry]:
    """Entries, newest first; ``action`` matches a prefix (``followup`` finds
    ``followup.closed``), ``entity`` a prefix too (``initiative:`` or ``initiative:chatbot``)."""
    if url not in _migrated:
        migrate(url)
        _migrated.add(url)
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor_name:
        query = query.where(AuditEntry.actor == actor_name)
    if entity:
        query = query.where(AuditEntry.entity.startswith(entity, autoescape=True))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    with session_scope(url) as session:
        return [
            Entry(
                e.id,
                e.at,
                e.actor,
                e.action,
                e.entity or "",
                e.detail or "",
                _load(e.before),
                _load(e.after),
            )
            for e in session.scalars(query).all()
        ]


# --- before/after of every ORM change --------------------------------------------------------

AUDITED: dict[str, str] = {
    "charter_versions": "sha256",
    "initiatives": "key",
    "followups": "id",
    "users": "name",
    "api_tokens": "user_id",
}
"""Tables whose changes the log describes, and the column that names a row in ``entity``."""
HIDDEN = frozenset({"password_hash", "token_sha256", "content"})
"""Columns shown only as changed (a hash, the charter YAML kept in ``charter_versions``)."""
NOISE = frozenset({"version", "updated_at", "last_used_at"})
"""Columns whose change alone is not worth an entry (bookkeeping)."""
MANY = 5
"""More rows than this in one change: the entry counts them instead of listing them."""


def _value(key: str, value: Any) -> Any:
    if key in HIDDEN and value is not None:
        return f"<{len(str(value))} characters>"
    return value


def _change(obj: Any, kind: str) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    from sqlalchemy import inspect

    state = inspect(obj)
    table = str(state.mapper.local_table.name)
    name = state.mapper.local_table.c
    key = AUDITED[table]
    ident = str(getattr(obj, key, None)) if key in name else "?"
    entity = f"{table}:{ident[:12] if key == 'sha256' else ident}"
    columns = [a.key for a in state.mapper.column_attrs]
    if kind == "new":
        after = {c: _value(c, getattr(obj, c)) for c in columns if c not in NOISE}
        return entity, None, {k: v for k, v in after.items() if not (k == "id" and v is None)}
    if kind == "deleted":
        before = {c: _value(c, getattr(obj, c)) for c in columns if c not in NOISE}
        return entity, before, None
    before_d: dict[str, Any] = {}
    after_d: dict[str, Any] = {}
    for c in columns:
        hist = state.attrs[c].history
        if c in NOISE or not hist.added:
            continue
        old = hist.deleted[0] if hist.deleted else None
        if old == hist.added[0]:
            continue
        before_d[c] = _value(c, old)
        after_d[c] = _value(c, hist.added[0])
    return entity, before_d or None, after_d or None


def _changes(session: Session) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    out = []
    for kind, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            table = getattr(getattr(obj, "__table__", None), "name", None)
            if table not in AUDITED:
                continue
            entity, before, after = _change(obj, kind)
            if before is not None or after is not None:
                out.append((entity, before, after))
    return sorted(out, key=lambda c: c[0])


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Describe the audited rows this flush changes on the flush's audit entry (or a new
    ``<table>.change`` entry when the code that changed them wrote none)."""
    changes = _changes(session)
    if not changes:
        return
    pending = [e for e in session.new if isinstance(e, AuditEntry)]
    entry = pending[0] if pending else None
    if entry is None:
        table = changes[0][0].split(":")[0]
        entry = AuditEntry(at=_now(), actor=actor()[:200], action=f"{table}.change", detail="")
        session.add(entry)
    if entry.before is not None or entry.after is not None:
        return
    if len(changes) == 1:
        entity, before, after = changes[0]
        entry.entity = entry.entity or entity[:200]
        entry.before, entry.after = _json(before), _json(after)
        return
    tables = sorted({c[0].split(":")[0] for c in changes})
    entry.entity = entry.entity or ",".join(tables)[:200]
    if len(changes) > MANY:
        entry.after = _json({"rows": len(changes), "tables": tables})
        return
    entry.before = _json({c[0]: c[1] for c in changes})
    entry.after = _json({c[0]: c[2] for c in changes})


event.listen(Session, "before_flush", _before_flush)


__all__ = [
    "PERSONAL_KEYS",
    "Entry",
    "acting_as",
    "actor",
    "add",
    "entries",
    "record",
    "scrub",
    "set_actor",
]
