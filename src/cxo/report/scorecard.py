"""The scorecard in words: terminal summary, table cells, the report's HTML section, JSON.

Turns a :class:`cxo.engine.Scorecard` (data) into text in German or English. Metric values
print in their display unit: NPS in points (one decimal), CSAT and churn as percentages
(one decimal), CES as a mean (two decimals); an estimate prints as ``value [low, high]``
(German ``value [low; high]``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cxo.report import format as fmt
from cxo.report.html import render
from cxo.report.messages import message, notes_as_texts, with_texts

if TYPE_CHECKING:
    from cxo.engine import Comparison, KpiStatus, Scorecard
    from cxo.stats import Estimate

METRICS = ("nps", "csat", "ces", "churn")
PERCENT_METRICS = frozenset({"csat", "churn", "fcr", "task_success"})
KPI_COLUMNS = ("touchpoint", "owner", "metric", "target", "value", "status")


def metric_value(metric: str, value: float | None, language: str, *, signed: bool = False) -> str:
    """A metric value in its display unit (NPS points, CSAT and churn in %, CES mean)."""
    if value is None or math.isnan(value):
        return fmt.MISSING
    if metric in PERCENT_METRICS:
        out = fmt.percent(value, 1, language)
    else:
        out = fmt.number(value, 1 if metric == "nps" else 2, language)
    return ("+" + out) if signed and value > 0 else out


def estimate_text(metric: str, est: Estimate | None, language: str) -> str:
    """``value [low, high]`` in the metric's display unit (``–`` without an estimate)."""
    if est is None:
        return fmt.MISSING
    value = metric_value(metric, est.value, language)
    if math.isnan(est.ci_low):
        return value
    return message(
        "scorecard.estimate",
        language,
        value=value,
        low=metric_value(metric, est.ci_low, language),
        high=metric_value(metric, est.ci_high, language),
    )


def metric_label(metric: str, language: str) -> str:
    """``NPS``, ``CSAT (Top-2-Box)``, …"""
    return message(f"scorecard.metric.{metric}", language)


def dimension_label(dim: str, language: str) -> str:
    """The heading of a grouping dimension (``Kontaktpunkt``, ``Quartal``, …)."""
    return message(f"scorecard.dim.{dim}", language)


def status_label(status: str, language: str) -> str:
    """A KPI status (``met``, ``not measured``, …) in words."""
    return message(f"scorecard.status.{status.replace(' ', '_')}", language)


def kind_label(kind: str, language: str) -> str:
    """A comparison kind (``previous``, ``segments``) in words."""
    return message(f"scorecard.kind.{kind}", language)


def kpi_column_label(column: str, language: str) -> str:
    """A heading of the KPI table (see :data:`KPI_COLUMNS`)."""
    if column == "touchpoint":
        return dimension_label(column, language)
    if column == "owner":
        return message("common.owner", language)
    return message(f"scorecard.column.{column}", language)


def caption(result: Scorecard, language: str) -> str:
    """The window, the interval level and the churn window, for under the table."""
    text = (
        f"{message('scorecard.window', language)} {result.window[0].isoformat()} – "
        f"{result.window[1].isoformat()}; "
        + message("scorecard.intervals", language, level=result.level)
    )
    if result.churn_window is not None:
        text += (
            f"; {metric_label('churn', language)} {result.churn_window[0].isoformat()} – "
            f"{result.churn_window[1].isoformat()}"
        )
    return text


def kpi_cells(k: KpiStatus, language: str) -> list[str]:
    """One KPI as the cells of :data:`KPI_COLUMNS` (the status without colour)."""
    return [
        k.label,
        k.accountable or k.department or fmt.MISSING,
        f"{k.metric} ({'↑' if k.direction == 'higher' else '↓'})",
        metric_value(k.metric, k.target, language),
        metric_value(k.metric, k.value, language),
        status_label(k.status, language),
    ]


def comparison_cells(c: Comparison, language: str) -> list[str]:
    """One significant difference as six cells: kind and group, metric, a, b, Δ, p(BH)."""
    group = ", ".join(str(v) for v in c.group.values() if v is not None)
    return [
        kind_label(c.kind, language) + (f" · {group}" if group else ""),
        metric_label(c.metric, language),
        f"{c.a}: {metric_value(c.metric, c.value_a, language)}",
        f"{c.b}: {metric_value(c.metric, c.value_b, language)}",
        f"Δ {metric_value(c.metric, c.difference, language, signed=True)}",
        p_text(c.p_adjusted, language),
    ]


P_FLOOR = 1e-4
"""Adjusted p-values below this print as ``p(BH) < 0.0001``."""


def p_text(p: float, language: str) -> str:
    """``p(BH) = 0.0471`` (three significant digits), ``p(BH) < 0.0001`` below the floor."""
    if not math.isnan(p) and p < P_FLOOR:
        return message("scorecard.p_adjusted_below", language, limit=P_FLOOR)
    return message("scorecard.p_adjusted", language, p=p)


def notes(result: Scorecard, language: str) -> list[str]:
    """Why a requested comparison or churn could not be made, in words."""
    return [message(n.key, language, **n.params) for n in result.notes]


def summary(result: Scorecard, language: str, currency: str = "EUR") -> str:
    """A few lines of text: window and responses, the totals, KPI counts, differences."""
    t = result.total
    lines = [
        message(
            "scorecard.summary.head",
            language,
            by=", ".join(result.by) or message("scorecard.total", language),
            start=result.window[0].isoformat(),
            end=result.window[1].isoformat(),
            n=t.n,
        ),
        "  "
        + " · ".join(
            f"{metric_label(m, language)} {estimate_text(m, t.metric(m), language)}"
            for m in METRICS
            if t.metric(m) is not None
        ),
    ]
    if result.kpis:
        counts = result.kpi_counts()
        lines.append(
            "  "
            + message(
                "scorecard.summary.kpis",
                language,
                met=counts["met"],
                missed=counts["missed"],
                no_data=counts["no data"],
            )
        )
    if result.compare:
        lines.append(
            "  " + message("scorecard.summary.changes", language, count=len(result.significant))
        )
    return "\n".join(lines)


def section(result: Scorecard, language: str, currency: str = "EUR") -> str:
    """The autoescaped HTML section of the board report."""

    def val(metric: str, value: float | None, signed: bool = False) -> str:
        return metric_value(metric, value, language, signed=signed)

    return render(
        "scorecard.html",
        language=language,
        currency=currency,
        sc=result,
        metrics=METRICS,
        est=lambda metric, e: estimate_text(metric, e, language),
        val=val,
        metric_label=lambda m: metric_label(m, language),
        dimension_label=lambda d: dimension_label(d, language),
        status_label=lambda s: status_label(s, language),
        kind_label=lambda k: kind_label(k, language),
        p_text=lambda p: p_text(p, language),
        kpi_column_label=lambda c: kpi_column_label(c, language),
        kpi_columns=KPI_COLUMNS,
    )


def to_json(result: Scorecard) -> dict[str, Any]:
    """The ``--json`` / API form: ``to_dict()`` with ``notes`` as English texts (as always),
    ``notes_de`` in German and ``note_messages`` (key, params, both texts)."""
    out: dict[str, Any] = with_texts(result.to_dict())
    return notes_as_texts(out)
