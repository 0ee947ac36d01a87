"""``cxo simulate``: write a synthetic company with planted ground truth to a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cxo.cli.common import JsonOption, console, handle_errors, print_json, progress
from cxo.core.charter import COMPANY_TYPES
from cxo.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""
    app.command("simulate")(simulate)


@handle_errors
def simulate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("simulated"),
    company_type: Annotated[
        str, typer.Option("--type", "-t", help="Company type: software, service or retail.")
    ] = "service",
    customers: Annotated[int, typer.Option("--customers", "-n", help="Number of customers.")] = (
        20_000
    ),
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 1,
    responses_per_customer: Annotated[
        float | None,
        typer.Option(help="Survey responses per customer over the 36-month window."),
    ] = None,
    no_effects: Annotated[
        bool, typer.Option("--no-effects", help="Plant every effect as zero (null company).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Simulate all eight tables plus truth.json and charter.yaml (see docs/simulator.md)."""
    from cxo.simulate import simulate as run

    if company_type not in COMPANY_TYPES:
        raise UsageError(f"--type must be one of {', '.join(COMPANY_TYPES)}, not {company_type!r}")
    if customers < 1:
        raise UsageError("--customers must be at least 1")
    overrides: dict[str, Any] = {}
    if responses_per_customer is not None:
        overrides["responses_per_customer"] = responses_per_customer
    if no_effects:
        overrides["no_effects"] = True
    if as_json:
        sim = run(company_type, customers, seed, out, **overrides)
        print_json(sim.to_dict())
        return
    with progress() as bar:
        task = bar.add_task(f"simulating {company_type}", total=customers)
        sim = run(
            company_type,
            customers,
            seed,
            out,
            progress=lambda done, _total: bar.update(task, completed=done),
            **overrides,
        )
    console.print(f"[green]✓[/] simulated company written to [bold]{out}[/]")
    counts = sim.truth["counts"]
    width = max(len(str(path)) for path in sim.files.values())
    for name, path in sim.files.items():
        rows = f"{counts[name]:>12,} rows" if name in counts else ""
        console.print(f"  {path!s:<{width}}  {rows}", highlight=False)
    console.print(
        f"next: [bold]cxo init ws --type {company_type}[/] then "
        f"[bold]cxo import TABLE {out}/TABLE.parquet[/]"
    )
