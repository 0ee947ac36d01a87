"""The signed-in user's own page (the data pages are in :mod:`cxo.web.routes.views`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cxo.web.access import Scope
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, csrf_token
from cxo.web.pages import render, texts
from cxo.web.routes.views import sign_in

router = APIRouter(tags=["pages"])


@router.get("/me", include_in_schema=False)
def me_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """Who is signed in, their role and the touchpoints they see."""
    if who.user is None:
        return sign_in(request)
    return render(
        ws,
        "me.html",
        request=request,
        title=texts(ws, request)["signed_in_as"],
        user=who.user,
        scope=Scope.of(ws, who.user).to_dict(),
        csrf=csrf_token(request) if who.via == "session" else None,
    )
