from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app

runner = CliRunner()


def test_init_creates_workspace_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    result = runner.invoke(app, ["init", str(target), "--type", "retail"])
    assert result.exit_code == 0, result.output
    assert (target / "charter.yaml").is_file()
    again = runner.invoke(app, ["init", str(target), "--type", "retail"])
    assert again.exit_code == 2
    assert "already holds a cxo workspace" in again.output


def test_init_rejects_unknown_company_type_with_usage_exit_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--type", "bakery"])
    assert result.exit_code == 2
    assert "software, service, retail" in result.output
