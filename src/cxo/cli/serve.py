"""``cxo serve``: serve the web app and API for a workspace."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cxo.cli.common import WorkspaceOption, console, handle_errors, workspace
from cxo.errors import UsageError

WORKSPACE_ENV = "CXO_SERVE_WORKSPACE"
"""How ``--workers N`` tells each worker process its workspace."""
MAX_WORKERS = 32


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
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes (each keeps its own page cache and warms it). Sessions, "
            "CSRF tokens and sign-in throttling are shared between them; the progress page of "
            "an upload is kept by the process that took the upload, so keep 1 when people "
            "import through the browser.",
            min=1,
            max=MAX_WORKERS,
        ),
    ] = 1,
) -> None:
    """Serve the report and the JSON API (OpenAPI at /docs)."""
    run_server(workspace(workspace_dir), host, port, workers=workers)


def run_server(ws: object, host: str, port: int, *, workers: int = 1) -> None:
    """Run uvicorn until interrupted; the pages are rendered in advance (and again after every
    change of the data) so the first reader does not wait."""
    import uvicorn

    from cxo.web.app import create_app
    from cxo.web.secret import secret_key
    from cxo.workspace import Workspace

    assert isinstance(ws, Workspace)
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers {workers}: choose 1 to {MAX_WORKERS}")
    secret_key(ws)  # created once here, before several processes would race for it
    console.print(f"serving [bold]{ws.root}[/] at [link]http://{host}:{port}/[/] (Ctrl+C stops)")
    if workers == 1:
        uvicorn.run(create_app(ws, warm=True), host=host, port=port, log_level="warning")
        return
    os.environ[WORKSPACE_ENV] = str(ws.root)
    uvicorn.run(
        "cxo.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
