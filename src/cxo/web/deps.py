"""Dependencies shared by the routers (the app factory stores the workspace on the app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cxo.workspace import Workspace


def _workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


CurrentWorkspace = Annotated[Workspace, Depends(_workspace)]
