"""Local users of the web app and the API: roles, password hashes, bearer tokens, throttling.

Roles (:data:`ROLES`): ``admin`` may do everything, users included; ``cx_lead`` everything but
users; ``owner`` reads every aggregate analysis but sees and edits only the follow-ups and
initiatives of the touchpoints where ``owner_of`` is the accountable person or the department
in the charter (:func:`owned_touchpoints`); ``viewer`` reads only. The web app enforces the
roles (:mod:`cxo.web.access`); this module stores users and checks credentials.

Passwords are hashed with Argon2id (argon2-cffi's defaults, rehashed when those change) and
are never stored, logged or echoed. Bearer tokens are 256-bit random strings shown once and
stored as their SHA-256 (they cannot be guessed, so a slow hash would add nothing). Failed
sign-ins are kept per user name and address so the web app can throttle them; every sign-in,
failed or refused sign-in and sign-out is written to the audit log (:func:`audit_sign_in`:
who, when, from which address, never the password).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cxo.errors import NotFoundError, UsageError
from cxo.store.db import migrate, session_scope
from cxo.store.models import ApiTokenRow, AuditEntry, LoginFailure, UserRow

if TYPE_CHECKING:
    from cxo.core.charter import Charter

ROLES = ("admin", "cx_lead", "owner", "viewer")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 100
TOKEN_PREFIX = "cxo_"
_TOKEN_TOUCH = dt.timedelta(minutes=5)
_FAILURES_KEPT = dt.timedelta(days=1)
_hasher = PasswordHasher()
_migrated: set[str] = set()


@dataclass(frozen=True)
class User:
    """A user as the rest of cxo sees it (never the password hash)."""

    id: int
    name: str
    role: str
    owner_of: str | None
    created_at: dt.datetime
    tokens: int
    """Number of active bearer tokens."""
    fingerprint: str
    """A short digest of the password hash: sessions carry it, so a new password (or a
    removed and re-created user) ends every older session."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no fingerprint)."""
        return {
            "name": self.name,
            "role": self.role,
            "owner_of": self.owner_of,
            "created_at": self.created_at.isoformat(),
            "tokens": self.tokens,
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _ready(url: str) -> None:
    """Bring the store up to date once per process (older workspaces lack the user tables)."""
    if url not in _migrated:
        migrate(url)
        _migrated.add(url)


def _user(session: Session, row: UserRow) -> User:
    tokens = session.scalar(
        select(func.count()).select_from(ApiTokenRow).where(ApiTokenRow.user_id == row.id)
    )
    return User(
        row.id,
        row.name,
        row.role,
        row.owner_of or None,
        row.created_at,
        int(tokens or 0),
        hashlib.sha256(row.password_hash.encode("utf-8")).hexdigest()[:16],
    )


def _row(session: Session, name: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.name == name)).first()


def _audit(session: Session, actor: str, action: str, detail: str) -> None:
    session.add(AuditEntry(at=_now(), actor=actor, action=action, detail=detail))


# --- validation ---------------------------------------------------------------------------


