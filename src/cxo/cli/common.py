"""Shared pieces of the CLI: options, error translation, JSON output, progress."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from cxo.errors import CxoError, UsageError
from cxo.workspace import Workspace, resolve_workspace

console = Console()
err_console = Console(stderr=True)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace directory (default: $CXO_WORKSPACE, else the current directory).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout.")]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="duckdb, or spark (over the lake `cxo publish` writes; needs cxo[spark]; an "
        "analysis not on Spark yet says so). Default: [analytics] engine in cxo.toml, else "
        "duckdb.",
        show_default=False,
    ),
]

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Translate :class:`CxoError` into a message on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CxoError as exc:
            err_console.print(
                f"[bold red]error:[/] {escape(exc.message)}",
                highlight=False,
                markup=True,
                soft_wrap=True,
            )
            if exc.hint:
                err_console.print(
                    f"[dim]hint: {escape(exc.hint)}[/]", highlight=False, soft_wrap=True
                )
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def echo(text: str, *, err: bool = False) -> None:
    """Print ``text`` exactly as it is: no Rich markup, so ``[draft]`` in a path prints whole."""
    (err_console if err else console).print(text, markup=False, highlight=False, soft_wrap=True)


def option_date(value: str | None, option: str) -> dt.date | None:
    """The ISO date given to ``option`` (``None`` when not given); ``UsageError`` otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date", hint="use YYYY-MM-DD") from None


def workspace(path: Path | None) -> Workspace:
    """Resolve the ``--workspace`` option."""
    return resolve_workspace(path)


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (dates and numpy scalars converted)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    sys.stdout.flush()


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet reads as a formula (OWASP CSV injection)."""


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; others as is.

    Every CSV/XLSX export of cxo writes its text cells through this (numbers stay numbers).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: Any) -> Any:
    """A pandas DataFrame with :func:`safe_cell` applied to its text columns (a copy)."""
    out = df.copy()
    for name in out.columns:
        if not _is_numeric_dtype(out[name]):
            out[name] = out[name].map(safe_cell)
    return out


def _is_numeric_dtype(column: Any) -> bool:
    kind = getattr(column.dtype, "kind", "O")
    return kind in "biufcmM"


def write_csv(records: list[dict[str, Any]], fields: list[str], target: str | Path) -> None:
    """Write ``records`` as CSV to ``target`` (``-`` for stdout), formulas neutralised."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in r.items()} for r in records)
    if str(target) == "-":
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    else:
        Path(target).write_text(buffer.getvalue(), "utf-8")


def progress() -> Progress:
    """A Rich progress bar for steps longer than a second (silent when not a terminal)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
