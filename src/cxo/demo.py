"""The demo: simulate a mid-size company, import it, assess it and write the report.

Used by ``cxo demo``; every step calls the same public functions a user would.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxo.errors import CxoError, WorkspaceError
from cxo.workspace import SETTINGS_FILE, Workspace

DEMO_MARKER = ".cxo-demo"
# Parents before children, so foreign keys can be checked on import.
IMPORT_ORDER = (
    "customers",
    "contracts",
    "price_list",
    "responses",
    "ratings",
    "cases",
    "sends",
    "sessions",
)

Step = Callable[[str], None]


@dataclass
class DemoResult:
    """What the demo produced."""

    workspace: Workspace
    simulated_dir: Path
    imports: list[dict[str, Any]] = field(default_factory=list)
    scorecard: Any = None
    assessment: Any = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    proofs: list[Any] = field(default_factory=list)
    priorities: Any = None
    followups: Any = None
    report_path: Path | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    login: tuple[str, str] | None = None
    """The demo's sign-in for the web app: user ``sophie`` (CX lead) and a fresh password."""


def fresh_workspace(root: Path, company_type: str) -> Workspace:
    """Create the demo workspace, replacing an earlier demo (never a user's workspace)."""
    if (root / SETTINGS_FILE).exists():
        if not (root / DEMO_MARKER).exists():
            raise WorkspaceError(
                f"{root} holds a workspace that the demo did not create; refusing to replace it",
                hint="pass another --workspace directory for the demo",
            )
        shutil.rmtree(root)
    ws = Workspace.create(root, company_type, language="de")
    (root / DEMO_MARKER).write_text("created by `cxo demo`; safe to delete\n", "utf-8")
    return ws


def run_demo(
    root: Path,
    *,
    company_type: str = "service",
    customers: int = 20_000,
    seed: int = 1,
    step: Step | None = None,
) -> DemoResult:
    """Run the whole demo into ``root`` and return what it produced."""
    from cxo.ingest.api import import_file
    from cxo.simulate import simulate

    say: Step = step or (lambda _msg: None)
    ws = fresh_workspace(root, company_type)
    sim_dir = root / "simulated"
    say(f"simulating a {company_type} company with {customers:,} customers (seed {seed})")
    simulate(company_type, customers, seed, out=sim_dir)
    result = DemoResult(workspace=ws, simulated_dir=sim_dir)
    for table in IMPORT_ORDER:
        path = sim_dir / f"{table}.parquet"
        say(f"importing {table}")
        batch = import_file(ws, table, path)
        result.imports.append(batch.to_dict())
    say("analysing comments (language, redaction, themes, sentiment)")
    from cxo.text import tag_workspace

    tag_workspace(ws)
    say("computing the scorecard")
    from cxo.engine import scorecard

    result.scorecard = scorecard(ws, by=["touchpoint"])
    say("assessing: pains, drivers, churn linkage, focus")
    from cxo.assess import assess
    from cxo.report.assessment import write_assessment

    result.assessment = assess(ws)
    write_assessment(ws, result.assessment, author="cxo demo")
    from cxo.diagnostics import diagnose

    for name in ("loyalty", "marketing", "complaints", "selfservice"):
        say(f"diagnosing: {name}")
        try:
            result.diagnostics[name] = diagnose(ws, name)
        except CxoError as exc:  # e.g. a table this company type does not have
            result.skipped[name] = exc.message
    say("initiatives: loading the company's plan, measuring what each did")
    _initiatives(result, sim_dir / "portfolio.yaml")
    say("closed loop: routing recent detractors and complaints to their owners")
    from cxo.followups import generate

    result.followups = generate(ws, author="cxo demo")
    say("writing the report")
    result.report_path = write_demo_report(result)
    result.login = demo_login(ws)
    return result


def demo_login(ws: Workspace) -> tuple[str, str]:
    """Create the demo's CX lead ``sophie`` with a random password (printed, never stored)."""
    import secrets

    from cxo.store.users import create_user

    password = secrets.token_urlsafe(12)
    create_user(ws.app_database_url, "sophie", "cx_lead", password, author="cxo demo")
    return "sophie", password


def _initiatives(result: DemoResult, portfolio_file: Path) -> None:
    """Load the simulated portfolio, measure every launched initiative, rank them."""
    from cxo.initiatives import load_portfolio, rank, save_initiative

    ws = result.workspace
    for item in load_portfolio(portfolio_file):
        save_initiative(ws.app_database_url, item, author="cxo demo")
    result.priorities = rank(ws)
    result.proofs = result.priorities.proofs
    for key, why in result.priorities.not_measured.items():
        result.skipped[f"initiative {key}"] = why


def write_demo_report(result: DemoResult) -> Path:
    """Write the board report (``reports/report.html``, which the app serves at ``/``) from
    the demo's results, in the workspace language."""
    from cxo.report.board import gather, render_board

    ws = result.workspace
    known: dict[str, Any] = dict(result.diagnostics)
    for name in ("loyalty", "marketing", "complaints", "selfservice"):
        if name in result.skipped:
            known[name] = CxoError(result.skipped[name])
    data = gather(ws, diagnostics=known, priorities=result.priorities)
    path = ws.reports_dir / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_board(data), "utf-8")
    return path
