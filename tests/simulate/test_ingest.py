"""The simulated files import through ``cxo.ingest`` with nothing quarantined."""

from __future__ import annotations

from pathlib import Path

from cxo.demo import IMPORT_ORDER
from cxo.ingest.api import import_file
from cxo.simulate import simulate
from cxo.workspace import Workspace


def test_every_table_imports_without_quarantine(tmp_path: Path) -> None:
    sim = simulate("retail", 1_500, 9, tmp_path / "sim")
    ws = Workspace.create(tmp_path / "ws", "retail")
    for table in IMPORT_ORDER:
        batch = import_file(ws, table, sim.files[table]).to_dict()
        assert batch["quarantined"] == 0, (table, batch["examples"])
        assert batch["imported"] == sim.truth["counts"][table]
