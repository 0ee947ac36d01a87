"""Standortbestimmung (situational assessment): where it hurts, who owns it, what it costs.

``cxo.assess(workspace)`` returns an :class:`Assessment` with ``.pains`` (ranked cells
touchpoint × theme × segment with owner, reach, experience gap, excess churn, revenue at risk
and a Benjamini–Hochberg flag), ``.drivers`` (relative weights, LMG, importance–performance),
``.linkage`` (churn by NPS group and touchpoint, in money), ``.trend`` (8 quarters, mix vs.
within) and ``.focus`` (where to start, weighted by company type; what to stop doing).
Results are data: sentences are :class:`~cxo.core.messages.Message` keys with parameters, and
``cxo.report.assessment`` words them, renders the HTML and writes
``reports/assessment-<n>.json`` and ``.html`` (``write_assessment``).
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.assess.data import Prepared, prepare
from cxo.assess.drivers import DriverAnalysis, analyse_drivers
from cxo.assess.focus import Focus, focus
from cxo.assess.linkage import Linkage, linkage
from cxo.assess.pains import FDR, Pain, find_pains
from cxo.assess.trend import Trend, trend
from cxo.core.jsonable import jsonable
from cxo.core.messages import Message, msg
from cxo.errors import CxoError, InsufficientDataError
from cxo.workspace import Workspace, resolve_workspace

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

__all__ = ["Assessment", "assess"]

SCHEMA_VERSION = 1
STEPS = ("prepare", "pains", "drivers", "linkage", "trend", "focus")
"""The assessment's steps, in order (``assess(on_step=...)`` names each as it starts)."""
DUCKDB_MEMORY = "1GB"
"""DuckDB's memory limit while assessing (it spills to ``data/tmp`` beyond it)."""
DUCKDB_MEMORY_LARGE = "5GB"
LARGE_RESPONSES = 20_000_000
"""From this many responses on, DuckDB gets DUCKDB_MEMORY_LARGE: at 100M responses the working
tables' blocks that must stay pinned while a query runs no longer fit in 1 GB ("failed to pin
block", measured at 10M customers / 103M responses); with 3 GB the assessment wrote ~25 GB of
spill files there and peaked at 3.9 GB RSS, 5 GB spills less and stays under the 8 GB
budget (bench/results/scale.md)."""


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "select estimated_size from duckdb_tables() where table_name = 'responses' limit 1"
    ).fetchone()
    n = int(row[0]) if row and row[0] is not None else 0
    return DUCKDB_MEMORY_LARGE if n >= LARGE_RESPONSES else DUCKDB_MEMORY


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@dataclass
class Assessment:
    """The whole Standortbestimmung of one workspace."""

    company: str
    company_type: str
    currency: str
    language: str
    as_of: dt.date
    theme_source: str
    responses: int
    customers: int
    pains: list[Pain]
    drivers: DriverAnalysis | None
    linkage: Linkage | None
    trend: Trend | None
    focus: Focus
    notes: list[Message] = field(default_factory=list)
    number: int | None = None
    """The number of the saved report (``reports/assessment-<number>.json``) once written."""

    @property
    def flagged(self) -> list[Pain]:
        """Pains with a significant negative experience gap (FDR 10 %)."""
        return [p for p in self.pains if p.flagged]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the content of ``assessment-<n>.json``)."""
        out: dict[str, Any] = jsonable(
            {
                "schema_version": SCHEMA_VERSION,
                "number": self.number,
                "company": self.company,
                "company_type": self.company_type,
                "currency": self.currency,
                "as_of": self.as_of.isoformat(),
                "theme_source": self.theme_source,
                "responses": self.responses,
                "customers": self.customers,
                "fdr": FDR,
                "pains": [p.to_dict() for p in self.pains],
                "drivers": self.drivers.to_dict() if self.drivers else None,
                "linkage": self.linkage.to_dict() if self.linkage else None,
                "trend": self.trend.to_dict() if self.trend else None,
                "focus": self.focus.to_dict(),
                "note_messages": [n.to_dict() for n in self.notes],
            }
        )
        return out


def assess(
    workspace: Workspace | str | Path | None = None,
    *,
    n_boot: int = 200,
    seed: int = 0,
    as_of: dt.date | None = None,
    engine: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Assessment:
    """The Standortbestimmung of ``workspace`` (a :class:`Workspace` or its directory).

    Raises ``MissingDataError``/``InsufficientDataError`` naming what is missing when the
    workspace holds too little data for a meaningful result. ``engine`` (``duckdb`` or
    ``spark``; default the workspace's ``[analytics] engine``) picks where the SQL runs: on
    Spark the same statements run over the published lake (:mod:`cxo.engine.sql`), only
    aggregates reach Python, and the result equals DuckDB's (``tests/spark``).
    ``on_step`` is called with the name of each of the :data:`STEPS` as it starts (the CLI's
    progress bar).
    """
    step = on_step or (lambda _name: None)
    from cxo.engine.spark import check_engine

    ws = (
        workspace
        if isinstance(workspace, Workspace)
        else resolve_workspace(Path(workspace) if workspace is not None else None)
    )
    chosen = check_engine(engine, ws, "the assessment", on_spark=True)
    charter = ws.charter()
    language = ws.settings.language
    currency = charter.company.currency
    if chosen == "spark":
        from cxo.engine.sql import SparkRunner

        runner = SparkRunner.for_workspace(ws)
        try:
            parts = _analyse(runner, charter, language, as_of, n_boot, seed, step)
        finally:
            runner.close()
    else:
        with ws.connect(read_only=True) as con:
            # The working tables (one row per response, customer × touchpoint, …) spill to
            # disk beyond this, so that DuckDB and the pandas/statsmodels side fit in 4 GB at
            # 1M customers / 10M responses.
            con.execute(f"SET memory_limit = '{_memory_limit(con)}'")
            con.execute(f"SET temp_directory = '{_sql_path(ws.data_dir / 'tmp')}'")
            parts = _analyse(con, charter, language, as_of, n_boot, seed, step)
    prep, pains, drivers, link, tr, notes = (
        parts.prep,
        parts.pains,
        parts.drivers,
        parts.linkage,
        parts.trend,
        parts.notes,
    )
    step("focus")
    _unknown_touchpoints(charter, pains, notes)
    fc = focus(
        ws.settings.company_type if ws.settings.company_type != "custom" else charter.company.type,
        charter,
        pains,
        link,
        drivers,
        currency=currency,
        language=language,
    )
    return Assessment(
        company=charter.company.name,
        company_type=charter.company.type,
        currency=currency,
        language=language,
        as_of=prep.as_of,
        theme_source=prep.theme_source,
        responses=prep.responses,
        customers=prep.customers,
        pains=pains,
        drivers=drivers,
        linkage=link,
        trend=tr,
        focus=fc,
        notes=notes,
    )


@dataclass
class _Parts:
    """What the engine-side steps found (everything but the focus)."""

    prep: Prepared
    pains: list[Pain]
    drivers: DriverAnalysis | None
    linkage: Linkage | None
    trend: Trend | None
    notes: list[Message]


def _analyse(
    con: Runner,
    charter: Charter,
    language: str,
    as_of: dt.date | None,
    n_boot: int,
    seed: int,
    step: Callable[[str], None],
) -> _Parts:
    """The steps that read the engine (DuckDB or Spark: the same SQL), up to the trend."""
    currency = charter.company.currency
    step("prepare")
    prep = prepare(con, as_of)
    notes = list(prep.notes)
    step("pains")
    pains = find_pains(
        con,
        charter,
        currency=currency,
        has_revenue=prep.has_revenue,
        language=language,
        seed=seed,
    )
    step("drivers")
    drivers = _drivers(con, prep.has_ratings, n_boot, seed, notes)
    step("linkage")
    link: Linkage | None = None
    try:
        link = linkage(con, charter, currency=currency, has_revenue=prep.has_revenue, seed=seed)
    except InsufficientDataError as exc:
        notes.append(msg("assess.note.linkage_not_computed", reason=exc.message))
    step("trend")
    tr = trend(con)
    if tr is None:
        notes.append(msg("assess.note.no_trend", quarters=3, answers=30))
    return _Parts(prep, pains, drivers, link, tr, notes)


def _drivers(
    con: Runner, has_ratings: bool, n_boot: int, seed: int, notes: list[Message]
) -> DriverAnalysis | None:
    """The key drivers, or ``None`` with a note saying why not."""
    if not has_ratings:
        notes.append(msg("assess.note.no_ratings"))
        return None
    try:
        return analyse_drivers(con, n_boot=n_boot, seed=seed)
    except CxoError as exc:
        notes.append(msg("assess.note.drivers_not_computed", reason=exc.message))
        return None


def _unknown_touchpoints(charter: Charter, pains: list[Pain], notes: list[Message]) -> None:
    """A note naming the pains' touchpoints the charter does not know (they have no owner)."""
    unknown = sorted({p.touchpoint for p in pains} - charter.keys("touchpoint"))
    if unknown:
        notes.append(msg("assess.note.unknown_touchpoints", touchpoints=", ".join(unknown)))


class _CallableModule(types.ModuleType):
    """Lets ``cxo.assess(workspace)`` work even after the package ``cxo.assess`` was imported.

    Importing the subpackage binds the *module* to the attribute ``cxo.assess``; making the
    module callable keeps the stable API ``cxo.assess(workspace)``.
    """

    def __call__(
        self,
        workspace: Workspace | str | Path | None = None,
        **kwargs: Any,
    ) -> Assessment:
        return assess(workspace, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
