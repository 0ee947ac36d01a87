"""``cxo initiative``: the portfolio, business cases, measured effects (proof) and priorities."""

from __future__ import annotations

import getpass
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape as esc
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
from cxo.engine.format import format_money, format_number, format_percent
from cxo.errors import UsageError

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
    lang, cur = ws.settings.language, ws.settings.currency
    table = Table(title="initiatives")
    for col in (
        "key",
        "name",
        "owner",
        "touchpoints",
        "cost",
        "per month",
        "NPS",
        "churn",
        "launch",
        "status",
    ):
        table.add_column(col)
    for i in items:
        table.add_row(
            esc(i.key),
            esc(i.name),
            esc(i.owner),
            esc(", ".join(i.touchpoints)),
            format_money(i.one_off_cost, cur, lang),
            format_money(i.running_cost_month, cur, lang),
            format_number(i.expected_nps_effect, 1, lang),
            format_number(
                100 * i.expected_churn_effect if i.expected_churn_effect is not None else None,
                2,
                lang,
            ),
            i.launch.isoformat() if i.launch else "",
            i.status,
        )
    console.print(table)


@initiative_app.command("remove")
@handle_errors
def remove_command(key: Annotated[str, typer.Argument()], path: WorkspaceOption = None) -> None:
    """Delete an initiative from the portfolio."""
    from cxo.initiatives import remove_initiative

    ws = workspace(path)
    remove_initiative(ws.app_database_url, key, author=getpass.getuser())
    console.print(f"removed initiative {esc(key)}", highlight=False)


def _print_case(result: Any, lang: str, cur: str) -> None:
    def m(value: float) -> str:
        return format_money(value, cur, lang)

    console.print(
        f"[bold]{result.verdict}[/]: {esc(result.reason)}", highlight=False, soft_wrap=True
    )
    console.print(
        f"value kept {m(result.value_kept)} · cost {m(result.cost)} · NPV {m(result.npv)} · "
        f"ROI {format_percent(result.roi, 0, lang) if math.isfinite(result.roi) else '–'} · "
        f"payback month {result.payback_month or '–'} · customers kept "
        f"{format_number(result.customers_kept, 0, lang)}",
        highlight=False,
    )
    table = Table(title="sensitivity (one input at a time)")
    for col in ("input", "pessimistic", "optimistic", "NPV pessimistic", "NPV optimistic"):
        table.add_column(col)
    for s in result.sensitivity:
        table.add_row(
            s.input,
            format_number(s.low_value, 4, lang),
            format_number(s.high_value, 4, lang),
            m(s.npv_low),
            m(s.npv_high),
        )
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)


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
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Business case before launch: NPV, ROI, payback, break-even and sensitivity."""
    from cxo.initiatives import case, get_initiative

    ws = workspace(path)
    ini = get_initiative(ws.app_database_url, key)
    result, reach = case(
        ws,
        ini,
        horizon_months=horizon,
        discount_rate=discount_rate,
        margin=margin,
        churn_effect=churn_effect,
    )
    if as_json:
        print_json({"initiative": ini.to_dict(), "reach": reach.to_dict(), **result.to_dict()})
        return
    lang, cur = ws.settings.language, ws.settings.currency
    console.print(
        f"[bold]{esc(ini.name)}[/] ({esc(ini.owner or 'no owner')}): reaches "
        f"{format_number(reach.customers, 0, lang)} active customers at "
        f"{esc(', '.join(ini.touchpoints))}, {format_money(reach.mrr, cur, lang)} a month each, "
        f"annual churn {format_percent(reach.baseline_churn, 1, lang)}",
        highlight=False,
    )
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
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Did it work? Difference-in-differences effect on NPS and detractors, churn, money, ROI."""
    from cxo.initiatives import get_initiative, measure

    ws = workspace(path)
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
    )
    if as_json:
        print_json(proof.to_dict())
        return
    lang, cur = ws.settings.language, ws.settings.currency
    n, d = proof.effect.nps, proof.effect.detractors
    console.print(
        f"[bold]{esc(ini.name)}[/] launched {ini.launch} at {esc(', '.join(ini.touchpoints))}; "
        f"controls {esc(', '.join(proof.effect.controls))}",
        highlight=False,
    )
    console.print(
        f"NPS effect {format_number(n.estimate, 1, lang)} points "
        f"[{format_number(n.ci_low, 1, lang)}; {format_number(n.ci_high, 1, lang)}], "
        f"p = {n.p_value:.3g}; detractor share "
        f"{format_number(100 * d.estimate, 1, lang)} points "
        f"[{format_number(100 * d.ci_low, 1, lang)}; {format_number(100 * d.ci_high, 1, lang)}]",
        highlight=False,
    )
    lo, hi = proof.revenue_kept_ci
    console.print(
        f"churn {format_number(100 * proof.churn_effect, 2, lang)} points a year → revenue kept "
        f"{format_money(proof.revenue_kept_month, cur, lang)} a month "
        f"[{format_money(lo, cur, lang)}; {format_money(hi, cur, lang)}]; probability the "
        f"initiative pays over {horizon} months: {format_percent(proof.probability_pays, 0, lang)}",
        highlight=False,
    )
    _print_case(proof.case, lang, cur)
    for note in proof.notes:
        console.print(f"note: {note}", highlight=False)


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
) -> None:
    """Initiatives against the ranked pains of the latest assessment; gaps; what to stop."""
    from cxo.initiatives import rank

    ws = workspace(path)
    result = rank(ws, measured=measured)
    if as_json:
        print_json(result.to_dict())
        return
    lang, cur = ws.settings.language, ws.settings.currency
    table = Table(title="initiatives by revenue at risk addressed per cost")
    for col in ("key", "owner", "pains addressed", "at risk / month", "first-year cost", "ratio"):
        table.add_column(col)
    for p in result.ranked:
        table.add_row(
            esc(p.initiative.key),
            esc(p.initiative.owner),
            esc("; ".join(str(x["label"]) for x in p.pains)) or "none",
            format_money(p.revenue_at_risk, cur, lang),
            format_money(p.annual_cost, cur, lang),
            format_number(p.value_per_cost, 2, lang),
        )
    console.print(table)
    for pain in result.unaddressed:
        console.print(
            f"unaddressed: #{pain['rank']} {esc(str(pain['label']))} "
            f"({format_money(pain['revenue_at_risk'], cur, lang)} a month at risk)",
            highlight=False,
        )
    for p in result.stop:
        console.print(
            f"stop candidate: {esc(p.initiative.key)} — {esc(p.stop_reason or '')}",
            highlight=False,
        )
