"""``cxo charter``: check, show, save and history of the charter; the maturity self-check."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape as esc
from rich.table import Table

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    print_json,
    workspace,
)
from cxo.core.charter import Charter, check_charter, diff_charters, parse_charter
from cxo.errors import CharterError
from cxo.workspace import Workspace

charter_app = typer.Typer(
    name="charter",
    help="The CX charter: owners, KPIs, versions, maturity self-check.",
    no_args_is_help=True,
)

AuthorOption = Annotated[
    str | None, typer.Option("--author", help="Who made the change (default: the OS user).")
]


def register(app: typer.Typer) -> None:
    """Add ``charter`` to ``app``."""
    app.add_typer(charter_app, name="charter")


def _author(author: str | None) -> str:
    if author:
        return author
    try:
        return getpass.getuser()
    except Exception:  # no user database in some containers
        return "unknown"


def _data_touchpoints(ws_path: Path | None) -> set[str]:
    ws = workspace(ws_path)
    if "responses" not in ws.tables():
        return set()
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "select distinct touchpoint from responses where touchpoint is not null"
        ).fetchall()
    return {str(r[0]) for r in rows}


@charter_app.command("check")
@handle_errors
def check(
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    file: Annotated[
        Path | None, typer.Option("--file", help="Check this YAML instead of the workspace's.")
    ] = None,
) -> None:
    """List what breaks accountability; exit 1 when an error is found."""
    if file is not None:
        charter = parse_charter(file.read_text("utf-8"), source=str(file))
        data_tps: set[str] = set()
    else:
        ws = workspace(path)
        charter = ws.charter()
        data_tps = _data_touchpoints(path)
    issues = check_charter(charter, data_tps)
    errors = [i for i in issues if i.severity == "error"]
    if as_json:
        print_json(
            {
                "ok": not errors,
                "errors": len(errors),
                "warnings": len(issues) - len(errors),
                "issues": [i.to_dict() for i in issues],
            }
        )
    else:
        if not issues:
            console.print("[green]✓[/] charter is complete: every touchpoint has one owner")
        for issue in issues:
            colour = "red" if issue.severity == "error" else "yellow"
            console.print(f"[{colour}]{issue.severity}[/]: {issue.message}", highlight=False)
    if errors:
        raise typer.Exit(1)


@charter_app.command("show")
@handle_errors
def show(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Show definition, journey, owners and KPIs."""
    ws = workspace(path)
    charter = ws.charter()
    lang = ws.settings.language if ws.settings.language in ("de", "en") else "en"
    if as_json:
        print_json(charter.model_dump(mode="json"))
        return
    console.print(f"[bold]{charter.company.name}[/] ({charter.company.type})", highlight=False)
    console.print(getattr(charter.definition, lang), highlight=False)
    for principle in charter.principles:
        console.print(f"  • {getattr(principle, lang)}", highlight=False)
    table = Table(
        "stage", "touchpoint", "department", "accountable", "RACI (R/C/I)", "KPIs", "SLA (h)"
    )
    for stage in charter.journey:
        for tp in stage.touchpoints:
            raci = " / ".join(
                ", ".join(x) or "–"
                for x in (tp.raci.responsible, tp.raci.consulted, tp.raci.informed)
            )
            kpis = ", ".join(
                f"{k.metric} {'≤' if k.direction == 'lower' else '≥'} {k.target:g}"
                if k.target is not None
                else f"{k.metric} (no target)"
                for k in tp.kpis
            )
            table.add_row(
                getattr(stage, lang),
                f"{getattr(tp, lang)} ({tp.key})",
                tp.department or "–",
                tp.accountable or "[red]nobody[/]",
                raci,
                kpis or "–",
                f"{charter.sla_hours(tp.key):g}" + ("" if tp.sla_hours else " (default)"),
            )
    console.print(table)


