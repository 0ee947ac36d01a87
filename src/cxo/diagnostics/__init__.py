"""The four symptoms of seed 000 as diagnostics.

``loyalty(ws)``, ``marketing(ws)``, ``complaints(ws)`` and ``selfservice(ws)`` each read the
contract tables of a workspace, aggregate in the engine (DuckDB, or Spark over the published
lake: the same SQL through :mod:`cxo.engine.sql`) and return a
:class:`~cxo.diagnostics.result.DiagnosticResult` (data: findings as message keys with their
estimates, tables, figures, assumptions and the owner of the touchpoint from the charter).
:mod:`cxo.report.diagnostics` turns it into text, HTML and JSON. ``diagnose(ws, name)``
dispatches by name; ``diagnose_all(ws)`` runs every diagnostic whose data exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Finding
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.errors import MissingDataError, UsageError
from cxo.stats import Estimate

if TYPE_CHECKING:
    from cxo.workspace import Workspace

NAMES = ("loyalty", "marketing", "complaints", "selfservice")
DUCKDB_MEMORY = "4GB"
"""DuckDB's memory limit while diagnosing (it spills to ``data/tmp`` beyond it)."""


def _run(
    ws: Workspace, name: str, *, engine: str | None = None, **options: Any
) -> DiagnosticResult:
    from cxo.engine.spark import check_engine

    chosen = check_engine(engine, ws, f"the {name} diagnostic", on_spark=True)
    from cxo.diagnostics import complaint_handling as _c
    from cxo.diagnostics import loyalty_penalty as _l
    from cxo.diagnostics import self_service as _s
    from cxo.diagnostics import watering_can as _m

    runners: dict[str, Callable[..., DiagnosticResult]] = {
        "loyalty": _l.run,
        "marketing": _m.run,
        "complaints": _c.run,
        "selfservice": _s.run,
    }
    if name not in runners:
        raise UsageError(f"unknown diagnostic {name!r}; choose one of {', '.join(NAMES)}")
    options.setdefault("language", ws.settings.language)
    options.setdefault("currency", ws.settings.currency)
    charter = ws.charter()
    if chosen == "spark":
        from cxo.engine.sql import SparkRunner

        runner = SparkRunner.for_workspace(ws)
        try:
            return runners[name](runner, charter, **options)
        finally:
            runner.close()
    # Read-only: temp tables live in the connection; the file (or the lake) is only read.
    with ws.connect(read_only=True) as con:
        con.execute("SET preserve_insertion_order = false")
        # Bounded memory, spilling to data/tmp beyond it: by default DuckDB may take 80 % of
        # the machine (the marketing diagnostic reached 4.3 GB at 1M customers).
        spill = str(ws.data_dir / "tmp").replace("'", "''")
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute(f"SET temp_directory = '{spill}'")
        return runners[name](con, charter, **options)


def loyalty(ws: Workspace, **options: Any) -> DiagnosticResult:
    """Loyalty penalty (contracts, price_list, customers); see :mod:`.loyalty_penalty`."""
    return _run(ws, "loyalty", **options)


def marketing(ws: Workspace, **options: Any) -> DiagnosticResult:
    """Watering-can marketing (sends, customers). See :mod:`cxo.diagnostics.watering_can`."""
    return _run(ws, "marketing", **options)


def complaints(ws: Workspace, **options: Any) -> DiagnosticResult:
    """Complaints without latitude (cases, customers, responses, contracts)."""
    return _run(ws, "complaints", **options)


def selfservice(ws: Workspace, **options: Any) -> DiagnosticResult:
    """A portal like a tax return (sessions, cases, responses)."""
    return _run(ws, "selfservice", **options)


def diagnose(ws: Workspace, name: str, **options: Any) -> DiagnosticResult:
    """Run the diagnostic ``name`` (one of :data:`NAMES`)."""
    return _run(ws, name, **options)


def diagnose_all(
    ws: Workspace,
    *,
    engine: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, DiagnosticResult | MissingDataError]:
    """Run every diagnostic; a diagnostic whose data are missing yields its error instead.
    ``on_step`` is called with each diagnostic's name as it starts (the CLI's progress bar)."""
    out: dict[str, DiagnosticResult | MissingDataError] = {}
    for name in NAMES:
        if on_step is not None:
            on_step(name)
        try:
            out[name] = _run(ws, name, engine=engine)
        except MissingDataError as exc:
            out[name] = exc
    return out


__all__ = [
    "NAMES",
    "DiagnosticResult",
    "Estimate",
    "Finding",
    "Table",
    "complaints",
    "diagnose",
    "diagnose_all",
    "loyalty",
    "marketing",
    "selfservice",
]
