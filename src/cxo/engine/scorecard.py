"""The scorecard: NPS, CSAT top-2-box, CES and churn per group, KPI status and change tests.

``scorecard(ws, by=["touchpoint"])`` fetches the aggregates of :mod:`cxo.engine.aggregates`
(one small Arrow table per grouping) and runs :mod:`cxo.stats` on them:

* NPS with the adjusted-Wald interval (points), CSAT top-2-box share with the Wilson interval,
  CES mean with the t interval, churn share with the Wilson interval;
* churn needs the ``customers`` table and is defined where a group is made of customers
  (overall, segment, month, quarter): customers active at the start of the period who churned
  inside it. Without a period grouping the period is the window ``[--from, --to]``; without
  ``--from`` it is the 12 months up to ``--to`` (default: the day of the last response), i.e. an
  annual churn rate, comparable with the charter's churn targets;
* ``compare=("previous",)`` tests the last period against the one before (by quarter unless the
  grouping has a month or quarter), ``compare=("segments",)`` tests every pair of segments; all
  tests of one scorecard are Benjamini–Hochberg corrected together and only those with an
  adjusted p-value ≤ ``alpha`` are flagged significant (:mod:`cxo.engine.comparisons`);
* KPIs: every touchpoint KPI of the charter against its target over the whole window
  (:mod:`cxo.engine.kpis`).

The result is data; :mod:`cxo.report.scorecard` renders it as text, HTML and JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Message, msg
from cxo.engine.aggregates import check_dims, count_rows, fetch, quiet
from cxo.engine.comparisons import (
    COMPARISONS,
    Comparison,
    compare_previous,
    compare_segments,
)
from cxo.engine.groups import GroupQueries, Key
from cxo.engine.kpis import METRICS, KpiStatus, kpis
from cxo.engine.periods import minus_year, parse_period
from cxo.engine.sums import CES_SCALE, GroupSums, MetricEstimate, clean
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats import MeanEstimate, NpsEstimate, ProportionEstimate, fdr_bh

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxo.core.charter import Charter
    from cxo.workspace import Workspace

__all__ = [
    "CES_SCALE",
    "COMPARISONS",
    "METRICS",
    "Comparison",
    "KpiStatus",
    "Scorecard",
    "ScorecardRow",
    "build_scorecard",
    "parse_period",
    "scorecard",
]


@dataclass(frozen=True)
class ScorecardRow:
    """One group: its keys, labels, response count and the four metrics (``None``: no data)."""

    group: dict[str, str | None]
    labels: dict[str, str]
    n: int
    nps: NpsEstimate | None
    csat: ProportionEstimate | None
    ces: MeanEstimate | None
    churn: ProportionEstimate | None

    def metric(self, name: str) -> MetricEstimate | None:
        """The estimate of ``name`` (nps, csat, ces, churn)."""
        value: MetricEstimate | None = getattr(self, name)
        return value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out: dict[str, Any] = {"group": dict(self.group), "labels": dict(self.labels), "n": self.n}
        for m in METRICS:
            est = self.metric(m)
            out[m] = est.to_dict() if est is not None else None
        return out

    def to_record(self) -> dict[str, Any]:
        """A flat dict for CSV: group keys, then value, interval and n per metric."""
        rec: dict[str, Any] = dict(self.group)
        rec["responses"] = self.n
        for m in METRICS:
            est = self.metric(m)
            rec[m] = None if est is None else clean(est.value)
            rec[f"{m}_ci_low"] = None if est is None else clean(est.ci_low)
            rec[f"{m}_ci_high"] = None if est is None else clean(est.ci_high)
            rec[f"{m}_n"] = None if est is None else est.n
        return rec


@dataclass(frozen=True)
class Scorecard:
    """The scorecard result: ``rows`` per group, ``total``, ``kpis`` and ``comparisons``.

    ``language`` is the workspace language the charter's labels (``labels``, KPI ``label``)
    were taken in; ``notes`` say why a requested comparison or churn could not be made.
    """

    by: tuple[str, ...]
    rows: list[ScorecardRow]
    total: ScorecardRow
    kpis: list[KpiStatus]
    comparisons: list[Comparison]
    window: tuple[dt.date, dt.date]
    churn_window: tuple[dt.date, dt.date] | None
    language: str = "en"
    level: float = 0.95
    alpha: float = 0.05
    compare: tuple[str, ...] = ()
    notes: list[Message] = field(default_factory=list)

    @property
    def significant(self) -> list[Comparison]:
        """The comparisons flagged significant after Benjamini–Hochberg."""
        return [c for c in self.comparisons if c.significant]

    def kpi_counts(self) -> dict[str, int]:
        """How many KPIs are met, missed and without data."""
        return {s: sum(k.status == s for k in self.kpis) for s in ("met", "missed", "no data")}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``notes`` are message dicts (the renderer adds their texts)."""
        return {
            "by": list(self.by),
            "window": {"from": self.window[0].isoformat(), "to": self.window[1].isoformat()},
            "churn_window": None
            if self.churn_window is None
            else {"from": self.churn_window[0].isoformat(), "to": self.churn_window[1].isoformat()},
            "language": self.language,
            "level": self.level,
            "alpha": self.alpha,
            "compare": list(self.compare),
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
            "kpis": [k.to_dict() for k in self.kpis],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "notes": [n.to_dict() for n in self.notes],
        }

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows (CSV): one per group (the total is in :attr:`total`)."""
        return [r.to_record() for r in self.rows]


def _order(dim: str, value: str | None, charter: Charter | None) -> tuple[int, int, str]:
    if value is None:
        return (1, 0, "")
    if dim in ("touchpoint", "segment") and charter is not None:
        items = charter.touchpoints if dim == "touchpoint" else charter.segments
        keys = [item.key for item in items]
        if value in keys:
            return (0, keys.index(value), value)
        return (0, len(keys), value)
    return (0, 0, value)


def _label(dim: str, value: str | None, charter: Charter | None, language: str) -> str:
    """The charter's label of a touchpoint or segment (user data), else the value itself."""
    if value is None:
        return "–"
    if charter is not None:
        if dim == "touchpoint":
            for tp in charter.touchpoints:
                if tp.key == value:
                    return tp.label(language)
        if dim == "segment":
            for seg in charter.segments:
                if seg.key == value:
                    return seg.label(language)
    return value


