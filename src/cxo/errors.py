"""Typed errors of the core; the CLI and the API translate them at the edges.

Every error carries a stable ``code`` (used in the API's JSON error shape) and an
``exit_code`` (used by the CLI). Messages name the file, line and field wherever the
cause is in user data.
"""

from __future__ import annotations


class CxoError(Exception):
    """Base class of every error cxo raises on purpose."""

    code = "cxo_error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, str | None]:
        """The one JSON error shape shared by the CLI's ``--json`` and the REST API."""
        return {"error": self.code, "message": self.message, "hint": self.hint}


class UsageError(CxoError):
    """The caller asked for something malformed (bad option, unknown table)."""

    code = "usage_error"
    exit_code = 2


class WorkspaceError(CxoError):
    """The workspace is missing, incomplete or not initialised."""

    code = "workspace_error"
    exit_code = 2


class CharterError(CxoError):
    """The charter YAML is invalid; the message names line and field."""

    code = "charter_error"
    exit_code = 1


class InputError(CxoError):
    """An input file cannot be read at all (missing, unreadable, unknown format)."""

    code = "input_error"
    exit_code = 2


class RejectedShareExceeded(CxoError):
    """More rows were rejected than ``--max-rejected`` allows; nothing was imported."""

    code = "too_many_rejected"
    exit_code = 1


class MissingDataError(CxoError):
    """An analysis needs a table or column that the workspace does not hold."""

    code = "missing_data"
    exit_code = 1


class InsufficientDataError(CxoError):
    """There is data, but too little for a meaningful estimate."""

    code = "insufficient_data"
    exit_code = 1
