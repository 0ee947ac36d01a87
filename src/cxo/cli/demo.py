"""``cxo demo``: the whole product on a simulated mid-size company."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape as esc

from cxo.cli.common import console, err_console, handle_errors, progress
from cxo.core.charter import COMPANY_TYPES
from cxo.engine.format import format_number
from cxo.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo)


@handle_errors
def demo(
    workspace_dir: Annotated[
        Path, typer.Option("--workspace", "-w", help="Directory of the demo workspace.")
    ] = Path("cxo-demo"),
    company_type: Annotated[str, typer.Option("--type", help="software, service or retail.")] = (
        "service"
    ),
    customers: Annotated[int, typer.Option(help="Number of simulated customers.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed of the simulation.")] = 1,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the app afterwards.")] = (
        True
    ),
    port: Annotated[int, typer.Option(help="Port of the app (127.0.0.1).")] = 8765,
) -> None:
    """Simulate a company, import it, print the scorecard, assess it, write the report, serve."""
    from cxo.demo import IMPORT_ORDER, run_demo

    if company_type not in COMPANY_TYPES:
        raise UsageError(f"--type must be one of {', '.join(COMPANY_TYPES)}")
    if customers < 500:
        raise UsageError("--customers must be at least 500 for a meaningful demo")
    steps = 9 + len(IMPORT_ORDER)
    with progress() as bar:
        task = bar.add_task("demo", total=steps)

        def step(message: str) -> None:
            bar.update(task, description=message, advance=1)

        result = run_demo(
            workspace_dir, company_type=company_type, customers=customers, seed=seed, step=step
        )
        bar.update(task, completed=steps, description="done")
    de = result.workspace.settings.language == "de"
    words = (
        ("gelesen", "importiert", "in Quarantäne") if de else ("read", "imported", "quarantined")
    )
    for rec in result.imports:
        read, imported, quarantined = (
            format_number(rec[k], 0, "de" if de else "en")
            for k in ("read", "imported", "quarantined")
        )
        console.print(
            f"  {rec['table']:<11} {words[0]} {read:>9} = {words[1]} {imported:>9}"
            f" + {words[2]} {quarantined:>6}"
        )
    console.print(result.scorecard.summary())
    if result.assessment is not None:
        console.print(result.assessment.summary())
    for name, diag in result.diagnostics.items():
        console.print(f"[bold]{name}[/]: {diag.summary()}")
    for proof in result.proofs:
        n = proof.effect.nps
        console.print(
            f"[bold]initiative {esc(proof.initiative.key)}[/]: NPS effect {n.estimate:+.1f} "
            f"[{n.ci_low:+.1f}, {n.ci_high:+.1f}] (expected "
            f"{proof.initiative.expected_nps_effect or 0:+.1f}); {proof.case.verdict}: "
            f"{esc(proof.case.reason)}",
            highlight=False,
        )
    if result.priorities is not None:
        for stop in result.priorities.stop:
            console.print(
                f"stop candidate: {esc(stop.initiative.key)} — {esc(stop.stop_reason or '')}",
                highlight=False,
            )
    if result.followups is not None:
        console.print(
            f"closed loop: {result.followups.created} follow-up tasks routed to their owners "
            f"(detractors and complaints since {result.followups.since})",
            highlight=False,
        )
    for name, why in result.skipped.items():
        err_console.print(f"[yellow]skipped {name}:[/] {why}")
    ws = result.workspace
    console.print()
    console.print(f"[green]✓[/] report written to [bold]{result.report_path}[/]")
    console.print("next:")
    console.print(f"  cxo scorecard --workspace {ws.root} --by segment")
    console.print(f"  cxo assess --workspace {ws.root} --json")
    console.print(f"  cxo initiative rank --workspace {ws.root}")
    console.print(f"  cxo followup list --workspace {ws.root}")
    console.print(f"  cxo serve --workspace {ws.root}")
    if serve:
        from cxo.cli.serve import run_server

        run_server(ws, "127.0.0.1", port)
