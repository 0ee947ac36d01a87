"""Every column of every diagnostic table has a heading in both languages (no `tenure_band`
in a board report), and the rendered sections use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cxo
from cxo import diagnostics
from cxo.errors import CxoError
from cxo.report import diagnostics as render
from cxo.report.messages import LANGUAGES, catalogue, column_label
from cxo.workspace import Workspace

pytestmark = pytest.mark.slow


def _workspace(tmp: Path, kind: str) -> Workspace:
    sim = cxo.simulate(kind, 2_000, seed=3)
    ws = Workspace.create(tmp / kind, kind)
    with ws.connect() as con:
        for name, tbl in sim.tables.items():
            con.register("_sim", tbl)
            cols = ", ".join(f'"{c}"' for c in tbl.column_names)
            con.execute(f'insert into "{name}" ({cols}) select {cols} from _sim')
            con.unregister("_sim")
    return ws


def test_every_diagnostic_column_has_a_heading(tmp_path: Path) -> None:
    seen: set[str] = set()
    sections: list[str] = []
    for kind in ("service", "software", "retail"):
        ws = _workspace(tmp_path, kind)
        for name in diagnostics.NAMES:
            try:
                result = diagnostics.diagnose(ws, name)
            except CxoError:
                continue  # this company type lacks the data (the diagnostic says so)
            for table in result.tables:
                seen.update(table.columns)
            sections += [render.section(result, lang) for lang in LANGUAGES]
    assert len(seen) > 30, seen  # the diagnostics ran and produced their tables
    for lang in LANGUAGES:
        missing = sorted(c for c in seen if f"column.{c}" not in catalogue(lang))
        assert not missing, f"{lang}: no heading for {missing}"
    headings = {h for s in sections for h in re.findall(r"<th>([^<]*)</th>", s)}
    assert not [h for h in headings if "_" in h], headings


def test_a_heading_in_each_language() -> None:
    assert column_label("tenure_band", "de") == "Kundendauer"
    assert column_label("tenure_band", "en") == "Tenure"
    assert column_label("some_new_column", "de") == "some new column"