@charter_app.command("save")
@handle_errors
def save(
    path: WorkspaceOption = None,
    author: AuthorOption = None,
    message: Annotated[str, typer.Option("--message", "-m", help="What changed and why.")] = "",
) -> None:
    """Validate ``charter.yaml`` and store it as a new version (with author and message)."""
    from cxo.store.db import charter_versions, record_charter_version

    ws = workspace(path)
    text = ws.charter_path.read_text("utf-8")
    new = parse_charter(text, source=str(ws.charter_path))
    versions = charter_versions(ws.app_database_url)
    changes: list[str] = []
    if versions:
        try:
            changes = diff_charters(parse_charter(versions[-1].content), new)
        except CharterError:
            changes = ["previous version was invalid"]
    msg = message or "; ".join(changes)[:500]
    who = _author(author)
    vid = record_charter_version(ws.app_database_url, text, author=who, message=msg)
    moved = _reroute(ws, new, who, vid)
    if versions and vid == versions[-1].id:
        console.print("charter unchanged since the last saved version")
    else:
        console.print(f"[green]✓[/] saved charter version {vid}")
        for change in changes:
            console.print(f"  · {change}", highlight=False)
    for line in moved:
        console.print(f"  → {esc(line)}", highlight=False)


def _reroute(ws: Workspace, charter: Charter, author: str, version: int) -> list[str]:
    """Move the unfinished follow-up tasks to the charter's owners; what moved, in words."""
    from cxo.followups import reroute
    from cxo.report.followups import reroute_lines

    lang = ws.settings.language
    labels = {tp.key: tp.label(lang) for tp in charter.touchpoints}
    return reroute_lines(reroute(ws, charter, by=author, charter_version=version), lang, labels)


@charter_app.command("history")
@handle_errors
def history(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Saved versions: when, who, what changed."""
    from cxo.store.db import charter_versions

    ws = workspace(path)
    versions = charter_versions(ws.app_database_url)
    rows = []
    previous = None
    for v in versions:
        try:
            current = parse_charter(v.content)
            changes = diff_charters(previous, current) if previous is not None else ["created"]
            previous = current
        except CharterError:
            changes = ["(invalid YAML in this version)"]
        rows.append(
            {
                "version": v.id,
                "at": v.created_at.isoformat(timespec="seconds"),
                "author": v.author,
                "message": v.message,
                "changes": changes,
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table("version", "at", "author", "message", "changes")
    for r in rows:
        table.add_row(
            str(r["version"]),
            str(r["at"]),
            str(r["author"]),
            str(r["message"]),
            "\n".join(r["changes"]),  # type: ignore[arg-type]
        )
    console.print(table)


@charter_app.command("maturity")
@handle_errors
def maturity(
    path: WorkspaceOption = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="YAML/JSON file {question: score 1–5}; else prompts."),
    ] = None,
    author: AuthorOption = None,
    questions: Annotated[
        bool, typer.Option("--questions", help="List the questions and exit.")
    ] = False,
    trend_only: Annotated[
        bool, typer.Option("--trend", help="Show the trend of earlier checks only.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The maturity self-check: answer the reflection questions, store them, show the trend."""
    from cxo.core import maturity as mat
    from cxo.report import maturity as render
    from cxo.report.messages import message
    from cxo.store.db import maturity_history, record_maturity_check

    ws = workspace(path)
    lang = ws.settings.language if ws.settings.language in ("de", "en") else "en"
    if questions:
        if as_json:
            print_json(render.questions_json())
        else:
            for q in mat.QUESTIONS:
                console.print(render.question_line(q, lang), highlight=False, markup=False)
        return
    if not trend_only:
        if answers is not None:
            given = mat.read_answers(answers)
        else:
            given = {}
            err_console.print(message("maturity.scale_hint", lang))
            for q in mat.QUESTIONS:
                value = typer.prompt(render.question_text(q, lang), type=int)
                given[q.key] = float(value)
            given = mat.validate_answers(given)
        record_maturity_check(
            ws.app_database_url,
            {k: (mat.question(k).dimension, v) for k, v in given.items()},
            author=_author(author),
        )
    history_rows = []
    for check in maturity_history(ws.app_database_url):
        scores = mat.score(check["answers"])  # type: ignore[arg-type]
        history_rows.append(
            {
                "taken_at": check["taken_at"].isoformat(timespec="seconds"),  # type: ignore[attr-defined]
                "author": check["author"],
                "scores": scores,
            }
        )
    if as_json:
        print_json(history_rows)
        return
    table = Table(*render.history_header(lang))
    for row in history_rows:
        table.add_row(*render.history_cells(row, lang))
    console.print(table)
    trend = render.trend(history_rows, lang)
    if trend is not None:
        console.print(trend)
