"""Messages reach the terminal whole: Rich markup in user data is escaped, never interpreted."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from cxo.cli.common import echo, handle_errors, progress
from cxo.errors import InputError


@pytest.mark.parametrize(
    "message",
    ["cannot read /data/[draft]/a.csv", "column [/x] is odd", "[bold]not bold[/bold] [red"],
)
def test_error_messages_print_whole(message: str) -> None:
    app = typer.Typer()

    @app.command()
    @handle_errors
    def fail() -> None:
        raise InputError(message, hint=f"check {message}")

    result = CliRunner().invoke(app, [])
    assert result.exit_code == 2
    assert f"error: {message}" in result.output.replace("\n", "")
    assert f"hint: check {message}" in result.output.replace("\n", "")


def test_echo_and_progress_take_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    echo("/data/[draft]/a.csv [/x]")
    assert "/data/[draft]/a.csv [/x]" in capsys.readouterr().out
    with progress() as bar:
        task = bar.add_task("importing /data/[draft]/a.csv [/x]", total=1)
        bar.advance(task)
