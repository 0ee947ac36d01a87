"""``cxo serve``: serve the web app and API for a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from cxo.cli.common import WorkspaceOption, console, handle_errors, workspace


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve)


@handle_errors
def serve(
    workspace_dir: WorkspaceOption = None,
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
) -> None:
    """Serve the report and the JSON API (OpenAPI at /docs)."""
    run_server(workspace(workspace_dir), host, port)


def run_server(ws: object, host: str, port: int) -> None:
    """Run uvicorn until interrupted."""
    import uvicorn

    from cxo.web.app import create_app
    from cxo.workspace import Workspace

    assert isinstance(ws, Workspace)
    console.print(f"serving [bold]{ws.root}[/] at [link]http://{host}:{port}/[/] (Ctrl+C stops)")
    uvicorn.run(create_app(ws), host=host, port=port, log_level="warning")
