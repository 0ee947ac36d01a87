"""``cxo report``: exit codes (0 written, 2 bad usage, 1 no browser for --pdf) and the files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.workspace import Workspace

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charts"


def _ws(tmp_path: Path) -> Workspace:
    """An English workspace with one saved assessment (the chart fixture)."""
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    assessment = json.loads((FIXTURES / "assess.json").read_text("utf-8"))
    (ws.reports_dir / "assessment-1.json").write_text(json.dumps(assessment), "utf-8")
    return ws


def test_writes_the_html_in_the_language_asked(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = tmp_path / "board.html"
    result = runner.invoke(
        app, ["report", "-w", str(ws.root), "--language", "de", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert html.startswith("<!doctype html>")
    assert '<html lang="de">' in html
    assert "<svg" in html
    assert "Vorstandsbericht geschrieben" in result.output


def test_default_path_is_the_report_the_app_serves(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    result = runner.invoke(app, ["report", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert '<html lang="en">' in (ws.reports_dir / "report.html").read_text("utf-8")


def test_a_bad_language_exits_2(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    result = runner.invoke(app, ["report", "-w", str(ws.root), "--language", "fr"])
    assert result.exit_code == 2
    assert "fr" in result.output
    assert not (ws.reports_dir / "report.html").exists()


def test_pdf_out_must_name_a_pdf(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = tmp_path / "board.html"
    result = runner.invoke(app, ["report", "-w", str(ws.root), "--pdf", "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_no_browser_exits_1_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _ws(tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = runner.invoke(app, ["report", "-w", str(ws.root), "--pdf"])
    assert result.exit_code == 1
    assert "apt-get install chromium" in result.output
    assert not (ws.reports_dir / "report.html").exists()


@pytest.mark.slow
def test_no_browser_on_path_in_a_real_process(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    done = subprocess.run(
        [sys.executable, "-c", "from cxo.cli.main import main; main()", "report", "--pdf",
         "-w", str(ws.root)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "chromium" in done.stderr
    assert "apt-get install chromium" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_pdf_is_written_with_its_html(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    out = tmp_path / "out" / "board.pdf"
    result = runner.invoke(app, ["report", "-w", str(ws.root), "--pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert out.with_suffix(".html").exists()
    assert "PDF written" in result.output
