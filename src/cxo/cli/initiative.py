"""``cxo initiative``: the portfolio, business cases, measured effects (proof) and priorities."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as esc
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
)
from cxo.errors import UsageError

if TYPE_CHECKING:
    from cxo.report.initiatives import Table as TextTable

initiative_app = typer.Typer(
    name="initiative",
    help="CX initiatives: portfolio, business case, measured effect and ROI, priorities.",
    no_args_is_help=True,
)

HorizonOption = Annotated[int, typer.Option("--horizon", help="Months the case runs over.")]
DiscountOption = Annotated[
    float, typer.Option("--discount-rate", help="Annual discount rate (0.08 = 8 %).")
]
MarginOption = Annotated[
    float,
    typer.Option("--margin", help="Contribution margin on kept revenue (1.0 = all revenue)."),
]


def register(app: typer.Typer) -> None:
    """Add ``initiative`` to ``app``."""
    app.add_typer(initiative_app, name="initiative")


@initiative_app.command("add")
@handle_errors
def add_command(
    key: Annotated[str, typer.Argument(help="Short key, e.g. portal_relaunch.")],
    name: Annotated[str | None, typer.Option("--name", help="Name (default: the key).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Accountable person.")] = None,
    touchpoint: Annotated[
        list[str] | None,
        typer.Option("--touchpoint", "-t", help="Touchpoint it changes (repeatable)."),
    ] = None,
    pain: Annotated[
        list[str] | None,
        typer.Option("--pain", help="Pain it addresses, touchpoint:theme (repeatable)."),
    ] = None,
    cost: Annotated[float | None, typer.Option("--cost", help="One-off cost.")] = None,
    running_cost: Annotated[
        float | None, typer.Option("--running-cost", help="Running cost per month.")
    ] = None,
    nps_effect: Annotated[
        float | None, typer.Option("--nps-effect", help="Expected NPS points at its touchpoints.")
    ] = None,
    churn_effect: Annotated[
        float | None,
        typer.Option(
            "--churn-effect", help="Expected change of annual churn probability (-0.01 = 1 pt)."
        ),
    ] = None,
    launch: Annotated[str | None, typer.Option("--launch", help="Launch date YYYY-MM-DD.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="idea, planned, running, done or stopped.")
    ] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an initiative, or change the given fields of an existing one."""
    from cxo.initiatives import Initiative, initiatives, save_initiative

    ws = workspace(path)
    url = ws.app_database_url
    current = {i.key: i for i in initiatives(url)}.get(key) or Initiative(key=key, name=key)
    updates: dict[str, Any] = {
        "name": name,
        "owner": owner,
        "touchpoints": touchpoint or None,
        "pains": pain or None,
        "one_off_cost": cost,
        "running_cost_month": running_cost,
        "expected_nps_effect": nps_effect,
        "expected_churn_effect": churn_effect,
        "launch": option_date(launch, "--launch"),
        "status": status,
        "description": description,
    }
    for field_name, value in updates.items():
        if value is not None:
            setattr(current, field_name, value)
    unknown = sorted(set(current.touchpoints) - ws.charter().keys("touchpoint"))
    if unknown:
        raise UsageError(
            f"touchpoint(s) {', '.join(unknown)} are not in the charter; known: "
            + ", ".join(sorted(ws.charter().keys("touchpoint")))
        )
    created = save_initiative(url, current, author=getpass.getuser())
    if as_json:
        print_json({"created": created, "initiative": current.to_dict()})
        return
    console.print(
        f"{'added' if created else 'updated'} initiative [bold]{esc(key)}[/]", highlight=False
    )


