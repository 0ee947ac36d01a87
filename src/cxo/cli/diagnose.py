"""``cxo diagnose loyalty|marketing|complaints|selfservice|all``: the four symptoms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cxo.cli.common import (
    EngineOption,
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    option_date,
    print_json,
    progress,
    workspace,
)

if TYPE_CHECKING:
    from cxo.diagnostics import DiagnosticResult

diagnose_app = typer.Typer(
    help="Diagnose the four symptoms: loyalty penalty, watering-can marketing, complaints "
    "without latitude, a portal like a tax return.",
    no_args_is_help=True,
)

LanguageOption = Annotated[
    str | None, typer.Option("--language", "-l", help="de or en (default: the workspace's).")
]


def _show(result: DiagnosticResult, as_json: bool) -> None:
    from cxo.report import diagnostics as render

    if as_json:
        print_json(render.to_json(result))
    else:
        text = render.summary(result, result.language, result.currency)
        console.print(text, highlight=False, markup=False, soft_wrap=True)


@diagnose_app.command("loyalty")
@handle_errors
def loyalty_cmd(
    ws: WorkspaceOption = None,
    as_json: JsonOption = False,
    language: LanguageOption = None,
    engine: EngineOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date YYYY-MM-DD (default: latest in data).")
    ] = None,
) -> None:
    """Loyalty penalty: existing customers paying more than today's new customers."""
    from cxo import diagnostics

    opts: dict[str, object] = {"engine": engine}
    if language:
        opts["language"] = language
    if as_of:
        opts["as_of"] = option_date(as_of, "--as-of")
    res = diagnostics.loyalty(workspace(ws), **opts)
    _show(res, as_json)


@diagnose_app.command("marketing")
@handle_errors
def marketing_cmd(
    ws: WorkspaceOption = None,
    as_json: JsonOption = False,
    language: LanguageOption = None,
    engine: EngineOption = None,
) -> None:
    """Watering-can marketing: untargeted sends, relevance, fatigue, unserved moments."""
    from cxo import diagnostics

    opts: dict[str, object] = {"engine": engine}
    if language:
        opts["language"] = language
    res = diagnostics.marketing(workspace(ws), **opts)
    _show(res, as_json)


@diagnose_app.command("complaints")
@handle_errors
def complaints_cmd(
    ws: WorkspaceOption = None,
    as_json: JsonOption = False,
    language: LanguageOption = None,
    engine: EngineOption = None,
    latitude: Annotated[
        list[float] | None,
        typer.Option("--latitude", help="Settlement limits X to simulate (repeatable)."),
    ] = None,
) -> None:
    """Complaints without latitude: contacts, days, effect on churn/NPS, latitude curve."""
    from cxo import diagnostics

    opts: dict[str, object] = {"engine": engine}
    if language:
        opts["language"] = language
    if latitude:
        opts["latitudes"] = tuple(sorted({0.0, *latitude}))
    res = diagnostics.complaints(workspace(ws), **opts)
    _show(res, as_json)


@diagnose_app.command("selfservice")
@handle_errors
def selfservice_cmd(
    ws: WorkspaceOption = None,
    as_json: JsonOption = False,
    language: LanguageOption = None,
    engine: EngineOption = None,
    cost_per_contact: Annotated[
        float | None,
        typer.Option("--cost-per-contact", help="Cost of one call/chat (default 6.0, currency)."),
    ] = None,
) -> None:
    """A portal like a tax return: task success, channel switching and its cost, effort."""
    from cxo import diagnostics

    opts: dict[str, object] = {"engine": engine}
    if language:
        opts["language"] = language
    if cost_per_contact is not None:
        opts["cost_per_contact"] = cost_per_contact
    res = diagnostics.selfservice(workspace(ws), **opts)
    _show(res, as_json)


@diagnose_app.command("all")
@handle_errors
def all_cmd(
    ws: WorkspaceOption = None, as_json: JsonOption = False, engine: EngineOption = None
) -> None:
    """Run all four diagnostics; those whose data are missing say what they need."""
    from cxo import diagnostics
    from cxo.report import board_inputs
    from cxo.report import diagnostics as render

    space = workspace(ws)
    version = board_inputs.data_version(space)  # before: an import meanwhile makes it stale
    with progress() as bar:
        task = bar.add_task("diagnose", total=len(diagnostics.NAMES))

        def step(name: str) -> None:
            done = diagnostics.NAMES.index(name)
            bar.update(task, completed=done, description=f"diagnose: {name}")

        results = diagnostics.diagnose_all(space, engine=engine, on_step=step)
        bar.update(task, completed=len(diagnostics.NAMES), description="diagnose")
    board_inputs.save_after_diagnostics(space, version, results, saved_by="cxo diagnose all")
    if as_json:
        print_json(
            {
                k: render.to_json(v) if isinstance(v, diagnostics.DiagnosticResult) else v.to_dict()
                for k, v in results.items()
            }
        )
        return
    for name, value in results.items():
        if isinstance(value, diagnostics.DiagnosticResult):
            text = render.summary(value, value.language, value.currency)
            console.print(text, highlight=False, markup=False, soft_wrap=True)
        else:
            console.print(f"{name}: {value.message}", highlight=False, markup=False, soft_wrap=True)
            if value.hint:
                console.print(f"  hint: {value.hint}", highlight=False, markup=False)
        console.print()


def register(app: typer.Typer) -> None:
    """Add ``cxo diagnose`` to ``app``."""
    app.add_typer(diagnose_app, name="diagnose")
