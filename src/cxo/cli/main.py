"""The ``cxo`` command: a thin Typer layer over the core."""

from __future__ import annotations

import typer

from cxo.cli.lazy import LazyGroup, install

app = typer.Typer(
    name="cxo",
    help="cxo — own the customer experience: where it hurts, who owns it, what it costs, "
    "and whether the fix worked.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    """cxo — own the customer experience with evidence."""


# Each module defines ``register(app)``; the order is the order of ``cxo --help``.
COMMAND_MODULES = (
    "init",
    "demo",
    "ingest",
    "map",
    "simulate",
    "scorecard",
    "charter",
    "assess",
    "drivers",
    "diagnose",
    "initiative",
    "followup",
    "report",
    "publish",
    "text",
    "user",
    "audit",
    "privacy",
    "backup",
    "serve",
)

install(app, COMMAND_MODULES)  # imported when one of their commands runs (cxo.cli.lazy)


def main() -> None:
    """Console-script entry point."""
    app()
