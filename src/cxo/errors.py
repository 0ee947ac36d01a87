"""Typed errors of the core; the CLI and the API translate them at the edges.

Every error carries a stable ``code`` (used in the API's JSON error shape), an ``exit_code``
(used by the CLI) and an ``http_status`` (used by the web app). Messages name the file, line
and field wherever the cause is in user data. Errors about what the caller asked for
(:class:`UsageError`, :class:`InputError`, :class:`InsufficientDataError`) are also
:class:`ValueError`, so plain Python callers can catch them the usual way.
"""

from __future__ import annotations


class CxoError(Exception):
    """Base class of every error cxo raises on purpose."""

    code = "cxo_error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, str | None]:
        """The one JSON error shape shared by the CLI's ``--json`` and the REST API."""
        return {"error": self.code, "message": self.message, "hint": self.hint}


class UsageError(CxoError, ValueError):
    """The caller asked for something malformed (bad option, bad argument, unknown table)."""

    code = "usage_error"
    exit_code = 2
    http_status = 400


class WorkspaceError(CxoError):
    """The workspace is missing, incomplete or not initialised."""

    code = "workspace_error"
    exit_code = 2
    http_status = 500


class CharterError(CxoError, ValueError):
    """The charter YAML is invalid; the message names line and field."""

    code = "charter_error"
    exit_code = 1
    http_status = 422


class InputError(CxoError, ValueError):
    """An input file cannot be read at all (missing, unreadable, unknown format)."""

    code = "input_error"
    exit_code = 2
    http_status = 400


class RejectedShareExceeded(CxoError):
    """More rows were rejected than ``--max-rejected`` allows; nothing was imported."""

    code = "too_many_rejected"
    exit_code = 1
    http_status = 422


class MissingDataError(CxoError):
    """An analysis needs a table or column that the workspace does not hold."""

    code = "missing_data"
    exit_code = 1
    http_status = 404


class InsufficientDataError(CxoError, ValueError):
    """There is data, but too little for a meaningful estimate."""

    code = "insufficient_data"
    exit_code = 1
    http_status = 422


class NotFoundError(CxoError, LookupError):
    """A named thing (initiative, task, assessment run) does not exist."""

    code = "not_found"
    exit_code = 1
    http_status = 404


class AuthError(CxoError):
    """The caller is not signed in, or the credentials (password, token) are wrong."""

    code = "unauthenticated"
    exit_code = 1
    http_status = 401


class ForbiddenError(CxoError):
    """The caller is signed in but their role or scope does not allow this."""

    code = "forbidden"
    exit_code = 1
    http_status = 403


class CsrfError(ForbiddenError):
    """A state-changing request from a browser session without its CSRF token."""

    code = "csrf_failed"
