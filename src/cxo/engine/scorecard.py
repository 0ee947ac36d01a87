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
  adjusted p-value ≤ ``alpha`` are flagged significant;
* KPIs: every touchpoint KPI of the charter against its target over the whole window, aware of
  the direction (higher/lower is better): ``met``, ``missed``, ``no data``, or ``not measured``
  for metrics the scorecard does not compute (fcr, task_success).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from cxo.core.contract import get_table
from cxo.engine.aggregates import (
    PERIOD_DIMS,
    check_dims,
    churn_aggregates,
    count_rows,
    fetch,
    quiet,
    response_aggregates,
)
from cxo.engine.format import format_number, format_percent
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats import (
    MeanEstimate,
    NpsEstimate,
    ProportionEstimate,
    fdr_bh,
    mean_t_from_sums,
    nps_difference,
    nps_from_counts,
    proportion,
    two_proportion_test,
    welch_t_from_sums,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxo.core.charter import Charter
    from cxo.workspace import Workspace

COMPARISONS = ("previous", "segments")
METRICS = ("nps", "csat", "ces", "churn")
_CES = get_table("responses").column("ces")
CES_SCALE = (
    float(_CES.min if _CES.min is not None else 1),
    float(_CES.max if _CES.max is not None else 7),
)
"""The CES answer scale (from the data contract): its mean's interval is clipped to it."""
MEASURED = frozenset(METRICS)
Key = tuple[str | None, ...]


# --- aggregates ------------------------------------------------------------------------------
@dataclass
class _Agg:
    """Additive sufficient statistics of one group (so groups roll up by summing)."""

    n: int = 0
    n_nps: int = 0
    promoters: int = 0
    detractors: int = 0
    n_csat: int = 0
    csat_top2: int = 0
    n_ces: int = 0
    ces_sum: float = 0.0
    ces_sumsq: float = 0.0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> _Agg:
        return cls(
            n=int(row["n"]),
            n_nps=int(row["n_nps"]),
            promoters=int(row["promoters"] or 0),
            detractors=int(row["detractors"] or 0),
            n_csat=int(row["n_csat"]),
            csat_top2=int(row["csat_top2"] or 0),
            n_ces=int(row["n_ces"]),
            ces_sum=float(row["ces_sum"] or 0),
            ces_sumsq=float(row["ces_sumsq"] or 0),
            first_at=row["first_at"],
            last_at=row["last_at"],
        )

    def add(self, other: _Agg) -> None:
        for name in ("n", "n_nps", "promoters", "detractors", "n_csat", "csat_top2", "n_ces"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ces_sum += other.ces_sum
        self.ces_sumsq += other.ces_sumsq
        firsts = [x for x in (self.first_at, other.first_at) if x is not None]
        lasts = [x for x in (self.last_at, other.last_at) if x is not None]
        self.first_at = min(firsts) if firsts else None
        self.last_at = max(lasts) if lasts else None

    def nps(self, level: float) -> NpsEstimate | None:
        if not self.n_nps:
            return None
        passives = self.n_nps - self.promoters - self.detractors
        return nps_from_counts(self.promoters, passives, self.detractors, level)

    def csat(self, level: float) -> ProportionEstimate | None:
        return proportion(self.csat_top2, self.n_csat, level) if self.n_csat else None

    def ces(self, level: float) -> MeanEstimate | None:
        if not self.n_ces:
            return None
        return mean_t_from_sums(self.n_ces, self.ces_sum, self.ces_sumsq, level, bounds=CES_SCALE)


# --- results ---------------------------------------------------------------------------------
Estimate = NpsEstimate | ProportionEstimate | MeanEstimate


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

    def metric(self, name: str) -> Estimate | None:
        """The estimate of ``name`` (nps, csat, ces, churn)."""
        value: Estimate | None = getattr(self, name)
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
            rec[m] = None if est is None else _clean(est.value)
            rec[f"{m}_ci_low"] = None if est is None else _clean(est.ci_low)
            rec[f"{m}_ci_high"] = None if est is None else _clean(est.ci_high)
            rec[f"{m}_n"] = None if est is None else est.n
        return rec


@dataclass(frozen=True)
class KpiStatus:
    """A charter KPI of a touchpoint against its target."""

    touchpoint: str
    label: str
    department: str | None
    accountable: str | None
    metric: str
    target: float | None
    direction: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    status: str  # met | missed | no data | not measured | no target

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {k: _clean(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Comparison:
    """One difference test (``a − b``) with its BH-adjusted p-value."""

    kind: str  # previous | segments
    metric: str
    group: dict[str, str | None]
    a: str
    b: str
    value_a: float
    value_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    n_a: int
    n_b: int
    p_adjusted: float = math.nan
    significant: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {k: _clean(v) for k, v in self.__dict__.items()}


_TEXT = {
    "en": {
        "title": "Scorecard",
        "total": "Total",
        "responses": "responses",
        "n": "n",
        "nps": "NPS",
        "csat": "CSAT (top-2-box)",
        "ces": "CES (mean)",
        "churn": "Churn",
        "kpis": "KPI targets",
        "touchpoint": "Touchpoint",
        "segment": "Segment",
        "channel": "Channel",
        "month": "Month",
        "quarter": "Quarter",
        "owner": "Owner",
        "metric": "Metric",
        "target": "Target",
        "value": "Value",
        "status": "Status",
        "met": "met",
        "missed": "missed",
        "no data": "no data",
        "not measured": "not measured yet",
        "no target": "no target",
        "changes": "Significant differences",
        "none_sig": "No significant differences (after Benjamini–Hochberg correction).",
        "previous": "last period vs previous",
        "segments": "between segments",
        "interval": "{level} intervals",
        "window": "window",
    },
    "de": {
        "title": "Scorecard",
        "total": "Gesamt",
        "responses": "Antworten",
        "n": "n",
        "nps": "NPS",
        "csat": "CSAT (Top-2-Box)",
        "ces": "CES (Mittel)",
        "churn": "Kündigungsquote",
        "kpis": "KPI-Ziele",
        "touchpoint": "Kontaktpunkt",
        "segment": "Segment",
        "channel": "Kanal",
        "month": "Monat",
        "quarter": "Quartal",
        "owner": "Verantwortlich",
        "metric": "Kennzahl",
        "target": "Ziel",
        "value": "Wert",
        "status": "Status",
        "met": "erreicht",
        "missed": "verfehlt",
        "no data": "keine Daten",
        "not measured": "noch nicht gemessen",
        "no target": "kein Ziel",
        "changes": "Signifikante Unterschiede",
        "none_sig": "Keine signifikanten Unterschiede (nach Benjamini-Hochberg-Korrektur).",
        "previous": "letzte Periode gegen vorherige",
        "segments": "zwischen Segmenten",
        "interval": "{level}-Intervalle",
        "window": "Zeitraum",
    },
}


def text(key: str, language: str) -> str:
    """A user-facing label in German or English."""
    return _TEXT.get(language, _TEXT["en"])[key]


def format_metric(metric: str, value: float | None, language: str, *, signed: bool = False) -> str:
    """A metric value in its display unit (NPS points, CSAT and churn in %, CES mean)."""
    if value is None or math.isnan(value):
        return "–"
    if metric in {"csat", "churn", "fcr", "task_success"}:
        out = format_percent(value, 1, language)
    else:
        out = format_number(value, 1 if metric == "nps" else 2, language)
    return ("+" + out) if signed and value > 0 else out


def format_estimate(metric: str, est: Estimate | None, language: str) -> str:
    """``value [low, high]`` in the metric's display unit."""
    if est is None:
        return "–"
    value = format_metric(metric, est.value, language)
    if math.isnan(est.ci_low):
        return value
    sep = "; " if language == "de" else ", "
    low = format_metric(metric, est.ci_low, language)
    high = format_metric(metric, est.ci_high, language)
    return f"{value} [{low}{sep}{high}]"


@dataclass(frozen=True)
class Scorecard:
    """The scorecard result: ``rows`` per group, ``total``, ``kpis`` and ``comparisons``."""

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
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> list[Comparison]:
        """The comparisons flagged significant after Benjamini–Hochberg."""
        return [c for c in self.comparisons if c.significant]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the CLI's ``--json`` and the REST API)."""
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
            "notes": list(self.notes),
        }

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows (CSV): one per group (the total is in :attr:`total`)."""
        return [r.to_record() for r in self.rows]

    def summary(self) -> str:
        """A few lines of text in the workspace language."""
        lang = self.language
        t = self.total
        counts = {s: sum(k.status == s for k in self.kpis) for s in ("met", "missed", "no data")}
        lines = [
            f"{text('title', lang)} ({', '.join(self.by) or text('total', lang)}; "
            f"{text('window', lang)} {self.window[0].isoformat()} – {self.window[1].isoformat()}): "
            f"{format_number(t.n, 0, lang)} {text('responses', lang)}",
            "  "
            + " · ".join(
                f"{text(m, lang)} {format_estimate(m, t.metric(m), lang)}"
                for m in METRICS
                if t.metric(m) is not None
            ),
        ]
        if self.kpis:
            lines.append(
                f"  {text('kpis', lang)}: "
                + ", ".join(f"{counts[s]} {text(s, lang)}" for s in ("met", "missed", "no data"))
            )
        if self.compare:
            lines.append(f"  {text('changes', lang)}: {len(self.significant)}")
        return "\n".join(lines)

    def to_html(self) -> str:
        """An autoescaped HTML section for the report."""
        lang = self.language
        return _HTML.render(
            sc=self,
            t=lambda k: text(k, lang),
            est=lambda m, e: format_estimate(m, e, lang),
            val=lambda m, v, signed=False: format_metric(m, v, lang, signed=signed),
            num=lambda v, d=0: format_number(v, d, lang),
            metrics=METRICS,
            level=format_percent(self.level, 0, lang),
        )


_HTML = Environment(autoescape=True).from_string(
    """<section class="scorecard">
<p>{{ t('window') }} {{ sc.window[0].isoformat() }} – {{ sc.window[1].isoformat() }};
{{ num(sc.total.n) }} {{ t('responses') }}; {{ t('interval').format(level=level) }}.</p>
<table>
<thead><tr>{% for d in sc.by %}<th>{{ t(d) }}</th>{% endfor %}<th>{{ t('n') }}</th>
{% for m in metrics %}<th>{{ t(m) }}</th>{% endfor %}</tr></thead>
<tbody>
{% for r in sc.rows %}<tr>{% for d in sc.by %}<td>{{ r.labels[d] }}</td>{% endfor %}
<td>{{ num(r.n) }}</td>{% for m in metrics %}<td>{{ est(m, r.metric(m)) }}</td>{% endfor %}</tr>
{% endfor %}<tr class="total">{% if sc.by %}<th colspan="{{ sc.by|length }}">{{ t('total') }}</th>
{% endif %}<td>{{ num(sc.total.n) }}</td>
{% for m in metrics %}<td>{{ est(m, sc.total.metric(m)) }}</td>{% endfor %}</tr>
</tbody></table>
{% if sc.kpis %}<h3>{{ t('kpis') }}</h3>
<table><thead><tr><th>{{ t('touchpoint') }}</th><th>{{ t('owner') }}</th><th>{{ t('metric') }}</th>
<th>{{ t('target') }}</th><th>{{ t('value') }}</th><th>{{ t('status') }}</th></tr></thead><tbody>
{% for k in sc.kpis %}<tr class="kpi-{{ k.status|replace(' ', '-') }}"><td>{{ k.label }}</td>
<td>{{ k.accountable or k.department or '–' }}</td><td>{{ k.metric }}</td>
<td>{{ val(k.metric, k.target) }}</td><td>{{ val(k.metric, k.value) }}</td>
<td>{{ t(k.status) }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if sc.compare %}<h3>{{ t('changes') }}</h3>
{% if sc.significant %}<ul>{% for c in sc.significant %}<li>{{ t(c.kind) }} · {{ t(c.metric) }}
{% for k, v in c.group.items() %}{{ v }} {% endfor %}: {{ c.a }} {{ val(c.metric, c.value_a) }}
vs {{ c.b }} {{ val(c.metric, c.value_b) }} ({{ val(c.metric, c.difference, True) }},
p<sub>BH</sub> = {{ '%.3g'|format(c.p_adjusted) }})</li>{% endfor %}</ul>
{% else %}<p>{{ t('none_sig') }}</p>{% endif %}{% endif %}
</section>
"""
)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# --- computation -----------------------------------------------------------------------------
def _period_label(dim: str, start: dt.datetime | dt.date) -> str:
    if dim == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"


def _period_end(dim: str, start: dt.date) -> dt.date:
    months = 1 if dim == "month" else 3
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, 1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """``2026`` / ``2026-Q3`` / ``2026-07`` → inclusive first and last day."""
    p = period.strip().upper()
    try:
        if len(p) == 4:
            y = int(p)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if len(p) == 7 and p[4:6] == "-Q":
            y, q = int(p[:4]), int(p[6])
            if not 1 <= q <= 4:
                raise ValueError(period)
            start = dt.date(y, 3 * q - 2, 1)
        elif len(p) == 7 and p[4] == "-":
            start = dt.date(int(p[:4]), int(p[5:]), 1)
        else:
            raise ValueError(period)
    except ValueError:
        raise UsageError(
            f"cannot read period {period!r}", hint="use YYYY, YYYY-Qn or YYYY-MM"
        ) from None
    dim = "quarter" if "Q" in p else "month"
    return start, _period_end(dim, start) - dt.timedelta(days=1)


class _Builder:
    """Runs the aggregate queries (memoised per grouping) and the statistics."""

    def __init__(
        self,
        responses: ir.Table,
        customers: ir.Table | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        level: float,
    ) -> None:
        self.responses = responses
        self.customers = customers
        self.start, self.end = start, end
        self.level = level
        self._groups: dict[tuple[str, ...], dict[Key, _Agg]] = {}
        self._churn: dict[tuple[str, ...], dict[Key, tuple[int, int]]] = {}
        self.bounds: dict[str, tuple[dt.date, dt.date]] = {}
        self.churn_window: tuple[dt.date, dt.date] | None = None

    def groups(self, dims: tuple[str, ...]) -> dict[Key, _Agg]:
        """Aggregates per key of ``dims``, rolled up from a finer grouping when one exists."""
        if dims in self._groups:
            return self._groups[dims]
        for have, data in self._groups.items():
            if set(dims) <= set(have):
                idx = [have.index(d) for d in dims]
                out: dict[Key, _Agg] = {}
                for fine, agg in data.items():
                    out.setdefault(tuple(fine[i] for i in idx), _Agg()).add(agg)
                self._groups[dims] = out
                return out
        expr = response_aggregates(
            self.responses, dims, customers=self.customers, start=self.start, end=self.end
        )
        result: dict[Key, _Agg] = {}
        for row in fetch(expr):
            if not row["n"]:
                continue
            parts: list[str | None] = []
            for d in dims:
                value = row[d]
                if d in PERIOD_DIMS:
                    first = value.date() if isinstance(value, dt.datetime) else value
                    label = _period_label(d, first)
                    self.bounds[label] = (first, _period_end(d, first))
                    parts.append(label)
                else:
                    parts.append(None if value is None else str(value))
            result[tuple(parts)] = _Agg.from_row(row)
        self._groups[dims] = result
        return result

    def churn(self, dims: tuple[str, ...]) -> dict[Key, tuple[int, int]] | None:
        """``(at_risk, churned)`` per key of ``dims`` (segment and/or one period), else None."""
        if self.customers is None or self.churn_window is None:
            return None
        if any(d not in ("segment", *PERIOD_DIMS) for d in dims):
            return None
        if dims in self._churn:
            return self._churn[dims]
        pdims = [d for d in dims if d in PERIOD_DIMS]
        if pdims:
            idx = dims.index(pdims[0])
            labels = sorted({str(k[idx]) for k in self.groups(dims) if k[idx] is not None})
            periods = [(lab, *self.bounds[lab]) for lab in labels]
        else:
            periods = [("window", *self.churn_window)]
        if not periods:
            self._churn[dims] = {}
            return self._churn[dims]
        by_segment = "segment" in dims
        expr = churn_aggregates(self.customers, periods, by_segment=by_segment)
        out: dict[Key, tuple[int, int]] = {}
        for row in fetch(expr):
            parts = {"segment": row.get("segment")}
            if pdims:
                parts[pdims[0]] = row["period"]
            key = tuple(parts[d] for d in dims)
            out[key] = (int(row["at_risk"]), int(row["churned"]))
        self._churn[dims] = out
        return out

    def churn_estimate(self, dims: tuple[str, ...], key: Key) -> ProportionEstimate | None:
        data = self.churn(dims)
        if data is None or key not in data or data[key][0] == 0:
            return None
        at_risk, churned = data[key]
        return proportion(churned, at_risk, self.level)


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


def _kpi_status(value: float | None, target: float | None, direction: str) -> str:
    if value is None or math.isnan(value):
        return "no data"
    if target is None:
        return "no target"
    ok = value >= target if direction == "higher" else value <= target
    return "met" if ok else "missed"


def _kpis(
    b: _Builder, charter: Charter, total_churn: ProportionEstimate | None, language: str
) -> list[KpiStatus]:
    per_tp = b.groups(("touchpoint",))
    out: list[KpiStatus] = []
    for tp in charter.touchpoints:
        agg = per_tp.get((tp.key,), _Agg())
        owner = charter.owner_of(tp.key)
        for kpi in tp.kpis:
            est: Estimate | None = None
            if kpi.metric == "nps":
                est = agg.nps(b.level)
            elif kpi.metric == "csat":
                est = agg.csat(b.level)
            elif kpi.metric == "ces":
                est = agg.ces(b.level)
            elif kpi.metric == "churn":
                est = total_churn
            if kpi.metric in MEASURED:
                status = _kpi_status(None if est is None else est.value, kpi.target, kpi.direction)
            else:
                status = "not measured"
            out.append(
                KpiStatus(
                    touchpoint=tp.key,
                    label=tp.label(language),
                    department=owner["department"],
                    accountable=owner["accountable"],
                    metric=kpi.metric,
                    target=kpi.target,
                    direction=kpi.direction,
                    value=None if est is None else _clean(est.value),
                    ci_low=None if est is None else _clean(est.ci_low),
                    ci_high=None if est is None else _clean(est.ci_high),
                    n=0 if est is None else est.n,
                    status=status,
                )
            )
    return out


def _tests(
    kind: str,
    group: dict[str, str | None],
    a: str,
    b: str,
    agg_a: _Agg,
    agg_b: _Agg,
    churn_a: tuple[int, int] | None,
    churn_b: tuple[int, int] | None,
    level: float,
) -> Iterable[Comparison]:
    results: list[tuple[str, Any]] = []
    ea, eb = agg_a.nps(level), agg_b.nps(level)
    if ea is not None and eb is not None:
        results.append(("nps", nps_difference(ea, eb, level)))
    if agg_a.n_csat and agg_b.n_csat:
        results.append(
            (
                "csat",
                two_proportion_test(
                    agg_a.csat_top2, agg_a.n_csat, agg_b.csat_top2, agg_b.n_csat, level
                ),
            )
        )
    if agg_a.n_ces >= 2 and agg_b.n_ces >= 2:
        welch = welch_t_from_sums(
            agg_a.n_ces, agg_a.ces_sum, agg_a.ces_sumsq,
            agg_b.n_ces, agg_b.ces_sum, agg_b.ces_sumsq, level,
        )  # fmt: skip
        if not math.isnan(welch.p_value):
            results.append(("ces", welch))
    if churn_a and churn_b and churn_a[0] and churn_b[0]:
        results.append(
            ("churn", two_proportion_test(churn_a[1], churn_a[0], churn_b[1], churn_b[0], level))
        )
    for metric, r in results:
        yield Comparison(
            kind=kind,
            metric=metric,
            group=group,
            a=a,
            b=b,
            value_a=float(r.value_a),
            value_b=float(r.value_b),
            difference=float(r.difference),
            ci_low=float(r.ci_low),
            ci_high=float(r.ci_high),
            p_value=float(r.p_value),
            n_a=int(r.n_a),
            n_b=int(r.n_b),
        )


def _compare_previous(b: _Builder, dims: tuple[str, ...], notes: list[str]) -> list[Comparison]:
    pdim = next((d for d in dims if d in PERIOD_DIMS), "quarter")
    other = tuple(d for d in dims if d not in PERIOD_DIMS)
    full = (*other, pdim)
    data = b.groups(full)
    labels = sorted({str(k[-1]) for k in data if k[-1] is not None})
    if len(labels) < 2:
        notes.append(f"compare previous: fewer than two {pdim}s in the window")
        return []
    last, prev = labels[-1], labels[-2]
    churn = b.churn(full)
    out: list[Comparison] = []
    for okey in sorted({k[:-1] for k in data}, key=lambda k: [str(x) for x in k]):
        agg_a, agg_b = data.get((*okey, last)), data.get((*okey, prev))
        if agg_a is None or agg_b is None:
            continue
        group = dict(zip(other, okey, strict=True))
        ca = churn.get((*okey, last)) if churn else None
        cb = churn.get((*okey, prev)) if churn else None
        out.extend(_tests("previous", group, last, prev, agg_a, agg_b, ca, cb, b.level))
    return out


def _compare_segments(b: _Builder, dims: tuple[str, ...], notes: list[str]) -> list[Comparison]:
    other = tuple(d for d in dims if d != "segment")
    full = (*other, "segment")
    data = b.groups(full)
    churn = b.churn(full)
    out: list[Comparison] = []
    for okey in sorted({k[:-1] for k in data}, key=lambda k: [str(x) for x in k]):
        segments = sorted(str(k[-1]) for k in data if k[:-1] == okey and k[-1] is not None)
        group = dict(zip(other, okey, strict=True))
        for sa, sb in itertools.combinations(segments, 2):
            ca = churn.get((*okey, sa)) if churn else None
            cb = churn.get((*okey, sb)) if churn else None
            out.extend(
                _tests(
                    "segments", group, sa, sb, data[(*okey, sa)], data[(*okey, sb)], ca, cb, b.level
                )
            )
    if not out:
        notes.append("compare segments: fewer than two segments with responses")
    return out


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
    dims = check_dims(by)
    unknown = [c for c in compare if c not in COMPARISONS]
    if unknown:
        raise UsageError(f"unknown comparison {', '.join(unknown)}; choose previous or segments")
    if not 0 < level < 1:
        raise UsageError(f"level must lie between 0 and 1, got {level}")
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {date_from} lies after --to {date_to}")
    start = dt.datetime.combine(date_from, dt.time()) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) if date_to else None
    b = _Builder(responses, customers, start, end, level)
    groups = b.groups(dims)
    total = _Agg()
    for agg in groups.values():
        total.add(agg)
    if total.n == 0:
        if count_rows(responses) == 0:
            raise MissingDataError(
                "the scorecard needs table `responses`, which is empty",
                hint="import it with `cxo import responses FILE`",
            )
        raise InsufficientDataError(
            f"no responses between {date_from or 'the start'} and {date_to or 'the end'}"
        )
    first_at, last_at = total.first_at, total.last_at
    if first_at is None or last_at is None:  # pragma: no cover - n > 0 implies both
        raise InsufficientDataError("responses without a response time")
    w_start = date_from or first_at.date()
    w_end = date_to or last_at.date()
    if customers is not None:
        c_end = w_end + dt.timedelta(days=1)
        b.churn_window = (date_from or _minus_year(c_end), c_end)
    notes: list[str] = []
    needs_segment = "segment" in dims or "segments" in compare
    if needs_segment and customers is None and "segment" not in responses.columns:
        raise MissingDataError(
            "grouping by segment needs table `customers`",
            hint="import it with `cxo import customers FILE`",
        )
    rows: list[ScorecardRow] = []
    # Groups made of customers can have churn without any response in them.
    keys = set(groups) | set(b.churn(dims) or {}) if dims else set(groups)
    for key in sorted(
        keys, key=lambda k: [_order(d, v, charter) for d, v in zip(dims, k, strict=True)]
    ):
        agg = groups.get(key, _Agg())
        rows.append(
            ScorecardRow(
                group=dict(zip(dims, key, strict=True)),
                labels={d: _label(d, v, charter, language) for d, v in zip(dims, key, strict=True)},
                n=agg.n,
                nps=agg.nps(level),
                csat=agg.csat(level),
                ces=agg.ces(level),
                churn=b.churn_estimate(dims, key),
            )
        )
    total_churn = b.churn_estimate((), ())
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
        notes.append("churn: no customers active at the start of the churn window")
    comparisons: list[Comparison] = []
    if "previous" in compare:
        comparisons += _compare_previous(b, dims, notes)
    if "segments" in compare:
        comparisons += _compare_segments(b, dims, notes)
    if comparisons:
        reject, adjusted = fdr_bh([c.p_value for c in comparisons], alpha)
        comparisons = [
            replace(c, p_adjusted=float(p), significant=bool(r))
            for c, p, r in zip(comparisons, adjusted, reject, strict=True)
        ]
    kpis = _kpis(b, charter, total_churn, language) if charter is not None else []
    return Scorecard(
        by=dims,
        rows=rows,
        total=total_row,
        kpis=kpis,
        comparisons=comparisons,
        window=(w_start, w_end),
        churn_window=None
        if b.churn_window is None
        else (b.churn_window[0], b.churn_window[1] - dt.timedelta(days=1)),
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
) -> Scorecard:
    """The scorecard of a workspace (see the module docstring).

    ``period`` (``2026``, ``2026-Q3``, ``2026-07``) sets ``date_from``/``date_to`` when they
    are not given. Raises :class:`MissingDataError` when ``responses`` is empty.
    """
    if period is not None:
        p_from, p_to = parse_period(period)
        date_from = date_from or p_from
        date_to = date_to or p_to
    with quiet():
        return _workspace_scorecard(
            ws, by, date_from, date_to, compare=compare, level=level, alpha=alpha
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
