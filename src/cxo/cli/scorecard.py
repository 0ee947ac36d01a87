"""``cxo scorecard``: NPS, CSAT, CES and churn with intervals, KPI status and change tests."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    option_date,
    print_json,
    workspace,
)

if TYPE_CHECKING:
    from cxo.engine.scorecard import Scorecard


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
    )
    if csv_path is not None:
        _write_csv(result, csv_path)
        if csv_path == "-":
            return
    if json_out:
        print_json(result.to_dict())
        return
    _print(result)
    if csv_path is not None:
        console.print(f"CSV: {csv_path}")


def _write_csv(result: Scorecard, target: str) -> None:
    records = result.to_records()
    fields: list[str] = list(records[0]) if records else list(result.by)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    if target == "-":
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    else:
        Path(target).write_text(buffer.getvalue(), "utf-8")


def _print(result: Scorecard) -> None:
    from cxo.engine.format import format_number, format_percent
    from cxo.engine.scorecard import METRICS, format_estimate, format_metric, text

    lang = result.language
    caption = (
        f"{text('window', lang)} {result.window[0].isoformat()} – {result.window[1].isoformat()}; "
        + text("interval", lang).format(level=format_percent(result.level, 0, lang))
    )
    if result.churn_window is not None:
        caption += (
            f"; {text('churn', lang)} {result.churn_window[0].isoformat()} – "
            f"{result.churn_window[1].isoformat()}"
        )
    table = Table(title=text("title", lang), caption=caption)
    for d in result.by:
        table.add_column(text(d, lang))
    table.add_column(text("n", lang), justify="right")
    for m in METRICS:
        table.add_column(text(m, lang), justify="right")
    for row in result.rows:
        table.add_row(
            *[row.labels[d] for d in result.by],
            format_number(row.n, 0, lang),
            *[format_estimate(m, row.metric(m), lang) for m in METRICS],
        )
    total = result.total
    table.add_section()
    table.add_row(
        *([text("total", lang)] + [""] * (len(result.by) - 1) if result.by else []),
        format_number(total.n, 0, lang),
        *[format_estimate(m, total.metric(m), lang) for m in METRICS],
        style="bold",
    )
    console.print(table)

    if result.kpis:
        styles = {"met": "green", "missed": "red", "no data": "yellow"}
        kpis = Table(title=text("kpis", lang))
        for key in ("touchpoint", "owner", "metric", "target", "value", "status"):
            kpis.add_column(text(key, lang))
        for k in result.kpis:
            style = styles.get(k.status, "dim")
            kpis.add_row(
                k.label,
                k.accountable or k.department or "–",
                f"{k.metric} ({'↑' if k.direction == 'higher' else '↓'})",
                format_metric(k.metric, k.target, lang),
                format_metric(k.metric, k.value, lang),
                f"[{style}]{text(k.status, lang)}[/]",
            )
        console.print(kpis)

    if result.compare:
        significant = result.significant
        if not significant:
            console.print(text("none_sig", lang))
        else:
            changes = Table(title=text("changes", lang))
            for key in ("", "metric", "", "", "", ""):
                changes.add_column(text(key, lang) if key else "")
            for c in significant:
                changes.add_row(*_comparison_cells(c, lang))
            console.print(changes)
    for note in result.notes:
        console.print(f"[dim]{note}[/]")


def _comparison_cells(c: Any, lang: str) -> list[str]:
    from cxo.engine.scorecard import format_metric, text

    group = ", ".join(str(v) for v in c.group.values() if v is not None)
    return [
        text(c.kind, lang) + (f" · {group}" if group else ""),
        text(c.metric, lang),
        f"{c.a}: {format_metric(c.metric, c.value_a, lang)}",
        f"{c.b}: {format_metric(c.metric, c.value_b, lang)}",
        f"Δ {format_metric(c.metric, c.difference, lang, signed=True)}",
        f"p(BH) = {c.p_adjusted:.3g}",
    ]