def check_name(name: str) -> str:
    """The user name without surrounding blanks; :class:`UsageError` when unusable."""
    clean = name.strip()
    if not clean:
        raise UsageError("a user name cannot be empty")
    if len(clean) > MAX_NAME_LENGTH:
        raise UsageError(f"a user name has at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in clean):
        raise UsageError("a user name cannot contain control characters")
    return clean


def check_role(role: str) -> str:
    """``role`` when it is one of :data:`ROLES`."""
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def check_password(password: str) -> None:
    """:class:`UsageError` when the password is too short or absurdly long (never echoes it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(
            f"the password is too short (at least {MIN_PASSWORD_LENGTH} characters)",
            hint="a passphrase of a few words is easy to remember and hard to guess",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UsageError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")


def _check_scope(role: str, owner_of: str | None) -> str:
    if role == "owner" and not (owner_of or "").strip():
        raise UsageError(
            "an owner needs the person or department they answer for",
            hint="pass --owner-of with an accountable person or department of the charter",
        )
    if role != "owner" and owner_of:
        raise UsageError(f"--owner-of applies to role owner only, not {role}")
    scope = (owner_of or "").strip()
    if len(scope) > 200:
        raise UsageError("--owner-of has at most 200 characters")
    return scope


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (after :func:`check_password`)."""
    check_password(password)
    return _hasher.hash(password)


# --- users --------------------------------------------------------------------------------


def create_user(
    url: str,
    name: str,
    role: str,
    password: str,
    *,
    owner_of: str | None = None,
    author: str = "cxo",
) -> User:
    """Add a user; :class:`UsageError` when the name is taken or an input is invalid."""
    name, role = check_name(name), check_role(role)
    scope = _check_scope(role, owner_of)
    digest = hash_password(password)
    _ready(url)
    now = _now()
    with session_scope(url) as session:
        if _row(session, name) is not None:
            raise UsageError(
                f"user {name!r} exists", hint="change the password with `cxo user passwd`"
            )
        row = UserRow(
            name=name,
            role=role,
            owner_of=scope,
            password_hash=digest,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        _audit(session, author, "user.add", f"{name} ({role})")
        session.commit()
        return _user(session, row)


def find_user(url: str, name: str) -> User | None:
    """The user ``name``, or ``None``."""
    _ready(url)
    with session_scope(url) as session:
        row = _row(session, name)
        return None if row is None else _user(session, row)


def get_user(url: str, name: str) -> User:
    """The user ``name``; :class:`NotFoundError` when there is none."""
    found = find_user(url, name)
    if found is None:
        raise NotFoundError(f"no user {name!r}", hint="list users with `cxo user list`")
    return found


def list_users(url: str) -> list[User]:
    """All users, by name."""
    _ready(url)
    with session_scope(url) as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.name)).all()
        return [_user(session, r) for r in rows]


def remove_user(url: str, name: str, *, author: str = "cxo") -> None:
    """Delete the user ``name`` and their tokens."""
    _ready(url)
    with session_scope(url) as session:
        row = _row(session, name)
        if row is None:
            raise NotFoundError(f"no user {name!r}", hint="list users with `cxo user list`")
        session.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == row.id))
        session.delete(row)
        _audit(session, author, "user.remove", name)
        session.commit()


def set_password(url: str, name: str, password: str, *, author: str = "cxo") -> None:
    """Give ``name`` a new password (their open sessions end)."""
    digest = hash_password(password)
    _ready(url)
    with session_scope(url) as session:
        row = _row(session, name)
        if row is None:
            raise NotFoundError(f"no user {name!r}", hint="list users with `cxo user list`")
        row.password_hash = digest
        row.updated_at = _now()
        _audit(session, author, "user.passwd", name)
        session.commit()


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(url: str, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else ``None`` (unknown names take as long)."""
    _ready(url)
    with session_scope(url) as session:
        row = _row(session, name)
        digest = row.password_hash if row is not None else _dummy_hash()
        try:
            _hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:  # pragma: no cover - the dummy hash matches no password
            return None
        if _hasher.check_needs_rehash(digest):
            row.password_hash = _hasher.hash(password)
            session.commit()
        return _user(session, row)


# --- bearer tokens ------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(url: str, name: str, *, author: str = "cxo") -> str:
    """A new bearer token for ``name``: returned once, stored only as its SHA-256."""
    _ready(url)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(url) as session:
        row = _row(session, name)
        if row is None:
            raise NotFoundError(f"no user {name!r}", hint="list users with `cxo user list`")
        session.add(
            ApiTokenRow(user_id=row.id, token_sha256=_token_digest(token), created_at=_now())
        )
        _audit(session, author, "user.token", name)
        session.commit()
    return token


def revoke_tokens(url: str, name: str, *, author: str = "cxo") -> int:
    """Revoke every bearer token of ``name``; return how many there were."""
    _ready(url)
    with session_scope(url) as session:
        row = _row(session, name)
        if row is None:
            raise NotFoundError(f"no user {name!r}", hint="list users with `cxo user list`")
        found = session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == row.id)).all()
        for token in found:
            session.delete(token)
        _audit(session, author, "user.revoke", f"{name}: {len(found)} tokens")
        session.commit()
        return len(found)


def user_for_token(url: str, token: str) -> User | None:
    """The user a bearer token belongs to, or ``None`` when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    _ready(url)
    now = _now()
    with session_scope(url) as session:
        found = session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.token_sha256 == _token_digest(token))
        ).first()
        if found is None:
            return None
        row = session.get(UserRow, found.user_id)
        if row is None:
            return None
        if found.last_used_at is None or now - found.last_used_at > _TOKEN_TOUCH:
            found.last_used_at = now
            session.commit()
        return _user(session, row)


