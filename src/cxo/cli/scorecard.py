"""``cxo scorecard``: NPS, CSAT, CES and churn with intervals, KPI status and change tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxo.cli.common import (
    EngineOption,
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    option_date,
    print_json,
    workspace,
    write_csv,
)

if TYPE_CHECKING:
    from cxo.engine import Scorecard


def register(app: typer.Typer) -> None:
    """Add ``scorecard`` to ``app``."""
    app.command("scorecard")(scorecard)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


@handle_errors
def scorecard(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="Group by touchpoint, segment, channel, month or quarter "
            "(repeat or comma-separate; default touchpoint).",
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD), inclusive.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), inclusive.")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Shorthand window: YYYY, YYYY-Qn or YYYY-MM.")
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help="Difference tests: previous (last period vs the one before) and/or segments.",
        ),
    ] = None,
    level: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    alpha: Annotated[
        float, typer.Option(help="False-discovery rate for flagging differences.")
    ] = 0.05,
    csv_path: Annotated[
        str | None, typer.Option("--csv", help="Write the rows as CSV to FILE ('-' for stdout).")
    ] = None,
    json_out: JsonOption = False,
    workspace_dir: WorkspaceOption = None,
    engine: EngineOption = None,
) -> None:
    """The scorecard per touchpoint, segment, channel or period, with the charter's targets."""
    from cxo.engine import scorecard as compute

    ws = workspace(workspace_dir)
    result = compute(
        ws,
        by=_split(by) or ["touchpoint"],
        date_from=option_date(date_from, "--from"),
        date_to=option_date(date_to, "--to"),
        period=period,
        compare=_split(compare),
        level=level,
        alpha=alpha,
        engine=engine,
    )
    if csv_path is not None:
        _write_csv(result, csv_path)
        if csv_path == "-":
            return
    if json_out:
        from cxo.report.scorecard import to_json

        print_json(to_json(result))
        return
    _print(result)
    if csv_path is not None:
        console.print(f"CSV: {csv_path}")


def _write_csv(result: Scorecard, target: str) -> None:
    """The scorecard as CSV (text cells neutralised against spreadsheet formulas)."""
    records = result.to_records()
    fields: list[str] = list(records[0]) if records else list(result.by)
    write_csv(records, fields, target)


def _print(result: Scorecard) -> None:
    from cxo.report import format as fmt
    from cxo.report import scorecard as render
    from cxo.report.messages import message

    lang = result.language
    table = Table(title=message("scorecard.title", lang), caption=render.caption(result, lang))
    for d in result.by:
        table.add_column(render.dimension_label(d, lang))
    table.add_column(message("scorecard.n", lang), justify="right")
    for m in render.METRICS:
        table.add_column(render.metric_label(m, lang), justify="right")
    for row in result.rows:
        table.add_row(
            *[escape(row.labels[d]) for d in result.by],
            fmt.integer(row.n, lang),
            *[render.estimate_text(m, row.metric(m), lang) for m in render.METRICS],
        )
    total = result.total
    table.add_section()
    table.add_row(
        *([message("scorecard.total", lang)] + [""] * (len(result.by) - 1) if result.by else []),
        fmt.integer(total.n, lang),
        *[render.estimate_text(m, total.metric(m), lang) for m in render.METRICS],
        style="bold",
    )
    console.print(table)

    if result.kpis:
        styles = {"met": "green", "missed": "red", "no data": "yellow"}
        kpis = Table(title=message("scorecard.kpis", lang))
        for key in render.KPI_COLUMNS:
            kpis.add_column(render.kpi_column_label(key, lang))
        for k in result.kpis:
            *cells, status = render.kpi_cells(k, lang)
            kpis.add_row(*map(escape, cells), f"[{styles.get(k.status, 'dim')}]{status}[/]")
        console.print(kpis)

    if result.compare:
        significant = result.significant
        if not significant:
            console.print(message("scorecard.none_significant", lang))
        else:
            changes = Table(title=message("scorecard.changes", lang))
            for key in ("", "metric", "", "", "", ""):
                changes.add_column(render.kpi_column_label(key, lang) if key else "")
            for c in significant:
                changes.add_row(*map(escape, render.comparison_cells(c, lang)))
            console.print(changes)
    for note in render.notes(result, lang):
        console.print(f"[dim]{escape(note)}[/]")
