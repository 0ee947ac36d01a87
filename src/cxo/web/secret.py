"""The key that signs session cookies: ``CXO_SECRET_KEY``, else one per workspace.

The per-workspace key is generated once into ``data/secret.key`` (mode 0600, created
atomically so two servers starting together agree on one key). There is no built-in default:
a key anyone could read would let anyone forge a session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from cxo.errors import WorkspaceError
from cxo.workspace import Workspace

SECRET_FILE = "secret.key"
MIN_SECRET_LENGTH = 32
_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def secret_key(ws: Workspace) -> str:
    """The session-signing key of ``ws`` (generated on first use when not configured)."""
    configured = ws.settings.secret_key
    if configured is not None:
        if len(configured) < MIN_SECRET_LENGTH:
            raise WorkspaceError(
                f"CXO_SECRET_KEY is too short (at least {MIN_SECRET_LENGTH} characters)",
                hint=f"make one with {_MAKE_ONE}",
            )
        return configured
    path = ws.data_dir / SECRET_FILE
    if not path.exists():
        _create(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise WorkspaceError(
            f"{path} can be read by other users of this machine",
            hint=f"chmod 600 {path}",
        )
    key = path.read_text("utf-8").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise WorkspaceError(
            f"{path} holds no usable key (at least {MIN_SECRET_LENGTH} characters)",
            hint="delete it to have cxo generate a new one (everyone signs in again)",
        )
    return key


def _create(path: Path) -> None:
    """Write a new random key to ``path`` with mode 0600, unless another process won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
