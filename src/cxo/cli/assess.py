"""``cxo assess``: the Standortbestimmung (pains in money with owners, drivers, trend, focus)."""

from __future__ import annotations

from typing import Annotated

import typer

from cxo.cli.common import (
    EngineOption,
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    print_json,
    workspace,
)


def register(app: typer.Typer) -> None:
    """Add ``assess`` to ``app``."""
    app.command("assess")(assess_command)


@handle_errors
def assess_command(
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    boot: Annotated[
        int, typer.Option("--boot", help="Bootstrap resamples for the driver intervals.")
    ] = 200,
    top: Annotated[int, typer.Option("--top", help="Pains shown in the text summary.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of bootstraps and simulations.")] = 0,
    engine: EngineOption = None,
) -> None:
    """Where it hurts, who owns it, what it costs; writes reports/assessment-<n>.json/.html."""
    from cxo.assess import assess
    from cxo.report.assessment import summary, to_json, write_assessment

    ws = workspace(path)
    result = assess(ws, n_boot=boot, seed=seed, engine=engine)
    json_path, html_path = write_assessment(ws, result)
    if as_json:
        print_json(to_json(result))
    else:
        console.print(summary(result, top=top), highlight=False, soft_wrap=True, markup=False)
    err_console.print(f"written: {json_path} and {html_path}", highlight=False)
