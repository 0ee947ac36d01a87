"""The shared pieces of :mod:`cxo.report.charts`: words, locale, axes, the finish, the SVG.

A chart's words come from the catalogue (keys ``charts.*``); its numbers follow the reader's
locale through the spec's ``config.locale`` (d3-format: decimal comma and ``.`` thousands in
German, percent as ``12,5 %``, money as ``1.234 EUR`` with ``$`` in a format standing for the
workspace currency). :func:`svg` renders a spec offline with vl-convert.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import altair as alt
import vl_convert

from cxo.errors import MissingDataError
from cxo.report.messages import message

__all__ = [
    "LEVEL",
    "MONEY",
    "Spec",
    "axis",
    "bounds",
    "category_axis",
    "finish",
    "interval",
    "legend",
    "locale_config",
    "missing",
    "num",
    "svg",
    "whiskers",
    "words",
    "zero_rule",
]

Spec = dict[str, Any]
"""A Vega-Lite spec (``chart.to_dict()``)."""

LEVEL = 0.95
"""Interval level of the analyses whose dicts do not say (all of cxo uses 95 %)."""
MONEY = "$,.0f"
"""Money in the spec's locale: ``$`` stands for the workspace currency (``1.234 EUR``)."""
WIDTH = 460
MEASURED, EXPECTED, GREEN, ORANGE = "#1f5f8b", "#c0392b", "#27ae60", "#e67e22"
ZERO, INK = "#888888", "#333333"
NUMBER_LOCALE: dict[str, dict[str, Any]] = {
    "de": {"decimal": ",", "thousands": ".", "grouping": [3]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3]},
}
TIME_LOCALE_DE: dict[str, Any] = {  # d3-time-format de-DE (as vl_convert.get_time_format_locale)
    "dateTime": "%A, der %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "shortMonths": [
        "Jan",
        "Feb",
        "Mrz",
        "Apr",
        "Mai",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Okt",
        "Nov",
        "Dez",
    ],
}


def words(key: str, language: str, currency: str = "EUR", **params: Any) -> str:
    """The catalogue text ``charts.<key>`` in ``language``."""
    return message(f"charts.{key}", language, currency=currency, **params)


def num(value: Any) -> float | None:
    """A finite float, or ``None`` (missing values are left out of charts).

    >>> num("1.5"), num(None), num(float("nan"))
    (1.5, None, None)
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    # Rounding drops floating-point dust (-2e-17 would stretch an axis below zero).
    return round(x, 12) + 0.0 if math.isfinite(x) else None


def interval(est: Any) -> tuple[float | None, float | None, float | None]:
    """``(value, low, high)`` of an estimate dict (its ``value``, or ``estimate`` for DiD).

    >>> interval({"estimate": 2.0, "ci_low": 1.0, "ci_high": 3.0})
    (2.0, 1.0, 3.0)
    """
    if not isinstance(est, Mapping):
        return None, None, None
    value = est.get("value", est.get("estimate"))
    return num(value), num(est.get("ci_low")), num(est.get("ci_high"))


def locale_config(language: str, currency: str) -> dict[str, Any]:
    """The Vega ``config.locale`` of a language: number format, and the German calendar."""
    number = {
        **NUMBER_LOCALE.get(language, NUMBER_LOCALE["en"]),
        "currency": ["", f" {currency}"],  # as cxo.report.format.money: "1.234 EUR"
        "percent": " %",  # as cxo.report.format.percent: "12,5 %"
        "minus": "-",
    }
    return {"number": number, "time": TIME_LOCALE_DE} if language == "de" else {"number": number}


def axis(title: str, **kwargs: Any) -> alt.Axis:
    """An axis titled in words; the title is also its description for screen readers."""
    return alt.Axis(title=title, description=title, **kwargs)


def category_axis(title: str, **kwargs: Any) -> alt.Axis:
    """A y axis of long category labels: its title sits level above them, not turned beside."""
    return axis(
        title,
        titleAngle=0,
        titleAnchor="end",
        titleAlign="right",
        titleBaseline="bottom",
        titleX=0,
        titleY=-6,
        **kwargs,
    )


def legend(title: str, **kwargs: Any) -> alt.Legend:
    """A legend titled in words (also its description for screen readers)."""
    return alt.Legend(title=title, description=title, **kwargs)


def bounds(language: str, fmt: str) -> list[alt.Tooltip]:
    """Tooltips of the interval bounds (fields ``low`` and ``high``)."""
    return [
        alt.Tooltip("low:Q", title=words("lower", language), format=fmt),
        alt.Tooltip("high:Q", title=words("upper", language), format=fmt),
    ]


def whiskers(
    base: alt.Chart, channel: Literal["x", "y"], title: str, color: str | None = INK, caps: int = 10
) -> list[alt.Chart]:
    """Interval whiskers from field ``low`` to ``high`` along ``channel`` (caps of ``caps`` px,
    none if 0). Hidden from screen readers: the estimate's own description names the bounds."""
    pos, pos2 = (alt.X, alt.X2) if channel == "x" else (alt.Y, alt.Y2)
    style: dict[str, Any] = {"aria": False} if color is None else {"aria": False, "color": color}
    rule = base.mark_rule(**style).encode(
        **{channel: pos("low:Q", title=title), f"{channel}2": pos2("high:Q", title=title)}
    )
    ends = [
        base.mark_tick(size=caps, thickness=1, **style).encode(
            **{channel: pos(f"{f}:Q", title=title)}
        )
        for f in ("low", "high")
    ]
    return [rule, *ends] if caps else [rule]


def zero_rule(channel: Literal["x", "y"]) -> alt.Chart:
    """A thin grey line at zero."""
    rule: alt.Chart = alt.Chart().mark_rule(color=ZERO, aria=False)
    return rule.encode(**{channel: alt.datum(0)})


def finish(chart: Any, title: str, subtitle: str, language: str, currency: str) -> Spec:
    """Title, locale and the common look; the spec as a dict."""
    chart = chart.properties(
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start", aria=False),
        description=title,
    )
    configured = chart.configure(locale=locale_config(language, currency))
    configured = configured.configure_view(stroke=None)
    configured = configured.configure_axis(labelLimit=320, titleFontWeight="normal")
    spec: Spec = configured.configure_legend(labelLimit=320).to_dict()
    return spec


def missing(what: str, hint: str) -> MissingDataError:
    """The error of a chart whose data the dict does not hold (``hint``: how to make it)."""
    return MissingDataError(f"no {what} in this result", hint=hint)


def svg(spec: Spec) -> str:
    """The chart as a standalone SVG, rendered offline by vl-convert (no data is fetched)."""
    return vl_convert.vegalite_to_svg(spec, vl_version=_vl_version(spec), allowed_base_urls=[])


def _vl_version(spec: Spec) -> str | None:
    m = re.search(r"/v(\d+)\.(\d+)", str(spec.get("$schema", "")))
    if not m:
        return None
    version = f"{m.group(1)}.{m.group(2)}"
    return version if version in vl_convert.get_vegalite_versions() else None
