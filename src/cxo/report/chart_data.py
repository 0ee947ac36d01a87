"""Tidy rows for :mod:`cxo.report.charts` from the JSON-ready dicts of the analyses.

Each function reads one ``to_dict()`` shape (the JSON the CLI's ``--json`` prints) and returns
flat rows with neutral field names (``value``, ``low``, ``high`` …) that the charts encode
under titles in the reader's language. Missing values are left out; a dict without the data
a chart needs raises :class:`~cxo.errors.MissingDataError` naming the command that makes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from cxo.core.themes import THEMES
from cxo.report.chartkit import interval, missing, num, words

__all__ = [
    "Data",
    "Rows",
    "diagnostic",
    "driver_rows",
    "effect_rows",
    "followup_rows",
    "humane",
    "latitude_rows",
    "loyalty_rows",
    "pain_rows",
    "theme_rows",
    "trend_rows",
]

Data = Mapping[str, Any]
Rows = list[dict[str, Any]]
PERIODS = ("quarter", "month")
SCORECARD_HINT = "run `cxo scorecard --by touchpoint,quarter --json`"


def humane(key: Any) -> str:
    """A key without a label, readable: ``first_contact_resolution`` → ``first contact resolution``.

    >>> humane("first_contact_resolution")
    'first contact resolution'
    """
    return str(key).replace("_", " ")


def trend_rows(data: Data, metric: str, touchpoint: str | None, language: str) -> tuple[Rows, str]:
    """``(rows, period)`` of a scorecard by period (one panel per other breakdown, with the
    charter target of the touchpoint), or of an assessment's NPS trend."""
    if "trend" in data and "rows" not in data:
        if metric != "nps":
            raise missing(f"{metric} trend", "the assessment's trend is NPS only; use a scorecard")
        total = words("total", language)
        return [
            {"period": str(q["quarter"]), "panel": total, "target": None, "value": v,
             "low": lo, "high": hi, "n": q.get("n")}
            for q in data["trend"].get("quarters", [])
            for v, lo, hi in [interval({**q, "value": q.get("nps")})]
            if v is not None
        ], "quarter"  # fmt: skip
    by = list(data.get("by") or [])
    period = next((p for p in PERIODS if p in by), None)
    if period is None:
        raise missing("period breakdown", SCORECARD_HINT)
    kpis = data.get("kpis") or []
    targets = {(k.get("touchpoint"), k.get("metric")): k.get("target") for k in kpis}
    out: Rows = []
    for row in data.get("rows", []):
        group, labels = row.get("group") or {}, row.get("labels") or {}
        tp = group.get("touchpoint")
        value, low, high = interval(row.get(metric))
        if value is None or (touchpoint is not None and tp != touchpoint):
            continue
        panel = " · ".join(str(labels.get(k) or group.get(k)) for k in by if k != period)
        out.append(
            {"period": str(group[period]), "panel": panel or words("total", language),
             "target": num(targets.get((tp, metric))) if tp else None, "value": value,
             "low": low, "high": high, "n": (row.get(metric) or {}).get("n")}
        )  # fmt: skip
    if not out:
        raise missing(f"{metric} values", SCORECARD_HINT)
    return out, period


def pain_rows(data: Data, language: str, top: int) -> Rows:
    """The ``top`` pain points of an assessment in rank order: revenue at risk and owner."""
    pains = data.get("pains")
    if not pains:
        raise missing("pain points", "run `cxo assess`")
    rows: Rows = []
    for p in sorted(pains, key=lambda p: num(p.get("rank")) or math.inf)[:top]:
        value, low, high = interval(p.get("revenue_at_risk"))
        if value is None:
            continue
        owner = p.get("owner") or {}
        who = owner.get("accountable") or owner.get("department") or words("unowned", language)
        keys = ("touchpoint", "theme", "segment")
        label = p.get("label") or " · ".join(str(p[k]) for k in keys if p.get(k))
        rows.append(
            {"pain": f"{p.get('rank')}. {label}", "owner": str(who), "value": value,
             "low": low, "high": high}
        )  # fmt: skip
    return rows


def driver_rows(data: Data, labels: Mapping[str, str] | None) -> tuple[Rows, Data]:
    """``(rows, relative_weights)``: importance (share of R², with interval) and performance
    of every driver of an assessment (or of its ``drivers`` part)."""
    drivers = data.get("drivers") if "performance" not in data else data
    drivers = drivers if isinstance(drivers, Mapping) else {}
    weights, performance = drivers.get("relative_weights") or {}, drivers.get("performance") or {}
    r2 = num(weights.get("r2"))
    rows: Rows = []
    for d in weights.get("drivers", []) if performance and r2 else []:
        perf, value = num(performance.get(d["driver"])), num(d.get("weight"))
        low, high = num(d.get("ci_low")), num(d.get("ci_high"))
        if perf is None or value is None or r2 is None:
            continue
        rows.append(
            {"driver": (labels or {}).get(d["driver"], humane(d["driver"])), "performance": perf,
             "value": value / r2, "low": None if low is None else low / r2,
             "high": None if high is None else high / r2}
        )  # fmt: skip
    if not rows:
        raise missing("driver importance and performance", "run `cxo assess` with ratings")
    return rows, weights


