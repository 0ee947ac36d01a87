from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app

runner = CliRunner()


def test_simulate_writes_files_and_json(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--type",
            "software",
            "--customers",
            "600",
            "--seed",
            "3",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["counts"]["customers"] == 600
    assert (out / "truth.json").is_file()
    assert (out / "charter.yaml").is_file()
    assert json.loads((out / "truth.json").read_text("utf-8"))["company_type"] == "software"


def test_simulate_rejects_unknown_type(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--type", "bakery", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "software, service, retail" in result.output


def test_api_rejects_unknown_setting() -> None:
    import pytest

    import cxo
    from cxo.errors import UsageError

    with pytest.raises(UsageError, match="no_such_knob"):
        cxo.simulate("service", 10, 1, no_such_knob=3)


def test_cxo_simulate_stays_callable_after_importing_the_subpackage() -> None:
    import cxo
    import cxo.simulate.chunk  # binds the package to the attribute cxo.simulate

    sim = cxo.simulate("retail", 50, 1)
    assert sim.truth["customers"] == 50
    assert sim.tables["customers"].num_rows == 50