def _check_arguments(
    by: Sequence[str],
    compare: Sequence[str],
    level: float,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[str, ...]:
    dims = check_dims(by)
    unknown = [c for c in compare if c not in COMPARISONS]
    if unknown:
        raise UsageError(f"unknown comparison {', '.join(unknown)}; choose previous or segments")
    if not 0 < level < 1:
        raise UsageError(f"level must lie between 0 and 1, got {level}")
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {date_from} lies after --to {date_to}")
    return dims


def _rows(
    q: GroupQueries,
    dims: tuple[str, ...],
    groups: dict[Key, GroupSums],
    charter: Charter | None,
    language: str,
) -> list[ScorecardRow]:
    rows: list[ScorecardRow] = []
    # Groups made of customers can have churn without any response in them.
    keys = set(groups) | set(q.churn(dims) or {}) if dims else set(groups)
    for key in sorted(
        keys, key=lambda k: [_order(d, v, charter) for d, v in zip(dims, k, strict=True)]
    ):
        sums = groups.get(key, GroupSums())
        rows.append(
            ScorecardRow(
                group=dict(zip(dims, key, strict=True)),
                labels={d: _label(d, v, charter, language) for d, v in zip(dims, key, strict=True)},
                n=sums.n,
                nps=sums.nps(q.level),
                csat=sums.csat(q.level),
                ces=sums.ces(q.level),
                churn=q.churn_estimate(dims, key),
            )
        )
    return rows


def _comparisons(
    q: GroupQueries,
    dims: tuple[str, ...],
    compare: Sequence[str],
    alpha: float,
    notes: list[Message],
) -> list[Comparison]:
    comparisons: list[Comparison] = []
    if "previous" in compare:
        comparisons += compare_previous(q, dims, notes)
    if "segments" in compare:
        comparisons += compare_segments(q, dims, notes)
    if comparisons:
        reject, adjusted = fdr_bh([c.p_value for c in comparisons], alpha)
        comparisons = [
            replace(c, p_adjusted=float(p), significant=bool(r))
            for c, p, r in zip(comparisons, adjusted, reject, strict=True)
        ]
    return comparisons


def _empty(responses: ir.Table, date_from: dt.date | None, date_to: dt.date | None) -> Exception:
    if count_rows(responses) == 0:
        return MissingDataError(
            "the scorecard needs table `responses`, which is empty",
            hint="import it with `cxo import responses FILE`",
        )
    return InsufficientDataError(
        f"no responses between {date_from or 'the start'} and {date_to or 'the end'}"
    )


def _window(
    q: GroupQueries,
    total: GroupSums,
    responses: ir.Table,
    customers: ir.Table | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    notes: list[Message],
) -> tuple[dt.date, dt.date]:
    """The responses' window (and the churn window in ``q``).

    Without any survey response, a workspace with customers still gets its churn: the window
    is then the year up to the last signup or churn date (or ``date_to``).
    """
    if total.n == 0:
        if customers is None or count_rows(responses) > 0:
            raise _empty(responses, date_from, date_to)
        last = date_to or _last_customer_date(customers)
        if last is None:
            raise _empty(responses, date_from, date_to)
        c_end = last + dt.timedelta(days=1)
        q.churn_window = (date_from or minus_year(c_end), c_end)
        notes.append(msg("platforms.note.no_responses"))
        return q.churn_window[0], last
    first_at, last_at = total.first_at, total.last_at
    if first_at is None or last_at is None:  # pragma: no cover - n > 0 implies both
        raise InsufficientDataError("responses without a response time")
    w_start = date_from or first_at.date()
    w_end = date_to or last_at.date()
    if customers is not None:
        c_end = w_end + dt.timedelta(days=1)
        q.churn_window = (date_from or minus_year(c_end), c_end)
    return w_start, w_end


def _last_customer_date(customers: ir.Table) -> dt.date | None:
    """The latest signup or churn date of ``customers``."""
    rows = fetch(
        customers.aggregate(signup=customers.signup_date.max(), churn=customers.churn_date.max())
    )
    dates = [v for v in (rows[0].values() if rows else ()) if v is not None]
    if not dates:
        return None
    latest = max(d.date() if isinstance(d, dt.datetime) else d for d in dates)
    return latest if isinstance(latest, dt.date) else None


def build_scorecard(
    responses: ir.Table,
    customers: ir.Table | None = None,
    *,
    by: Sequence[str] = ("touchpoint",),
    charter: Charter | None = None,
    language: str = "en",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    compare: Sequence[str] = (),
    level: float = 0.95,
    alpha: float = 0.05,
) -> Scorecard:
    """The scorecard over ibis tables (any backend); ``date_from``/``date_to`` are inclusive."""
    dims = _check_arguments(by, compare, level, date_from, date_to)
    start = dt.datetime.combine(date_from, dt.time()) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) if date_to else None
    q = GroupQueries(responses, customers, start, end, level)
    groups = q.groups(dims)
    total = GroupSums()
    for sums in groups.values():
        total.add(sums)
    notes: list[Message] = []
    w_start, w_end = _window(q, total, responses, customers, date_from, date_to, notes)
    needs_segment = "segment" in dims or "segments" in compare
    if needs_segment and customers is None and "segment" not in responses.columns:
        raise MissingDataError(
            "grouping by segment needs table `customers`",
            hint="import it with `cxo import customers FILE`",
        )
    rows = _rows(q, dims, groups, charter, language)
    total_churn = q.churn_estimate((), ())
    total_row = ScorecardRow(
        group={},
        labels={},
        n=total.n,
        nps=total.nps(level),
        csat=total.csat(level),
        ces=total.ces(level),
        churn=total_churn,
    )
    if customers is not None and total_churn is None:
        notes.append(msg("scorecard.note.no_churn_customers"))
    comparisons = _comparisons(q, dims, compare, alpha, notes)
    return Scorecard(
        by=dims,
        rows=rows,
        total=total_row,
        kpis=kpis(q, charter, total_churn, language) if charter is not None else [],
        comparisons=comparisons,
        window=(w_start, w_end),
        churn_window=None
        if q.churn_window is None
        else (q.churn_window[0], q.churn_window[1] - dt.timedelta(days=1)),
        language=language,
        level=level,
        alpha=alpha,
        compare=tuple(compare),
        notes=notes,
    )


