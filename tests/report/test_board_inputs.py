"""The board report reuses the scorecard and diagnostics saved for the current data and
computes them afresh when the data (or the charter) changed, or the saved file is broken."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import cxo.diagnostics
import cxo.engine
from cxo.ingest.api import import_file
from cxo.report import board_inputs
from cxo.report.board import gather, render_board
from cxo.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charts"


def _responses(path: Path, start: int, rows: int, nps: int) -> Path:
    lines = ["response_id,survey,responded_at,touchpoint,nps,comment"]
    lines += [
        f"r{i},relationship,2026-{1 + i % 9:02d}-1{i % 9},{('portal', 'hotline')[i % 2]},{nps},ok"
        for i in range(start, start + rows)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


class Calls:
    """Counts the calls of a function and runs the real one."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.n = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.n += 1
        return self.real(*args, **kwargs)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.create(tmp_path / "ws", "service", language="en")
    import_file(workspace, "responses", _responses(tmp_path / "a.csv", 0, 40, 9))
    return workspace


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, Calls]:
    found = {
        "scorecard": Calls(cxo.engine.scorecard),
        "diagnose_all": Calls(cxo.diagnostics.diagnose_all),
    }
    monkeypatch.setattr(cxo.engine, "scorecard", found["scorecard"])
    monkeypatch.setattr(cxo.diagnostics, "diagnose_all", found["diagnose_all"])
    return found


def _details(html: str) -> str:
    """The report without its header (which says when and from which run it was made)."""
    return html[html.index('<section class="summary"') :]


def _prov(data: Any) -> board_inputs.Provenance:
    assert isinstance(data.provenance, board_inputs.Provenance)
    return data.provenance


def _n(data: Any) -> int:
    return int(data.scorecard.to_dict()["total"]["n"])


def test_a_fresh_saved_run_is_reused(ws: Workspace, calls: dict[str, Calls]) -> None:
    first = gather(ws)
    assert (_prov(first).reused, _prov(first).saved) == (False, True)
    assert board_inputs.path_of(ws).exists()
    assert (calls["scorecard"].n, calls["diagnose_all"].n) == (1, 1)

    second = gather(ws)
    assert _prov(second).reused
    assert (calls["scorecard"].n, calls["diagnose_all"].n) == (1, 1)  # nothing computed
    assert isinstance(second.scorecard, board_inputs.Saved)
    assert _n(second) == _n(first) == 40
    # the same gaps (no diagnostic has its data here), naming the same commands
    assert [m.to_dict() for m in second.missing] == [m.to_dict() for m in first.missing]
    computed, reused = render_board(first), render_board(second)
    assert _details(reused) == _details(computed)
    said = re.search(r'<p class="meta" id="provenance">([^<]*)</p>', reused)
    assert said, reused[:3000]
    assert "reused from the run saved" in said.group(1)
    assert "by cxo report" in said.group(1)
    assert "computed now and saved" in computed


def test_new_data_make_the_saved_run_stale(
    ws: Workspace, calls: dict[str, Calls], tmp_path: Path
) -> None:
    gather(ws)
    import_file(ws, "responses", _responses(tmp_path / "b.csv", 40, 10, 0))
    again = gather(ws)
    assert not _prov(again).reused
    assert calls["scorecard"].n == 2
    assert calls["diagnose_all"].n == 2
    assert _n(again) == 50  # the new rows are in
    assert _prov(gather(ws)).reused  # and saved again


@pytest.mark.slow
def test_a_charter_change_or_a_broken_file_recomputes(
    ws: Workspace, calls: dict[str, Calls]
) -> None:
    gather(ws)
    ws.charter_path.write_text(ws.charter_path.read_text("utf-8") + "\n# edited\n", "utf-8")
    assert not _prov(gather(ws)).reused
    board_inputs.path_of(ws).write_text("{not json", "utf-8")
    assert not _prov(gather(ws)).reused
    doc = json.loads(board_inputs.path_of(ws).read_text("utf-8"))
    doc["scorecard"]["html"].pop("de")
    board_inputs.path_of(ws).write_text(json.dumps(doc), "utf-8")
    assert not _prov(gather(ws)).reused
    assert calls["scorecard"].n == 4


def test_recompute_on_request_and_the_demo_path_save_nothing(
    ws: Workspace, calls: dict[str, Calls]
) -> None:
    gather(ws)
    forced = gather(ws, reuse=False)
    assert not _prov(forced).reused
    assert calls["scorecard"].n == 2
    board_inputs.path_of(ws).unlink()
    known = cxo.diagnostics.diagnose_all(ws)
    given = gather(ws, diagnostics=known)  # the demo hands its own results in
    assert not _prov(given).saved
    assert not board_inputs.path_of(ws).exists()


def test_an_assessment_older_than_the_data_is_flagged(ws: Workspace, tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "assess.json").read_text("utf-8"))
    doc.update(number=1, as_of="2026-09-30", responses=40, customers=40)
    path = ws.reports_dir / "assessment-1.json"
    path.write_text(json.dumps(doc), "utf-8")
    assert not gather(ws).assessment_stale
    os.utime(path, (0, 0))  # written long before the import
    data = gather(ws)
    assert data.assessment_stale
    assert 'id="assessment-stale"' in render_board(data)
    assert "cxo assess" in render_board(data)


def test_diagnose_all_saves_the_run_the_report_then_reuses(
    ws: Workspace, calls: dict[str, Calls]
) -> None:
    from typer.testing import CliRunner

    from cxo.cli.main import app

    result = CliRunner().invoke(app, ["diagnose", "all", "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    assert board_inputs.path_of(ws).exists()
    computed = (calls["scorecard"].n, calls["diagnose_all"].n)
    assert computed == (1, 1)
    data = gather(ws)
    assert _prov(data).reused
    assert (calls["scorecard"].n, calls["diagnose_all"].n) == computed  # nothing recomputed
    assert "by cxo diagnose all" in render_board(data)
