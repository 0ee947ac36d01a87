"""The stable API of PRODUCT.md, used from outside the package as a user would."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import cxo


@pytest.mark.parametrize("name", ["read", "simulate", "assess", "stats", "text", "diagnostics"])
def test_stable_names_exist(name: str) -> None:
    assert getattr(cxo, name) is not None


def test_callables_stay_callable_after_their_packages_are_imported() -> None:
    importlib.import_module("cxo.simulate")
    importlib.import_module("cxo.assess")
    assert callable(cxo.simulate)
    assert callable(cxo.assess)


def test_stats_nps_signature_and_fields() -> None:
    est = cxo.stats.nps([10, 9, 8, 7, 6, 0], level=0.95)
    assert est.n == 6
    assert est.value == pytest.approx(0.0)
    assert est.ci_low < est.value < est.ci_high
    diff = cxo.stats.nps_difference([10] * 20 + [0] * 5, [10] * 5 + [0] * 20)
    assert diff.p_value < 0.05


def test_simulate_then_assess_on_a_workspace(tmp_path: Path) -> None:
    from cxo.demo import IMPORT_ORDER
    from cxo.ingest.api import import_file
    from cxo.workspace import Workspace

    company = cxo.simulate("software", 3000, 7, out=tmp_path / "sim")
    assert company.truth["company_type"] == "software"
    ws = Workspace.create(tmp_path / "ws", "software")
    for table in IMPORT_ORDER:
        batch = import_file(ws, table, tmp_path / "sim" / f"{table}.parquet")
        assert batch.read == batch.imported + batch.quarantined
    result = cxo.assess(ws)
    assert result.to_dict()["pains"] is not None
