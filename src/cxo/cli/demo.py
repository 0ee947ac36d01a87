"""``cxo demo``: the whole product on a simulated mid-size company."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxo.cli.common import echo, handle_errors, progress
from cxo.core.charter import COMPANY_TYPES
from cxo.errors import UsageError

if TYPE_CHECKING:
    from cxo.demo import DemoResult


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
    _print_outcome(result)
    if serve:
        from cxo.cli.serve import run_server
        from cxo.report.messages import message

        if result.login is not None:
            name, password = result.login
            lang = result.workspace.settings.language
            echo(message("demo.login", lang, port=str(port), name=name, password=password))

        run_server(result.workspace, "127.0.0.1", port)


def _print_outcome(result: DemoResult) -> None:
    """What the demo found, in the workspace language (user data printed as it is)."""
    from cxo.report import assessment, diagnostics, followups, initiatives, scorecard
    from cxo.report.messages import message

    ws = result.workspace
    lang, cur = ws.settings.language, ws.settings.currency
    width = max(len(rec["table"]) for rec in result.imports) if result.imports else 0
    for rec in result.imports:
        counts = {k: rec[k] for k in ("read", "imported", "quarantined")}
        echo(
            message(
                "demo.import_line",
                lang,
                table=rec["table"].ljust(width),
                reconciliation=message("ingest.reconciliation", lang, **counts),
            )
        )
    echo(scorecard.summary(result.scorecard, lang, cur))
    if result.assessment is not None:
        echo(assessment.summary(result.assessment, lang, cur))
    for diag in result.diagnostics.values():
        echo(diagnostics.summary(diag, lang, cur))
    for proof in result.proofs:
        echo(initiatives.proof_line(proof, lang, cur))
    if result.priorities is not None:
        for stop in result.priorities.stop:
            reason = initiatives.stop_reason(stop, lang)
            echo(message("demo.stop_candidate", lang, key=stop.initiative.key, reason=reason))
    if result.followups is not None:
        echo(followups.demo_line(result.followups, lang))
    for name, why in result.skipped.items():
        echo(message("demo.skipped", lang, name=name, why=why), err=True)
    echo("")
    echo(message("demo.report_written", lang, path=str(result.report_path)))
    echo(message("demo.next", lang))
    cxo = _cxo_command()
    for args in (
        "scorecard --by segment",
        "assess --json",
        "initiative rank",
        "followup list",
        "serve",
    ):
        echo(f"  {cxo} {args} --workspace {ws.root}")


def _cxo_command() -> str:
    """How to call cxo again: ``uv run cxo`` when started by ``uv run`` (cxo is then on the
    PATH of this process only), else ``cxo`` when it is on PATH."""
    import os
    import shutil

    if os.environ.get("UV_RUN_RECURSION_DEPTH") or not shutil.which("cxo"):
        return "uv run cxo"
    return "cxo"