def scorecard(
    ws: Workspace,
    by: Sequence[str] = ("touchpoint",),
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period: str | None = None,
    compare: Sequence[str] = (),
    level: float = 0.95,
    alpha: float = 0.05,
    engine: str | None = None,
) -> Scorecard:
    """The scorecard of a workspace (see the module docstring).

    ``period`` (``2026``, ``2026-Q3``, ``2026-07``) sets ``date_from``/``date_to`` when they
    are not given. ``engine`` (default: ``[analytics] engine``, else ``duckdb``): ``spark``
    computes it on Spark over the published lake (:mod:`cxo.engine.spark`). Raises
    :class:`MissingDataError` when ``responses`` is empty.
    """
    from cxo.engine.spark import check_engine

    if period is not None:
        p_from, p_to = parse_period(period)
        date_from = date_from or p_from
        date_to = date_to or p_to
    options: dict[str, Any] = {"compare": compare, "level": level, "alpha": alpha}
    on_spark = check_engine(engine, ws, "scorecard") == "spark"
    with quiet():
        if on_spark:
            return _spark_scorecard(ws, by, date_from, date_to, **options)
        return _workspace_scorecard(ws, by, date_from, date_to, **options)


def _spark_scorecard(
    ws: Workspace,
    by: Sequence[str],
    date_from: dt.date | None,
    date_to: dt.date | None,
    **options: Any,
) -> Scorecard:
    from cxo.engine.spark import quiet_spark, spark_scorecard_tables

    with quiet_spark():
        responses, customers = spark_scorecard_tables(ws)
        return build_scorecard(
            responses,
            customers,
            by=by,
            charter=ws.charter(),
            language=ws.settings.language,
            date_from=date_from,
            date_to=date_to,
            **options,
        )


def _workspace_scorecard(
    ws: Workspace,
    by: Sequence[str],
    date_from: dt.date | None,
    date_to: dt.date | None,
    *,
    compare: Sequence[str],
    level: float,
    alpha: float,
) -> Scorecard:
    con = ws.ibis(read_only=True)
    try:
        responses = con.table("responses")
        customers_t = con.table("customers")
        has_customers = count_rows(customers_t) > 0
        return build_scorecard(
            responses,
            customers_t if has_customers else None,
            by=by,
            charter=ws.charter(),
            language=ws.settings.language,
            date_from=date_from,
            date_to=date_to,
            compare=compare,
            level=level,
            alpha=alpha,
        )
    finally:
        con.disconnect()