# --- failed sign-ins ----------------------------------------------------------------------


def _failure_key(name: str) -> str:
    return name.strip().casefold()[:200]


def record_login_failure(
    url: str, name: str, address: str, *, at: dt.datetime | None = None
) -> None:
    """Note a failed sign-in for ``name`` (as typed) from ``address``; forget day-old ones."""
    _ready(url)
    when = at or _now()
    with session_scope(url) as session:
        session.execute(delete(LoginFailure).where(LoginFailure.at < when - _FAILURES_KEPT))
        session.add(LoginFailure(name=_failure_key(name), address=address[:100], at=when))
        session.commit()


def login_failures(url: str, name: str, address: str, *, since: dt.datetime) -> list[dt.datetime]:
    """Times of the failed sign-ins for ``name`` from ``address`` since ``since``, oldest first."""
    _ready(url)
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(LoginFailure.at)
                .where(
                    LoginFailure.name == _failure_key(name),
                    LoginFailure.address == address[:100],
                    LoginFailure.at >= since,
                )
                .order_by(LoginFailure.at)
            ).all()
        )


SIGN_IN_ACTIONS = ("auth.login", "auth.login_failed", "auth.login_throttled", "auth.logout")
"""Audit-log actions of :func:`audit_sign_in`."""


def audit_sign_in(url: str, action: str, name: str, address: str) -> None:
    """Write a sign-in event to the audit log: ``name`` as typed (blank-trimmed, control
    characters dropped, at most 200 characters), the action and the client address."""
    if action not in SIGN_IN_ACTIONS:
        raise ValueError(f"not a sign-in action: {action!r}")
    who = "".join(c for c in name.strip() if unicodedata.category(c) not in ("Cc", "Cf"))
    _ready(url)
    with session_scope(url) as session:
        _audit(session, who[:200] or "?", action, f"from {address[:100]}")
        session.commit()


def clear_login_failures(url: str, name: str, address: str) -> None:
    """Forget the failed sign-ins for ``name`` from ``address`` (after a successful one)."""
    _ready(url)
    with session_scope(url) as session:
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.name == _failure_key(name), LoginFailure.address == address[:100]
            )
        )
        session.commit()


# --- owners and the charter ---------------------------------------------------------------


def owner_choices(charter: Charter) -> set[str]:
    """Every accountable person and department of the charter (what ``owner_of`` may name)."""
    out: set[str] = set()
    for tp in charter.touchpoints:
        owner = charter.owner_of(tp.key)
        out.update(v for v in (owner["accountable"], owner["department"]) if v)
    return out


def owned_touchpoints(charter: Charter, owner_of: str | None) -> set[str]:
    """The touchpoints where ``owner_of`` is the accountable person or the department."""
    if not owner_of:
        return set()
    out = set()
    for tp in charter.touchpoints:
        owner = charter.owner_of(tp.key)
        if owner_of in (owner["accountable"], owner["department"]):
            out.add(tp.key)
    return out


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "SIGN_IN_ACTIONS",
    "TOKEN_PREFIX",
    "User",
    "audit_sign_in",
    "check_name",
    "check_password",
    "check_role",
    "clear_login_failures",
    "create_token",
    "create_user",
    "find_user",
    "get_user",
    "hash_password",
    "list_users",
    "login_failures",
    "owned_touchpoints",
    "owner_choices",
    "record_login_failure",
    "remove_user",
    "revoke_tokens",
    "set_password",
    "user_for_token",
    "verify_password",
]
