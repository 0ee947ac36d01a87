"""The charter editor: the YAML in a textarea, validated on save, versioned, with a diff view.

Saving does what ``cxo charter save`` does after an edit: the text is validated
(:func:`cxo.core.charter.parse_charter`, errors name line and field), written to the
workspace's ``charter.yaml`` and stored as a new version in the operational store with the
author and a message (by default the changes :func:`cxo.core.charter.diff_charters` finds).
The history compares any two versions line by line (:mod:`difflib`; the page escapes every
line). Only the CX lead and admins open or change it.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cxo.core.charter import check_charter, diff_charters, parse_charter
from cxo.errors import CharterError, NotFoundError
from cxo.followups import reroute, reroute_of_version
from cxo.report.followups import reroute_lines
from cxo.store.db import charter_versions, record_charter_version
from cxo.web.deps import CurrentIdentity, CurrentWorkspace
from cxo.web.routes.manage_common import (
    Lead,
    language,
    page,
    require_lead,
    see_other,
    sign_in,
    words,
)
from cxo.workspace import Workspace

router = APIRouter(prefix="/charter", include_in_schema=False)

MAX_CHARTER = 1_000_000
"""Longest charter text accepted, in characters."""
BASELINE_AUTHOR = "cxo"


@router.get("")
def editor(
    request: Request, ws: CurrentWorkspace, who: CurrentIdentity, saved: int | None = None
) -> Response:
    """The editor with the current charter, its accountability check and the history."""
    if who.user is None:
        return sign_in(request)
    require_lead(who.user)
    text = ws.charter_path.read_text("utf-8") if ws.charter_path.exists() else ""
    return _editor(request, ws, who, text, errors=[], saved=saved)


@router.post("")
def save(
    request: Request,
    ws: CurrentWorkspace,
    who: CurrentIdentity,
    user: Lead,
    text: Annotated[str, Form(max_length=MAX_CHARTER)],
    message: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Validate and save the charter as a new version; the editor with the errors (422)."""
    content = text.replace("\r\n", "\n")
    try:
        new = parse_charter(content, source="charter.yaml")
    except CharterError as exc:
        return _editor(request, ws, who, content, errors=_lines(exc.message), status=422)
    url = ws.app_database_url
    versions = charter_versions(url)
    previous = ws.charter_path.read_text("utf-8") if ws.charter_path.exists() else None
    if not versions and previous is not None and previous != content:
        m = words(request, ws)
        record_charter_version(url, previous, author=BASELINE_AUTHOR, message=m("charter.baseline"))
        versions = charter_versions(url)
    changes: list[str] = []
    if versions:
        try:
            changes = diff_charters(parse_charter(versions[-1].content), new)
        except CharterError:
            changes = ["previous version was invalid"]
    _write(ws.charter_path, content)
    vid = record_charter_version(
        url, content, author=user.name, message=(message.strip() or "; ".join(changes))[:500]
    )
    reroute(ws, new, by=user.name, charter_version=vid)  # the editor then says what moved
    return see_other(f"/charter?saved={vid}")


@router.get("/diff")
def diff(
    request: Request,
    ws: CurrentWorkspace,
    who: CurrentIdentity,
    a: int | None = None,
    b: int | None = None,
) -> Response:
    """Two versions as a unified diff (every line escaped by the page)."""
    if who.user is None:
        return sign_in(request)
    require_lead(who.user)
    if a is None or b is None:
        return see_other("/charter")
    versions = {v.id: v for v in charter_versions(ws.app_database_url)}
    for vid in (a, b):
        if vid not in versions:
            raise NotFoundError(f"no charter version {vid}", hint="see the history at /charter")
    old, new = versions[a], versions[b]
    m = words(request, ws)
    lines = difflib.unified_diff(
        old.content.splitlines(),
        new.content.splitlines(),
        fromfile=m("charter.version", id=a),
        tofile=m("charter.version", id=b),
        lineterm="",
    )
    return page(
        request,
        ws,
        who,
        "charter_diff.html",
        title=m("charter.diff_title", a=a, b=b),
        lines=[(_kind(line), line) for line in lines],
        a=a,
        b=b,
        ids=sorted(versions),
    )


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "hunk"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "ctx"


def _lines(message: str) -> list[str]:
    """The error message of :func:`parse_charter`, one problem per line."""
    parts = [p.strip() for p in message.split("\n")]
    return [p for p in parts if p and p != "invalid charter:"] or [message]


def _write(path: Path, content: str) -> None:
    """Replace ``path`` with ``content`` in one step (a reader never sees half a file)."""
    fd, tmp = tempfile.mkstemp(prefix=".charter-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _history(ws: Workspace) -> list[dict[str, Any]]:
    """The saved versions, newest first, with what changed against the one before."""
    rows: list[dict[str, Any]] = []
    previous = None
    prev_id: int | None = None
    for v in charter_versions(ws.app_database_url):
        try:
            current = parse_charter(v.content)
            changes: list[str] = diff_charters(previous, current) if previous is not None else []
            previous = current
        except CharterError:
            changes = []
        rows.append(
            {
                "id": v.id,
                "at": v.created_at.strftime("%Y-%m-%d %H:%M"),
                "author": v.author,
                "message": v.message,
                "changes": changes,
                "previous": prev_id,
            }
        )
        prev_id = v.id
    return rows[::-1]


def _rerouted(request: Request, ws: Workspace, saved: int | None) -> list[str]:
    """What saving version ``saved`` moved: open follow-up tasks from whom to whom."""
    if saved is None:
        return []
    lang = language(request, ws)
    labels = {tp.key: tp.label(lang) for tp in ws.charter().touchpoints}
    return reroute_lines(reroute_of_version(ws, saved), lang, labels)


def _editor(
    request: Request,
    ws: Workspace,
    who: CurrentIdentity,
    text: str,
    *,
    errors: list[str],
    saved: int | None = None,
    status: int = 200,
) -> Response:
    m = words(request, ws)
    issues = []
    if not errors:
        try:
            issues = check_charter(parse_charter(text, source="charter.yaml"))
        except CharterError as exc:  # the file on disk is broken: show why
            errors = _lines(exc.message)
    history = _history(ws)
    return page(
        request,
        ws,
        who,
        "charter.html",
        status=status,
        title=m("charter.title"),
        text=text,
        errors=errors,
        issues=issues,
        saved=saved,
        rerouted=_rerouted(request, ws, saved),
        history=history,
        ids=[h["id"] for h in history],
    )


__all__ = ["router"]
