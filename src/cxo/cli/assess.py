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
    progress,
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
    from cxo.assess import STEPS, assess
    from cxo.report.assessment import summary, to_json, write_assessment

    ws = workspace(path)
    with progress() as bar:
        task = bar.add_task("assess", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, completed=STEPS.index(name), description=f"assess: {name}")

        result = assess(ws, n_boot=boot, seed=seed, engine=engine, on_step=step)
        bar.update(task, completed=len(STEPS), description="assess")
    json_path, html_path = write_assessment(ws, result)
    if as_json:
        print_json(to_json(result))
    else:
        console.print(summary(result, top=top), highlight=False, soft_wrap=True, markup=False)
    err_console.print(f"written: {json_path} and {html_path}", highlight=False)