@initiative_app.command("load")
@handle_errors
def load_command(
    file: Annotated[Path, typer.Argument(help="Portfolio YAML with a list under `initiatives:`.")],
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add or update every initiative of a portfolio YAML file."""
    from cxo.initiatives import load_portfolio, save_initiative

    ws = workspace(path)
    items = load_portfolio(file)
    known = ws.charter().keys("touchpoint")
    for item in items:
        unknown = sorted(set(item.touchpoints) - known)
        if unknown:
            raise UsageError(
                f"{file}: initiative {item.key}: touchpoint(s) {', '.join(unknown)} "
                "are not in the charter"
            )
    created = [save_initiative(ws.app_database_url, i, author=getpass.getuser()) for i in items]
    if as_json:
        print_json({"added": sum(created), "updated": len(created) - sum(created)})
        return
    console.print(f"{sum(created)} added, {len(created) - sum(created)} updated from {file}")


@initiative_app.command("list")
@handle_errors
def list_command(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """The portfolio: owner, touchpoints, cost, expected effect, launch, status."""
    from cxo.initiatives import initiatives

    ws = workspace(path)
    items = initiatives(ws.app_database_url)
    if as_json:
        print_json([i.to_dict() for i in items])
        return
    from cxo.report.initiatives import portfolio_table

    console.print(rich_table(portfolio_table(items, ws.settings.language, ws.settings.currency)))


def rich_table(table: TextTable) -> Table:
    """A terminal table from the renderer's title, headings and cells (cells are escaped)."""
    out = Table(title=esc(table.title))
    for col in table.columns:
        out.add_column(esc(col))
    for row in table.rows:
        out.add_row(*(esc(cell) for cell in row))
    return out


@initiative_app.command("remove")
@handle_errors
def remove_command(key: Annotated[str, typer.Argument()], path: WorkspaceOption = None) -> None:
    """Delete an initiative from the portfolio."""
    from cxo.initiatives import remove_initiative

    ws = workspace(path)
    remove_initiative(ws.app_database_url, key, author=getpass.getuser())
    console.print(f"removed initiative {esc(key)}", highlight=False)


def _print_case(result: Any, lang: str, cur: str) -> None:
    from cxo.report import initiatives as words

    console.print(
        f"[bold]{esc(words.verdict_label(result.verdict, lang))}[/]: "
        f"{esc(words.reason(result, lang, cur))}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(esc(words.totals_line(result, lang, cur)), highlight=False)
    console.print(rich_table(words.sensitivity_table(result, lang, cur)))
    for line in words.note_lines(result.notes, lang, cur):
        console.print(esc(line), highlight=False)


@initiative_app.command("case")
@handle_errors
def case_command(
    key: Annotated[str, typer.Argument()],
    horizon: HorizonOption = 36,
    discount_rate: DiscountOption = 0.08,
    margin: MarginOption = 1.0,
    churn_effect: Annotated[
        float | None,
        typer.Option("--churn-effect", help="Override the expected churn effect."),
    ] = None,
    window: Annotated[
        float,
        typer.Option("--window", help="Months after launch the effect is measured over (power)."),
    ] = 6,
    reach_per_month: Annotated[
        float | None,
        typer.Option(
            "--reach-per-month",
            help="Planned responses a month at its touchpoints (default: as before launch).",
        ),
    ] = None,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
) -> None:
    """Business case before launch: NPV, ROI, payback, break-even, sensitivity and the
    minimum detectable effect (power) beside the expected one."""
    from cxo.engine.spark import check_engine
    from cxo.initiatives import case, get_initiative
    from cxo.initiatives.business_case import with_power
    from cxo.report import initiatives as words

    ws = workspace(path)
    engine = check_engine(engine, ws, "the business case", on_spark=True)  # before lookups
    ini = get_initiative(ws.app_database_url, key)
    result, reach = case(
        ws,
        ini,
        horizon_months=horizon,
        discount_rate=discount_rate,
        margin=margin,
        churn_effect=churn_effect,
        engine=engine,
    )
    with_power(
        ws, ini, result, window_months=window, responses_per_month=reach_per_month, engine=engine
    )
    lang, cur = ws.settings.language, ws.settings.currency
    if as_json:
        print_json(words.case_json(ini, reach, result, lang, cur))
        return
    console.print(esc(words.reach_line(ini, reach, lang, cur)), highlight=False)
    _print_case(result, lang, cur)


@initiative_app.command("measure")
@handle_errors
def measure_command(
    key: Annotated[str, typer.Argument()],
    pre_months: Annotated[
        int, typer.Option("--pre-months", help="Months before the launch to compare with.")
    ] = 12,
    post_months: Annotated[
        int | None,
        typer.Option("--post-months", help="Months after the launch (default: all data)."),
    ] = None,
    horizon: HorizonOption = 36,
    discount_rate: DiscountOption = 0.08,
    margin: MarginOption = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    control: Annotated[
        str,
        typer.Option(
            "--control",
            help="Comparison group: touchpoints (the other touchpoints), matched (customers "
            "like the targeted ones; needs --customers) or prepost (none: before/after only).",
        ),
    ] = "touchpoints",
    customers: Annotated[
        Path | None,
        typer.Option(
            "--customers",
            help="File with the targeted customer ids (one per line, or CSV with customer_id).",
        ),
    ] = None,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
) -> None:
    """Did it work? Difference-in-differences effect on NPS and detractors, churn, money, ROI."""
    from cxo.engine.spark import check_engine
    from cxo.initiatives import get_initiative, measure
    from cxo.initiatives.matching import read_customer_ids
    from cxo.report import initiatives as words

    ws = workspace(path)
    check_engine(engine, ws, "the initiative measurement", on_spark=True)  # before lookups
    ini = get_initiative(ws.app_database_url, key)
    proof = measure(
        ws,
        ini,
        pre_months=pre_months,
        post_months=post_months,
        horizon_months=horizon,
        discount_rate=discount_rate,
        margin=margin,
        seed=seed,
        comparison=control,
        customers=read_customer_ids(customers) if customers is not None else None,
        engine=engine,
    )
    lang, cur = ws.settings.language, ws.settings.currency
    if as_json:
        print_json(words.to_json(proof, lang, cur))
        return
    for line in words.effect_lines(proof, lang, cur):
        console.print(esc(line), highlight=False)
    _print_case(proof.case, lang, cur)
    for line in words.note_lines(proof.notes, lang, cur):
        console.print(esc(line), highlight=False)


@initiative_app.command("rank")
@handle_errors
def rank_command(
    measured: Annotated[
        bool,
        typer.Option(
            "--measured/--no-measured",
            help="Measure launched initiatives too (stop those that did not deliver).",
        ),
    ] = True,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
) -> None:
    """Initiatives against the ranked pains of the latest assessment; gaps; what to stop."""
    from cxo.engine.spark import check_engine
    from cxo.initiatives import rank
    from cxo.report import initiatives as words

    ws = workspace(path)
    engine = check_engine(engine, ws, "the initiative measurement", on_spark=True)
    result = rank(ws, measured=measured, engine=engine)
    lang, cur = ws.settings.language, ws.settings.currency
    if as_json:
        print_json(words.to_json(result, lang, cur))
        return
    console.print(rich_table(words.ranking_table(result, lang, cur)))
    for line in words.gap_lines(result, lang, cur):
        console.print(esc(line), highlight=False)
