"""``cxo erase``, ``cxo export-subject``, ``cxo retention``: GDPR erasure, access and retention."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import JsonOption, WorkspaceOption, echo, handle_errors, print_json, workspace
from cxo.errors import CxoError

retention_app = typer.Typer(
    name="retention",
    help="Retention: delete or anonymise raw text older than cxo.toml (retention) allows.",
    no_args_is_help=True,
)

EmailOption = Annotated[
    list[str] | None,
    typer.Option(
        "--email",
        help="An e-mail address of the customer to search for as well (repeatable).",
        show_default=False,
    ),
]


class ErasureIncomplete(CxoError):
    """Something of the erased customer is still found after the erasure."""

    code = "erasure_incomplete"
    exit_code = 1
    http_status = 500


def register(app: typer.Typer) -> None:
    """Add ``erase``, ``export-subject`` and ``retention`` to ``app``."""
    app.command("erase")(erase_command)
    app.command("export-subject")(export_command)
    app.add_typer(retention_app, name="retention")


@handle_errors
def erase_command(
    customer: Annotated[
        str, typer.Option("--customer", help="The customer id to erase.", show_default=False)
    ],
    email: EmailOption = None,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase one customer from every table and file (GDPR Art. 17); audited without the id."""
    from cxo.privacy.erase import erase_customer
    from cxo.report.messages import message

    ws = workspace(path)
    result = erase_customer(ws, customer, emails=email or ())
    if as_json:
        print_json(result.to_dict())
    else:
        lang = ws.settings.language
        tables = {k.split(".")[0] for k in (*result.analytics, *result.operational)}
        echo(
            message(
                "privacy.erase.done",
                lang,
                rows=result.rows,
                tables=len(tables),
                files=len(result.files),
                erasure=result.erasure_id,
            )
        )
    if not result.complete:
        raise ErasureIncomplete(
            "still found after the erasure: " + ", ".join(result.remaining),
            hint="remove or rewrite these by hand (an archive or a trained model), "
            "then run the erasure again",
        )


@handle_errors
def export_command(
    customer: Annotated[str, typer.Argument(help="The customer id.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the JSON here (default: stdout).", show_default=False
        ),
    ] = None,
    email: EmailOption = None,
    path: WorkspaceOption = None,
) -> None:
    """Everything held about one customer as JSON (GDPR Art. 15/20)."""
    from cxo.privacy.subject import export_subject, write_export
    from cxo.report.messages import message

    ws = workspace(path)
    doc = export_subject(ws, customer, emails=email or ())
    if out is None:
        print_json(doc)
        return
    write_export(doc, out)
    rows = sum(len(v) for v in doc["analytics"].values())
    rows += sum(len(v) for v in doc["operational"].values())
    echo(
        message(
            "privacy.export.done",
            ws.settings.language,
            path=str(out),
            rows=rows,
            files=len(doc["files"]),
        ),
        err=True,
    )


@retention_app.command("apply")
@handle_errors
def retention_apply_command(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Delete or anonymise text older than the retention periods (also runs after imports)."""
    from cxo.privacy.retention import apply_retention
    from cxo.report.messages import message

    ws = workspace(path)
    result = apply_retention(ws)
    if as_json:
        print_json(result.to_dict())
        return
    lang = ws.settings.language
    if not result.periods:
        echo(message("privacy.retention.none", lang))
        return
    for table, days in result.periods.items():
        rows = result.changed.get(table, 0)
        echo(message("privacy.retention.table", lang, table=table, days=days, rows=rows))
    echo(message("privacy.retention.done", lang, rows=result.rows))
