"""The audit log for admins: the page ``/audit`` and ``GET /api/v1/audit``.

Only admins read it (the role is checked on the server, 403 for every other role); entries
are user content (actors, entity names) and are escaped by the templates' autoescape.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from cxo.errors import ForbiddenError
from cxo.store.audit import entries
from cxo.web.deps import Admin, CurrentIdentity, CurrentWorkspace, csrf_token, reader
from cxo.web.pages import render
from cxo.web.routes.views import sign_in

router = APIRouter(tags=["audit"])
api_router = APIRouter(tags=["audit"], dependencies=[Depends(reader)])

PAGE_LIMIT = 500


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The newest entries of the audit log (admins only)."""
    if who.user is None:
        return sign_in(request)
    if who.user.role != "admin":
        raise ForbiddenError("only admins read the audit log")
    from cxo.report.messages import message
    from cxo.web.pages import language

    found = entries(ws.app_database_url, limit=PAGE_LIMIT)
    return render(
        ws,
        "audit.html",
        request=request,
        title=message("audit.web.title", language(ws, request)),
        user=who.user,
        csrf=csrf_token(request) if who.via == "session" else None,
        entries=[_shown(e.to_dict()) for e in found],
    )


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` with its states as JSON text (escaped by the template, not by ``tojson``)."""
    for key in ("before", "after"):
        value = entry[key]
        entry[f"{key}_json"] = (
            None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
        )
    return entry


@api_router.get("/audit")
def audit_api(
    ws: CurrentWorkspace,
    _: Admin,
    action: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    entity: Annotated[str | None, Query(max_length=200)] = None,
    since: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:
    """Audit-log entries, newest first (admins only); ``action`` and ``entity`` match a
    prefix."""
    found = entries(
        ws.app_database_url,
        action=action,
        actor_name=actor,
        entity=entity,
        since=dt.datetime.combine(since, dt.time()) if since else None,
        limit=limit,
    )
    return [e.to_dict() for e in found]
