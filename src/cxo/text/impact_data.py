"""Theme impact's input, aggregated in the engine: one row per response pattern.

Theme impact (:func:`cxo.text.impact.theme_impact`) needs, per analysed response, its NPS
answer, its set of themes and its touchpoint. Millions of such rows are millions of Python
objects; but NPS impact only distinguishes promoters, passives and detractors, so responses
that share a category, a theme set and a touchpoint are interchangeable. This module counts
them in the engine — DuckDB on the workspace (or the lake), or Spark over the published lake —
with one ibis expression for both, and returns the few thousand patterns:

``category`` (+100 promoter, 0 passive, −100 detractor), ``touchpoint``, ``themes`` (the
sorted theme keys joined by ``|``; empty for none) and ``n``.

Only responses with an NPS answer and an analysed comment (``response_text``) count, as in the
row-level computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxo.errors import MissingDataError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxo.workspace import Workspace

SEPARATOR = "|"
"""Joins a pattern's theme keys (keys are ``[a-z0-9_]``, so it never occurs inside one)."""

_MISSING_HINT = "import responses with comments (`cxo import responses FILE`), then `cxo text tag`"


@dataclass(frozen=True)
class ImpactPatterns:
    """Response patterns and how many responses share each, in a fixed order."""

    scores: list[float]
    """A representative 0–10 answer of the category (10, 8 or 0)."""
    theme_sets: list[frozenset[str]]
    touchpoints: list[str | None]
    counts: list[int]

    @property
    def responses(self) -> int:
        """Responses the patterns stand for."""
        return sum(self.counts)


_SCORE = {100: 10.0, 0: 8.0, -100: 0.0}


def pattern_expr(responses: ir.Table, texts: ir.Table, themes: ir.Table) -> ir.Table:
    """The ibis expression counting patterns (works on the DuckDB and the pyspark backend)."""
    import ibis

    per_response = themes.group_by("response_id").aggregate(
        themes=themes.theme.collect().sort().join(SEPARATOR)
    )
    scored = responses.filter(responses.nps.notnull()).select("response_id", "nps", "touchpoint")
    commented = scored.semi_join(texts, "response_id")
    joined = commented.left_join(per_response, "response_id").select(
        category=ibis.cases((commented.nps >= 9, 100), (commented.nps <= 6, -100), else_=0).cast(
            "int32"
        ),
        touchpoint=commented.touchpoint,
        themes=per_response.themes.fill_null(""),
    )
    return joined.group_by(["category", "touchpoint", "themes"]).aggregate(n=ibis._.count())


def _collect(expr: ir.Table) -> ImpactPatterns:
    table = expr.to_pyarrow().to_pylist()
    rows = sorted(
        table,
        key=lambda r: (r["category"], r["touchpoint"] is None, r["touchpoint"] or "", r["themes"]),
    )
    return ImpactPatterns(
        scores=[_SCORE[int(r["category"])] for r in rows],
        theme_sets=[frozenset(t for t in str(r["themes"]).split(SEPARATOR) if t) for r in rows],
        touchpoints=[r["touchpoint"] for r in rows],
        counts=[int(r["n"]) for r in rows],
    )


def impact_patterns(ws: Workspace, engine: str = "duckdb") -> ImpactPatterns:
    """The workspace's response patterns, counted on ``engine`` (``duckdb`` or ``spark``)."""
    from cxo.text.workspace import ws_tables

    if engine == "spark":
        return _spark_patterns(ws)
    con = ws.ibis(read_only=True)
    try:
        if not {"response_text", "response_themes"} <= ws_tables(con.con):
            raise MissingDataError(
                "the comments are not analysed yet (table `response_text`)", hint=_MISSING_HINT
            )
        return _collect(
            pattern_expr(
                con.table("responses"), con.table("response_text"), con.table("response_themes")
            )
        )
    finally:
        con.disconnect()


def _spark_patterns(ws: Workspace) -> ImpactPatterns:
    from cxo.engine.spark import backend, lake_table, quiet_spark
    from cxo.lake import lake_path, manifest

    published = {
        str(t.get("name")) for t in manifest(lake_path(ws))["tables"] if isinstance(t, dict)
    }
    if not {"response_text", "response_themes"} <= published:
        raise MissingDataError(
            "the analysed comments are not in the lake (tables `response_text`, `response_themes`)",
            hint="run `cxo text tag`, then `cxo publish`",
        )
    with quiet_spark():
        con = backend()
        return _collect(
            pattern_expr(
                lake_table(con, ws, "responses"),
                lake_table(con, ws, "response_text"),
                lake_table(con, ws, "response_themes"),
            )
        )


def impact_inputs(patterns: ImpactPatterns) -> dict[str, Any]:
    """Keyword arguments of :func:`cxo.text.impact.theme_impact` for ``patterns``."""
    return {
        "scores": patterns.scores,
        "theme_sets": patterns.theme_sets,
        "covariates": patterns.touchpoints,
        "counts": patterns.counts,
    }
