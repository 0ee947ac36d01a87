"""The data behind the read-only pages, computed by the core and cached per data version.

Analyses that take time on big data (scorecard, diagnostics, voice of the customer, the
measured effect of initiatives) are kept in memory per workspace and *data version*: the
newest import batch in DuckDB ``import_batches`` and the tagging state of the comments. A new
import changes the version, so the next page computes afresh; nothing is served stale.
Every function returns JSON-ready dicts (or the core's result objects) and raises the core's
typed errors (:class:`~cxo.errors.MissingDataError` says which import provides the data).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cxo.errors import MissingDataError
from cxo.web.lru import SingleFlightLRU
from cxo.workspace import Workspace, latest_assessment

T = TypeVar("T")
_analyses = SingleFlightLRU(64)

VOICE_BOOT = 200
VOICE_BOOT_ADJUSTED = 100
"""Bootstrap replicates for theme impact on the page (the CLI's default is 1000)."""
PAIN_QUOTES = 30


_VERSION_TTL = 1.0
"""Seconds a looked-up data version is reused while the database files are changing."""
_versions: dict[str, tuple[float, Hashable | None, tuple[Any, ...]]] = {}


def data_version(ws: Workspace) -> tuple[Any, ...]:
    """What the cached analyses depend on: the newest import batch and the tagged comments.
    Looked up again only when the database files changed (:func:`cxo.web.pagecache.
    data_stamp`), at most once a second while they are changing."""
    from cxo.web.pagecache import Unsettled, data_stamp

    try:
        files: Hashable | None = data_stamp(ws)
    except Unsettled:
        files = None
    now = time.monotonic()
    found = _versions.get(str(ws.root))
    if found is not None:
        at, seen, version = found
        if files is not None and files == seen:
            return version
        if files is None and now - at < _VERSION_TTL:
            return version
    version = _lookup_version(ws)
    _versions[str(ws.root)] = (now, files, version)
    return version


def _lookup_version(ws: Workspace) -> tuple[Any, ...]:
    with ws.connect(read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        batch: tuple[Any, ...] = ()
        if "import_batches" in tables:
            row = con.execute(
                "SELECT count(*), max(finished_at), max(batch_id) FROM import_batches"
            ).fetchone()
            batch = tuple(row) if row else ()
        tagged: tuple[Any, ...] = ()
        if "response_text" in tables:
            row = con.execute("SELECT count(*) FROM response_text").fetchone()
            tagged = tuple(row) if row else ()
    return (str(ws.root), batch, tagged)


def cached(ws: Workspace, name: str, params: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per workspace data version, ``name`` and ``params`` (LRU, bounded);
    concurrent requests for the same key wait for the first instead of computing it again."""
    return _analyses.get((data_version(ws), name, params), compute)


def clear() -> None:
    """Forget every cached analysis and page (tests)."""
    from cxo.web import pagecache

    _analyses.clear()
    _versions.clear()
    pagecache.clear()


def scorecard(ws: Workspace, by: tuple[str, ...], period: str | None) -> Any:
    """The scorecard (a :class:`~cxo.engine.scorecard.Scorecard`) grouped ``by``."""
    from cxo.engine import scorecard as compute

    return cached(ws, "scorecard", (by, period), lambda: compute(ws, by=by, period=period))


def trend(ws: Workspace) -> dict[str, Any]:
    """The scorecard by quarter as JSON (the overview's trend chart)."""
    from cxo.report.scorecard import to_json

    return to_json(scorecard(ws, ("quarter",), None))


def proofs(ws: Workspace) -> tuple[list[Any], dict[str, str]]:
    """The measured effect (:class:`~cxo.initiatives.Proof`) of every launched initiative,
    and why the others are not measured yet."""
    from cxo.initiatives import initiatives, measure_all

    portfolio = list(initiatives(ws.app_database_url))
    key = tuple(repr(i.to_dict()) for i in portfolio)
    return cached(ws, "proofs", key, lambda: measure_all(ws, portfolio))


def diagnostics(ws: Workspace) -> dict[str, Any]:
    """Every diagnostic: its result, or the :class:`MissingDataError` saying what is missing.
    The board report's saved run (:mod:`cxo.report.board_inputs`) when it matches the data
    (its results are :class:`~cxo.report.board_inputs.Saved`), else computed now."""
    from cxo.diagnostics import diagnose_all
    from cxo.report import board_inputs

    def compute() -> dict[str, Any]:
        saved = board_inputs.load(ws)
        if saved is not None and saved.diagnostics:
            return dict(saved.diagnostics)
        return dict(diagnose_all(ws))

    return cached(ws, "diagnostics", None, compute)


def assessment(ws: Workspace) -> dict[str, Any]:
    """The latest saved assessment, whatever command made it."""
    return latest_assessment(ws, needed_for="the assessment pages")[1]


def _tagged(ws: Workspace) -> Any:
    from cxo.text.workspace import ws_tables

    with ws.connect(read_only=True) as con:
        if "response_text" not in ws_tables(con):
            raise MissingDataError(
                "the comments are not analysed yet (table `response_text`)",
                hint="import responses with comments (`cxo import responses FILE`), "
                "then run `cxo text tag`",
            )
        return con.execute(
            """SELECT r.response_id, r.nps, r.responded_at, r.touchpoint, t.redacted_text,
                      t.sentiment_score,
                      coalesce(list(th.theme) FILTER (WHERE th.theme IS NOT NULL), []) AS themes
               FROM responses r JOIN response_text t USING (response_id)
               LEFT JOIN response_themes th USING (response_id)
               GROUP BY ALL ORDER BY r.response_id"""
        ).df()


def voice(ws: Workspace) -> dict[str, Any]:
    """Themes (mentions, owners), their impact on NPS, the emerging ones and redacted quotes."""

    def compute() -> dict[str, Any]:
        from cxo.text import emerging_themes, theme_impact, verbatims
        from cxo.text.impact_data import impact_inputs, impact_patterns
        from cxo.text.workspace import load_codeframe

        df = _tagged(ws)
        if df.empty:
            raise MissingDataError(
                "no analysed comments yet",
                hint="import responses with comments (`cxo import responses FILE`), "
                "then run `cxo text tag`",
            )
        impact = theme_impact(
            **impact_inputs(impact_patterns(ws)),  # counted in the engine: rows stay there
            n_boot=VOICE_BOOT,
            n_boot_adjusted=VOICE_BOOT_ADJUSTED,
        )
        emerging = emerging_themes(list(df["responded_at"]), list(df["themes"]), freq="M")
        quotes = verbatims(
            list(df["redacted_text"].fillna("")),
            list(df["themes"]),
            list(df["sentiment_score"]),
            k=2,
        )
        frame = load_codeframe(ws)
        labels = {t.key: (t.label_de, t.label_en) for t in (frame.theme(k) for k in frame.keys)}
        return {
            "impact": [r.to_dict() for r in impact],
            "emerging": [r.to_dict() for r in emerging],
            "verbatims": quotes,
            "labels": labels,
            "comments": len(df),
        }

    return cached(ws, "voice", None, compute)


def pain_quotes(ws: Workspace, touchpoint: str | None, theme: str | None) -> list[dict[str, Any]]:
    """Redacted comments at ``touchpoint`` tagged ``theme``, the most negative first."""
    from cxo.text.workspace import ws_tables

    with ws.connect(read_only=True) as con:
        if "response_text" not in ws_tables(con):
            raise MissingDataError(
                "the comments are not analysed yet (table `response_text`)",
                hint="import responses with comments (`cxo import responses FILE`), "
                "then run `cxo text tag`",
            )
        where, params = ["t.redacted_text IS NOT NULL", "t.redacted_text <> ''"], []
        if touchpoint:
            where.append("r.touchpoint = ?")
            params.append(touchpoint)
        if theme:
            where.append(
                "r.response_id IN (SELECT response_id FROM response_themes WHERE theme = ?)"
            )
            params.append(theme)
        rows = con.execute(
            f"""SELECT t.redacted_text, r.nps, r.responded_at, t.sentiment_score
                FROM responses r JOIN response_text t USING (response_id)
                WHERE {" AND ".join(where)}
                ORDER BY t.sentiment_score NULLS LAST, r.responded_at DESC
                LIMIT {PAIN_QUOTES}""",
            params,
        ).fetchall()
    return [{"text": r[0], "nps": r[1], "date": r[2], "sentiment": r[3]} for r in rows]


def followup_report(ws: Workspace, touchpoints: set[str] | None) -> dict[str, Any]:
    """The follow-up SLA report (an owner's touchpoints only when ``touchpoints`` is given)."""
    from cxo.followups import report

    data = report(ws).to_dict()
    if touchpoints is not None and "by_touchpoint" in data:
        data["by_touchpoint"] = [g for g in data["by_touchpoint"] if g["group"] in touchpoints]
    return data
