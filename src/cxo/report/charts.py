"""Charts: Vega-Lite specs (through Altair) from the JSON-ready dicts of the analyses, and SVG.

Every chart function takes the ``to_dict()`` shape an analysis produces (the same JSON the
CLI's ``--json`` prints), the reader's language and the workspace currency, and returns a
Vega-Lite spec as a dict: render it in the browser with the vendored Vega-Embed, or offline
with :func:`svg`. Titles, axis and legend titles come from the catalogue (``charts.po``);
owner names, pain labels and other user content go into the chart as *data* (Vega escapes
them), never as markup. Numbers follow the reader's locale: the spec's ``config.locale``
carries the German or English number format (``1.234,5``), percentages print as ``12,5 %``
and money as ``1.234 EUR``.

Each function and the dict it expects:

- :func:`score_trend_chart`: a scorecard by period (``cxo scorecard --by touchpoint,quarter``),
  or an assessment (its overall NPS ``trend``);
- :func:`pains_chart`: an assessment (``cxo assess``: its ``pains``);
- :func:`importance_performance_chart`: an assessment (its ``drivers`` with ``performance``);
- :func:`theme_impact_chart`: the list ``cxo text impact`` prints, or ``{"themes": list}``;
- :func:`loyalty_tax_chart`: ``cxo diagnose all`` or its ``loyalty`` part;
- :func:`latitude_chart`: ``cxo diagnose all`` or its ``complaints`` part;
- :func:`initiative_effects_chart`: proofs (``cxo initiative measure KEY``): one, a list, or
  ``{"proofs": list}``;
- :func:`initiative_event_study_chart`: one proof (``cxo initiative measure KEY``), its
  ``effect.event_study``;
- :func:`followup_sla_chart`: ``cxo followup report``.

The rows come from :mod:`cxo.report.chart_data`; a chart whose data the dict does not hold
raises :class:`~cxo.errors.MissingDataError` saying what is missing and which command makes
it. Shared pieces (locale, axes, whiskers, :func:`svg`) are in :mod:`cxo.report.chartkit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import altair as alt

from cxo.report.chart_data import (
    Data,
    Rows,
    driver_rows,
    effect_rows,
    followup_rows,
    latitude_rows,
    loyalty_rows,
    pain_rows,
    theme_rows,
    trend_rows,
)
from cxo.report.chartkit import (
    EXPECTED,
    GREEN,
    INK,
    LEVEL,
    MEASURED,
    MONEY,
    ORANGE,
    WIDTH,
    ZERO,
    Spec,
    axis,
    bounds,
    category_axis,
    finish,
    legend,
    missing,
    svg,
    whiskers,
    zero_rule,
)
from cxo.report.chartkit import words as _t
from cxo.report.messages import message

__all__ = [
    "CHARTS",
    "followup_sla_chart",
    "importance_performance_chart",
    "initiative_effects_chart",
    "initiative_event_study_chart",
    "latitude_chart",
    "loyalty_tax_chart",
    "pains_chart",
    "score_trend_chart",
    "svg",
    "theme_impact_chart",
]

Corner = tuple[str, int, int, Literal["left", "right"], Literal["top", "bottom"]]
IPA_HEIGHT = 340
METRIC_FORMAT = {"nps": ".0f", "csat": ".0%", "ces": ".2f", "churn": ".1%"}


def _values(rows: Rows) -> dict[str, Any]:
    """Inline data of a chart (user content stays data: Vega escapes it when drawing)."""
    return {"values": rows}


def _metric_name(metric: str, language: str) -> str:
    return _t(f"metric.{metric}", language) if metric in METRIC_FORMAT else metric


def score_trend_chart(
    data: Data,
    language: str,
    currency: str = "EUR",
    *,
    metric: str = "nps",
    touchpoint: str | None = None,
) -> Spec:
    """A score over the periods of a scorecard: line, interval band, target as a dashed rule.

    One panel per touchpoint (or other breakdown) of the scorecard; ``touchpoint`` keeps one.
    An assessment gives its overall NPS trend (no target).
    """
    rows, period = trend_rows(data, metric, touchpoint, language)
    fmt, name = METRIC_FORMAT.get(metric, ".2f"), _metric_name(metric, language)
    period_title = _t(f"period.{period}", language)
    x = alt.X("period:O", title=period_title, axis=axis(period_title, labelAngle=-45))
    y_axis = axis(name, format=fmt)
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.2, color=MEASURED, aria=False).encode(
        y=alt.Y("low:Q", title=name, axis=y_axis, scale=alt.Scale(zero=False)),
        y2=alt.Y2("high:Q", title=name),
    )
    line = base.mark_line(point=True, color=MEASURED).encode(
        y=alt.Y("value:Q", title=name, axis=y_axis),
        tooltip=[
            alt.Tooltip("period:O", title=period_title),
            alt.Tooltip("value:Q", title=name, format=fmt),
            *bounds(language, fmt),
            alt.Tooltip("n:Q", title=_t("responses", language), format=",d"),
        ],
    )
    layers: list[alt.Chart] = [band, line]
    if any(r["target"] is not None for r in rows):
        rule = alt.Chart().mark_rule(strokeDash=[6, 4], color=EXPECTED, aria=False)
        layers.append(rule.encode(y=alt.Y("mean(target):Q", title=name, axis=y_axis)))
    panels = list(dict.fromkeys(r["panel"] for r in rows))
    single = len(panels) == 1
    layered = alt.layer(*layers, data=_values(rows)).properties(
        width=WIDTH if single else 200, height=260 if single else 150
    )
    chart: alt.TopLevelMixin = layered
    if not single:
        facet = alt.Facet("panel:N", title=None, sort=panels, header=alt.Header(labelFontSize=12))
        chart = layered.facet(facet=facet, columns=3)
    title = _t(f"trend.title.{period}", language, metric=name)
    subtitle = _t("trend.subtitle", language, level=data.get("level", LEVEL))
    return finish(chart, title, subtitle, language, currency)


def pains_chart(data: Data, language: str, currency: str = "EUR", *, top: int = 15) -> Spec:
    """The ``top`` pain points of an assessment in rank order: revenue at risk per month with
    its interval, coloured by the owner of the touchpoint."""
    rows = pain_rows(data, language, top)
    level = (data["pains"][0].get("revenue_at_risk") or {}).get("level", LEVEL)
    pain_title, money_title = _t("pains.pain", language), _t("pains.axis_x", language)
    owner_title = _t("owner", language)
    y = alt.Y("pain:N", sort=None, title=pain_title, axis=category_axis(pain_title))
    base = alt.Chart(_values(rows)).encode(y=y)
    bars = base.mark_bar(opacity=0.85).encode(
        x=alt.X("value:Q", title=money_title, axis=axis(money_title, format=MONEY)),
        color=alt.Color("owner:N", title=owner_title, legend=legend(owner_title)),
        tooltip=[
            alt.Tooltip("pain:N", title=pain_title),
            alt.Tooltip("owner:N", title=owner_title),
            alt.Tooltip("value:Q", title=money_title, format=MONEY),
            *bounds(language, MONEY),
        ],
    )
    ci = whiskers(base, "x", money_title, INK)
    chart = alt.layer(bars, *ci, zero_rule("x")).properties(width=WIDTH, height={"step": 22})
    subtitle = _t("pains.subtitle", language, count=len(rows), level=level)
    return finish(chart, _t("pains.title", language), subtitle, language, currency)


def _quadrant_labels(language: str) -> list[alt.Chart]:
    """The four quadrant names in the corners of the plot (the scales leave room for them)."""
    corners: list[Corner] = [
        ("concentrate_here", 0, 0, "left", "top"),
        ("keep_up", WIDTH, 0, "right", "top"),
        ("low_priority", 0, IPA_HEIGHT, "left", "bottom"),
        ("possible_overkill", WIDTH, IPA_HEIGHT, "right", "bottom"),
    ]
    return [
        alt.Chart(_values([{"text": message(f"drivers.quadrant.{q}", language)}]))
        .mark_text(align=align, baseline=baseline, color=ZERO, fontStyle="italic", aria=False)
        .encode(x=alt.value(x), y=alt.value(y), text=alt.Text("text:N"))
        for q, x, y, align, baseline in corners
    ]


def importance_performance_chart(
    data: Data,
    language: str,
    currency: str = "EUR",
    *,
    labels: Mapping[str, str] | None = None,
) -> Spec:
    """Importance (share of the explained variance, with interval) against performance (mean
    rating on 0–100) of every driver of an assessment, quadrants split at the averages.

    ``labels`` maps attribute keys to words (the charter's attribute labels); keys without
    a label are shown with spaces for underscores.
    """
    rows, weights = driver_rows(data, labels)
    imp_title, perf_title = _t("ipa.importance", language), _t("ipa.performance", language)
    name_title = _t("ipa.attribute", language)
    scale = alt.Scale(zero=False, nice=True, padding=30)
    x = alt.X("performance:Q", title=perf_title, axis=axis(perf_title, format=".0f"), scale=scale)
    y = alt.Y("value:Q", title=imp_title, axis=axis(imp_title, format=".0%"), scale=scale)
    base = alt.Chart(_values(rows)).encode(x=x)
    points = base.mark_point(filled=True, size=70, color=MEASURED).encode(
        y=y,
        tooltip=[
            alt.Tooltip("driver:N", title=name_title),
            alt.Tooltip("value:Q", title=imp_title, format=".1%"),
            *bounds(language, ".1%"),
            alt.Tooltip("performance:Q", title=perf_title, format=".1f"),
        ],
    )
    names = base.mark_text(align="left", dx=7, fontSize=11, aria=False).encode(
        y=y, text=alt.Text("driver:N", title=name_title)
    )
    means = alt.Chart(_values(rows)).mark_rule(strokeDash=[4, 4], color=ZERO, aria=False)
    layers = [
        means.encode(x=alt.X("mean(performance):Q", title=perf_title)),
        means.encode(y=alt.Y("mean(value):Q", title=imp_title)),
        *whiskers(base, "y", imp_title, MEASURED, caps=0),
        points,
        names,
        *_quadrant_labels(language),
    ]
    chart = alt.layer(*layers).properties(width=WIDTH, height=IPA_HEIGHT)
    target = _metric_name(str(weights.get("target") or "nps"), language)
    title = _t("ipa.title", language, target=target)
    subtitle = _t("ipa.subtitle", language, level=weights.get("level", LEVEL))
    return finish(chart, title, subtitle, language, currency)


def theme_impact_chart(
    data: Data | Sequence[Data],
    language: str,
    currency: str = "EUR",
    *,
    top: int = 15,
    labels: Mapping[str, str] | None = None,
) -> Spec:
    """Impact of each comment theme on NPS with its interval: all minus without the theme,
    and adjusted for the other themes and the touchpoint; the ``top`` largest by size.

    ``data`` is the list ``cxo text impact --json`` prints (or ``{"themes": that list}``);
    an assessment holds no theme impact and raises :class:`~cxo.errors.MissingDataError`.
    """
    rows = theme_rows(data, language, top, labels)
    theme_title, axis_title = _t("themes.theme", language), _t("themes.axis_x", language)
    series_title = _t("themes.series", language)
    series = [_t("themes.raw", language), _t("themes.adjusted", language)]
    color = alt.Color(
        "series:N",
        title=series_title,
        legend=legend(series_title, orient="bottom"),
        scale=alt.Scale(domain=series, range=[MEASURED, ORANGE]),
    )
    order = list(dict.fromkeys(r["theme"] for r in rows))
    base = alt.Chart(_values(rows)).encode(
        y=alt.Y("theme:N", sort=order, title=theme_title, axis=category_axis(theme_title)),
        yOffset=alt.YOffset("series:N", title=series_title, sort=series),
        color=color,
    )
    points = base.mark_point(filled=True, size=50).encode(
        x=alt.X("value:Q", title=axis_title, axis=axis(axis_title, format=".1f")),
        tooltip=[
            alt.Tooltip("theme:N", title=theme_title),
            alt.Tooltip("series:N", title=series_title),
            alt.Tooltip("value:Q", title=axis_title, format=".1f"),
            *bounds(language, ".1f"),
            alt.Tooltip("mentions:Q", title=_t("themes.mentions", language), format=",d"),
        ],
    )
    ci = whiskers(base, "x", axis_title, None, caps=0)
    chart = alt.layer(zero_rule("x"), *ci, points).properties(
        width=WIDTH, height={"step": 34, "for": "position"}
    )
    subtitle = _t("themes.subtitle", language, level=LEVEL)
    return finish(chart, _t("themes.title", language), subtitle, language, currency)


def loyalty_tax_chart(data: Data, language: str, currency: str = "EUR") -> Spec:
    """Price above today's new-customer price (same product) by tenure band, with interval;
    each bar labelled with that band's loyalty tax per month (``cxo diagnose all`` or its
    ``loyalty`` part)."""
    rows = loyalty_rows(data, language, currency)
    band_title, y_title = _t("loyalty.tenure", language), _t("loyalty.penalty", language)
    tax_title = _t("loyalty.tax", language)
    x = alt.X("band:O", sort=None, title=band_title, axis=axis(band_title, labelAngle=0))
    base = alt.Chart(_values(rows)).encode(x=x)
    bars = base.mark_bar(color=MEASURED, opacity=0.85, size=48).encode(
        y=alt.Y("value:Q", title=y_title, axis=axis(y_title, format=".0%")),
        tooltip=[
            alt.Tooltip("band:O", title=band_title),
            alt.Tooltip("value:Q", title=y_title, format=".1%"),
            *bounds(language, ".1%"),
            alt.Tooltip("label:N", title=tax_title),
            alt.Tooltip("n:Q", title=_t("loyalty.contracts", language), format=",d"),
        ],
    )
    text = base.mark_text(baseline="bottom", dy=-6, aria=False).encode(
        y=alt.Y("high:Q", title=y_title), text=alt.Text("label:N", title=tax_title)
    )
    ci = whiskers(base, "y", y_title, INK, caps=14)
    chart = alt.layer(bars, *ci, text).properties(width=min(WIDTH, 140 * len(rows)), height=260)
    subtitle = _t("loyalty.subtitle", language, level=LEVEL)
    return finish(chart, _t("loyalty.title", language), subtitle, language, currency)


def latitude_chart(data: Data, language: str, currency: str = "EUR") -> Spec:
    """The latitude simulator of ``cxo diagnose all`` (or its ``complaints`` part): goodwill
    paid, revenue kept and the net, with intervals, by the goodwill limit per case."""
    names = {k: _t(f"latitude.{k}", language) for k in ("goodwill_cost", "revenue_kept", "net")}
    rows = latitude_rows(data, names)
    limit_title, amount_title = _t("latitude.limit", language), _t("latitude.amount", language)
    series_title = _t("latitude.series", language)
    color = alt.Color(
        "series:N",
        title=series_title,
        legend=legend(series_title),
        scale=alt.Scale(domain=list(names.values()), range=[EXPECTED, MEASURED, GREEN]),
    )
    x = alt.X("limit:Q", title=limit_title, axis=axis(limit_title, format=MONEY))
    base = alt.Chart(_values(rows)).encode(x=x, color=color)
    y_axis = axis(amount_title, format=MONEY)
    band = base.mark_area(opacity=0.15, aria=False).encode(
        y=alt.Y("low:Q", title=amount_title, axis=y_axis),
        y2=alt.Y2("high:Q", title=amount_title),
    )
    line = base.mark_line(point=True).encode(
        y=alt.Y("value:Q", title=amount_title, axis=y_axis),
        tooltip=[
            alt.Tooltip("limit:Q", title=limit_title, format=MONEY),
            alt.Tooltip("series:N", title=series_title),
            alt.Tooltip("value:Q", title=amount_title, format=MONEY),
            *bounds(language, MONEY),
        ],
    )
    chart = alt.layer(band, zero_rule("y"), line).properties(width=WIDTH, height=280)
    subtitle = _t("latitude.subtitle", language, level=LEVEL)
    return finish(chart, _t("latitude.title", language), subtitle, language, currency)


def initiative_effects_chart(
    data: Data | Sequence[Data], language: str, currency: str = "EUR"
) -> Spec:
    """The measured NPS effect of each initiative (difference-in-differences, with interval)
    next to the effect its plan expected.

    ``data`` holds proofs (``cxo initiative measure KEY --json``): one proof, a list of them
    or ``{"proofs": [...]}``. A ranking (``cxo initiative rank``) holds none and raises
    :class:`~cxo.errors.MissingDataError`.
    """
    measured, expected = _t("initiatives.measured", language), _t("initiatives.expected", language)
    rows = [{**r, "series": measured if r["measured"] else expected} for r in effect_rows(data)]
    name_title = _t("initiatives.initiative", language)
    axis_title, series_title = (
        _t("initiatives.axis_x", language),
        _t("initiatives.series", language),
    )
    domain = [measured, expected]
    base = alt.Chart(_values(rows)).encode(
        y=alt.Y("name:N", sort=None, title=name_title, axis=category_axis(name_title)),
        x=alt.X("value:Q", title=axis_title, axis=axis(axis_title, format="+.1f")),
    )
    look = {
        "color": alt.Color(
            "series:N",
            title=series_title,
            legend=legend(series_title),
            scale=alt.Scale(domain=domain, range=[MEASURED, EXPECTED]),
        ),
        "shape": alt.Shape(
            "series:N",
            title=series_title,
            legend=legend(series_title),
            scale=alt.Scale(domain=domain, range=["circle", "diamond"]),
        ),
    }
    tips = [
        alt.Tooltip("name:N", title=name_title),
        alt.Tooltip("series:N", title=series_title),
        alt.Tooltip("value:Q", title=axis_title, format="+.1f"),
    ]
    effect = base.transform_filter("datum.measured")
    plan = base.transform_filter("!datum.measured")
    layers = [
        zero_rule("x"),
        *whiskers(effect, "x", axis_title, MEASURED),
        effect.mark_point(filled=True, size=90).encode(
            **look, tooltip=[*tips, *bounds(language, "+.1f")]
        ),
        plan.mark_point(filled=True, size=90).encode(**look, tooltip=tips),
    ]
    chart = alt.layer(*layers).properties(width=WIDTH, height={"step": 40})
    subtitle = _t("initiatives.subtitle", language, level=LEVEL)
    return finish(chart, _t("initiatives.title", language), subtitle, language, currency)


def _event_rows(data: Data) -> Rows:
    """Months around the launch with interval from a proof (``cxo initiative measure KEY
    --json``) or its ``effect``; ``after`` tells the months after the launch."""
    effect = data.get("effect") if isinstance(data.get("effect"), Mapping) else data
    study = effect.get("event_study") if isinstance(effect, Mapping) else None
    months = study.get("months") if isinstance(study, Mapping) else None
    if not months:
        raise missing(
            "event study (effect per month around the launch)",
            "run `cxo initiative measure KEY --json` (comparison touchpoints or matched)",
        )
    return [
        {
            "month": int(m["month"]),
            "value": float(m["estimate"]),
            "low": float(m["ci_low"]),
            "high": float(m["ci_high"]),
            "after": int(m["month"]) >= 0,
        }
        for m in months
    ]


def initiative_event_study_chart(data: Data, language: str, currency: str = "EUR") -> Spec:
    """The NPS effect month by month before and after the launch (event study, with
    interval): before the launch the points should scatter around zero."""
    rows = _event_rows(data)
    x_title = _t("initiatives.event.axis_x", language)
    y_title = _t("initiatives.event.axis_y", language)
    base = alt.Chart(_values(rows)).encode(
        x=alt.X("month:Q", title=x_title, axis=axis(x_title, format="d")),
        y=alt.Y("value:Q", title=y_title, axis=axis(y_title, format="+.0f")),
    )
    point = base.mark_point(filled=True, size=50).encode(
        color=alt.condition("datum.after", alt.value(MEASURED), alt.value(EXPECTED)),
        tooltip=[
            alt.Tooltip("month:Q", title=x_title, format="d"),
            alt.Tooltip("value:Q", title=y_title, format="+.1f"),
            *bounds(language, "+.1f"),
        ],
    )
    launch = alt.Chart().mark_rule(color=ZERO, strokeDash=[4, 3], aria=False)
    layers = [
        zero_rule("y"),
        launch.encode(x=alt.datum(-0.5)),
        *whiskers(base, "y", y_title, INK, caps=0),
        point,
    ]
    chart = alt.layer(*layers).properties(width=WIDTH, height=240)
    title = _t("initiatives.event.title", language)
    subtitle = _t("initiatives.event.subtitle", language, level=LEVEL)
    return finish(chart, title, subtitle, language, currency)


def followup_sla_chart(
    data: Data,
    language: str,
    currency: str = "EUR",
    *,
    by: Literal["owner", "touchpoint"] = "owner",
) -> Spec:
    """Share of due follow-up tasks contacted within the SLA, with interval, per owner (or per
    touchpoint), each bar labelled "x % of n" (``cxo followup report``)."""
    rows = followup_rows(data, language, by)
    group_title = _t("owner" if by == "owner" else "touchpoint", language)
    share_title = _t("followups.within_sla", language)
    y = alt.Y("group:N", sort=None, title=group_title, axis=category_axis(group_title))
    x_axis = axis(share_title, format=".0%")
    base = alt.Chart(_values(rows)).encode(y=y)
    bars = base.mark_bar(color=MEASURED, opacity=0.85).encode(
        x=alt.X("value:Q", title=share_title, scale=alt.Scale(domain=[0, 1]), axis=x_axis),
        tooltip=[
            alt.Tooltip("group:N", title=group_title),
            alt.Tooltip("value:Q", title=share_title, format=".1%"),
            *bounds(language, ".1%"),
            alt.Tooltip("due:Q", title=_t("followups.due", language), format=",d"),
            alt.Tooltip("overdue:Q", title=_t("followups.overdue", language), format=",d"),
        ],
    )
    text = base.mark_text(align="left", dx=6, aria=False).encode(
        x=alt.X("high:Q", title=share_title), text=alt.Text("label:N", title=share_title)
    )
    ci = whiskers(base, "x", share_title, INK)
    chart = alt.layer(bars, *ci, text).properties(width=WIDTH, height={"step": 26})
    title = _t(f"followups.title.{by}", language)
    subtitle = _t("followups.subtitle", language, level=LEVEL)
    return finish(chart, title, subtitle, language, currency)


CHARTS: dict[str, Callable[..., Spec]] = {
    "score_trend": score_trend_chart,
    "pains": pains_chart,
    "importance_performance": importance_performance_chart,
    "theme_impact": theme_impact_chart,
    "loyalty_tax": loyalty_tax_chart,
    "latitude": latitude_chart,
    "initiative_effects": initiative_effects_chart,
    "followup_sla": followup_sla_chart,
}
"""Every chart by name (for the web app and the board report)."""
