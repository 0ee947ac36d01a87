"""``cxo report``: the board report, as one self-contained HTML file and as a PDF."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import WorkspaceOption, echo, handle_errors, workspace
from cxo.errors import UsageError

REPORT_NAME = "report"
"""``reports/report.html`` (and ``.pdf``): the app serves the HTML at ``/``."""


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_command)


@handle_errors
def report_command(
    path: WorkspaceOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write: the HTML (default reports/report.html), or with --pdf the "
            "PDF (default reports/report.pdf; the HTML is written beside it).",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print an A4 PDF with headless Chromium.")
    ] = False,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help="de or en (default: the workspace language).",
            show_default=False,
        ),
    ] = None,
    recompute: Annotated[
        bool,
        typer.Option(
            "--recompute",
            help="Compute the scorecard and the diagnostics now even when the saved run "
            "(reports/board-inputs.json) matches the data.",
        ),
    ] = False,
) -> None:
    """The board report: summary page first (trend, top pains in money with owners, what is
    being done, what was proven, follow-up SLA), details after; offline HTML, optional PDF.
    The scorecard and diagnostics of the last report are reused while the data are unchanged
    (the report says which run it used)."""
    from cxo.report.board import gather, language_of, render_board
    from cxo.report.messages import message
    from cxo.report.pdf import find_browser, print_pdf

    ws = workspace(path)
    lang = language_of(ws, language)
    if pdf:
        find_browser()  # fail before the work, not after it
    suffix = ".pdf" if pdf else ".html"
    if pdf and out is not None and out.suffix.lower() != ".pdf":
        raise UsageError(f"--out {out}: with --pdf it names the PDF", hint="end it in .pdf")
    target = out if out is not None else ws.reports_dir / f"{REPORT_NAME}{suffix}"
    html_path = target.with_suffix(".html") if pdf else target
    data = gather(ws, lang, reuse=not recompute)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_board(data), "utf-8")
    echo(message("board.cli.written", lang, path=str(html_path)), err=True)
    if data.provenance is not None:
        echo(data.provenance.text(lang), err=True)
    if pdf:
        started = time.perf_counter()
        print_pdf(html_path, target)
        seconds = time.perf_counter() - started
        echo(message("board.cli.pdf_written", lang, path=str(target), seconds=seconds), err=True)
