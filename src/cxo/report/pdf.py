"""The board report as an A4 PDF, printed by headless Chromium.

Chromium prints the self-contained HTML page of :mod:`cxo.report.board` (its ``@page`` and
``break-before`` rules put the summary alone on page one); the page requests nothing, and
the browser runs with background networking, component updates and sync switched off and
a throwaway profile, so printing works offline. Debian's ``chromium`` package provides the
browser (``apt-get install chromium``); without it :class:`BrowserMissingError` says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cxo.errors import CxoError

if TYPE_CHECKING:
    from cxo.workspace import Workspace

__all__ = ["BROWSERS", "BrowserMissingError", "PdfError", "board_pdf", "find_browser", "print_pdf"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
"""Browser executables looked for on ``PATH``, in this order."""
TIMEOUT_SECONDS = 180
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)


class BrowserMissingError(CxoError):
    """No Chromium (or Chrome) to print the PDF with."""

    code = "browser_missing"
    exit_code = 1
    http_status = 503


class PdfError(CxoError):
    """The browser ran but did not write a PDF."""

    code = "pdf_failed"
    exit_code = 1
    http_status = 500


def find_browser() -> str:
    """The path of the first of :data:`BROWSERS` on ``PATH``."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissingError(
        "no Chromium to print the PDF with (looked for " + ", ".join(BROWSERS) + " on PATH)",
        hint="install Debian's chromium: `sudo apt-get install chromium` "
        "(or write the HTML report without --pdf)",
    )


def print_pdf(html: Path, out: Path, *, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print the HTML file ``html`` to the PDF ``out`` with headless Chromium."""
    browser = find_browser()
    out.parent.mkdir(parents=True, exist_ok=True)
    target = out.resolve()
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="cxo-chromium-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={target}",
            html.resolve().as_uri(),
        ]
        env = {**os.environ, "HOME": profile}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"{browser} did not print the PDF within {timeout:.0f} s") from None
        except OSError as exc:
            raise PdfError(f"{browser} could not be started: {exc}") from None
    if not target.exists() or target.stat().st_size == 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PdfError(
            f"{browser} exited with {done.returncode} and wrote no PDF",
            hint=" / ".join(detail) or None,
        )
    return out


def board_pdf(ws: Workspace, language: str | None = None) -> bytes:
    """The board report of ``ws`` as PDF bytes (for a download from the app)."""
    from cxo.report.board import board_report

    find_browser()  # before the report's minutes of work, not after
    html = board_report(ws, language)
    with tempfile.TemporaryDirectory(prefix="cxo-board-") as tmp:
        page = Path(tmp) / "board-report.html"
        page.write_text(html, "utf-8")
        return print_pdf(page, Path(tmp) / "board-report.pdf").read_bytes()
