from pathlib import Path

import pytest

from cxo.core.contract import TABLES
from cxo.errors import WorkspaceError
from cxo.workspace import Workspace, resolve_workspace


@pytest.mark.parametrize("company_type", ["software", "service", "retail"])
def test_create_makes_charter_databases_and_settings(tmp_path: Path, company_type: str) -> None:
    ws = Workspace.create(tmp_path / "ws", company_type)
    assert ws.charter().company.type == company_type
    assert ws.settings.company_type == company_type
    assert ws.duckdb_path.is_file()
    assert (ws.data_dir / "app.db").is_file()
    assert set(TABLES) | {"import_batches", "quarantine"} <= ws.tables()


def test_directory_without_settings_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a cxo workspace"):
        Workspace(tmp_path)


def test_workspace_resolves_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Workspace.create(tmp_path / "envws", "retail")
    monkeypatch.setenv("CXO_WORKSPACE", str(tmp_path / "envws"))
    assert resolve_workspace().root == (tmp_path / "envws").resolve()


def test_existing_workspace_is_not_overwritten_without_force(tmp_path: Path) -> None:
    Workspace.create(tmp_path, "service")
    with pytest.raises(WorkspaceError, match="already"):
        Workspace.create(tmp_path, "service")
    assert Workspace.create(tmp_path, "software", force=True).charter().company.type == "software"
