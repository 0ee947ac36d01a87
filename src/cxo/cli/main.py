"""The ``cxo`` command: a thin Typer layer over the core."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="cxo",
    help="cxo — own the customer experience: where it hurts, who owns it, what it costs, "
    "and whether the fix worked.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """cxo — own the customer experience with evidence."""


# Each module defines ``register(app)``; the order is the order of ``cxo --help``.
COMMAND_MODULES = (
    "init",
    "demo",
    "ingest",
    "simulate",
    "scorecard",
    "charter",
    "assess",
    "drivers",
    "diagnose",
    "initiative",
    "followup",
    "text",
    "user",
    "serve",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"cxo.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    app()