def theme_rows(
    data: Data | Sequence[Data], language: str, top: int, labels: Mapping[str, str] | None
) -> Rows:
    """Theme impact on NPS, raw and adjusted, for the ``top`` largest themes (by size),
    ordered from the most harmful; series names in ``language``."""
    themes = data.get("themes", data.get("theme_impact")) if isinstance(data, Mapping) else data
    if not themes or not all(isinstance(t, Mapping) and "impact" in t for t in themes):
        raise missing(
            "theme impact (an assessment does not compute it)",
            "run `cxo text impact --json` and chart its list",
        )
    names = {t.key: t.de if language == "de" else t.en for t in THEMES}
    names.update(labels or {})
    chosen = sorted(themes, key=lambda t: -abs(num(t.get("impact")) or 0.0))[:top]
    chosen.sort(key=lambda t: num(t.get("impact")) or 0.0)
    series = [
        ("", words("themes.raw", language)),
        ("adjusted_", words("themes.adjusted", language)),
    ]
    return [
        {"theme": names.get(str(t["theme"]), humane(t["theme"])), "series": name,
         "value": num(t.get("impact" if not prefix else "adjusted_impact")),
         "low": num(t.get(f"{prefix}ci_low")), "high": num(t.get(f"{prefix}ci_high")),
         "mentions": t.get("mentions")}
        for t in chosen
        for prefix, name in series
    ]  # fmt: skip


def diagnostic(data: Data, name: str) -> Data:
    """The ``name`` part of ``cxo diagnose all`` (or the dict itself if it is that part)."""
    part = data.get(name) if data.get("diagnostic") != name else data
    if not isinstance(part, Mapping) or not part.get("figures"):
        raise missing(f"{name} diagnostic", f"run `cxo diagnose {name} --json`")
    return part


def loyalty_rows(data: Data, language: str, currency: str) -> Rows:
    """Price above the new-customer price by tenure band, with the band's monthly loyalty
    tax as a label in ``language``."""
    loyalty = diagnostic(data, "loyalty")
    bands = loyalty["figures"].get("penalty_by_tenure_band") or {}
    tax: dict[str, float] = {}
    for row in ((loyalty.get("tables") or {}).get("share_paying_more") or {}).get("rows", []):
        band = str(row.get("tenure_band"))
        tax[band] = tax.get(band, 0.0) + (num(row.get("loyalty_tax_per_month")) or 0.0)
    rows: Rows = []
    for band, est in bands.items():
        value, low, high = interval(est)
        if value is None:
            continue
        label = (
            words("loyalty.tax_label", language, currency, amount=tax[band]) if band in tax else ""
        )
        rows.append({"band": str(band), "value": value, "low": low, "high": high,
                     "n": est.get("n"), "label": label})  # fmt: skip
    if not rows:
        raise missing("loyalty penalty by tenure band", "run `cxo diagnose loyalty --json`")
    return rows


def latitude_rows(data: Data, names: Mapping[str, str]) -> Rows:
    """The latitude simulator's curve: one row per goodwill limit and figure in ``names``."""
    curve = diagnostic(data, "complaints")["figures"].get("latitude_curve") or []
    rows: Rows = []
    for point in curve:
        limit = num(point.get("latitude"))
        for key, name in names.items():
            value, low, high = interval(point.get(key))
            if limit is not None and value is not None:
                rows.append(
                    {"limit": limit, "series": name, "value": value, "low": low, "high": high}
                )
    if not rows:
        raise missing("latitude curve", "run `cxo diagnose complaints --json`")
    return rows


def effect_rows(data: Data | Sequence[Data]) -> Rows:
    """Measured (DiD, with interval) and expected NPS effect of each measured initiative;
    ``measured`` tells the two apart."""
    if isinstance(data, Mapping):
        proofs = data.get("proofs") or ([data] if "effect" in data and "initiative" in data else [])
    else:
        proofs = list(data)
    rows: Rows = []
    for proof in proofs:
        initiative = proof.get("initiative") or {}
        name = str(initiative.get("name") or initiative.get("key"))
        value, low, high = interval((proof.get("effect") or {}).get("nps"))
        if value is not None:
            rows.append({"name": name, "measured": True, "value": value, "low": low, "high": high})
        plan = num(initiative.get("expected_nps_effect"))
        if plan is not None:
            rows.append({"name": name, "measured": False, "value": plan})
    if not any(r["measured"] for r in rows):
        raise missing(
            "measured initiative effects (a ranking holds priorities, not proofs)",
            "run `cxo initiative measure KEY --json` for each launched initiative",
        )
    return rows


def followup_rows(data: Data, language: str, by: str) -> Rows:
    """Share of due follow-ups contacted within the SLA per owner (or touchpoint), with a
    label "x % of n" in ``language``."""
    rows: Rows = []
    for g in data.get(f"by_{by}") or []:
        share, due = num(g.get("within_sla")), int(g.get("due") or 0)
        low, high = [*(g.get("within_sla_ci") or []), None, None][:2]
        if share is None:
            continue
        label = words("followups.share_label", language, share=share, due=due)
        rows.append({"group": str(g.get("group")), "value": share, "low": num(low),
                     "high": num(high), "due": due, "overdue": g.get("overdue_open"),
                     "label": label})  # fmt: skip
    if not rows:
        raise missing(f"due follow-ups by {by}", "run `cxo followup report --json`")
    return rows
