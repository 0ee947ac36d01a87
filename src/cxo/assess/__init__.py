"""Standortbestimmung (situational assessment): where it hurts, who owns it, what it costs.

``cxo.assess(workspace)`` returns an :class:`Assessment` with ``.pains`` (ranked cells
touchpoint × theme × segment with owner, reach, experience gap, excess churn, revenue at risk
and a Benjamini–Hochberg flag), ``.drivers`` (relative weights, LMG, importance–performance),
``.linkage`` (churn by NPS group and touchpoint, in money), ``.trend`` (8 quarters, mix vs.
within) and ``.focus`` (where to start, weighted by company type; what to stop doing).
:func:`write_assessment` stores it as ``reports/assessment-<n>.json`` and ``.html``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxo.assess.data import prepare
from cxo.assess.drivers import DriverAnalysis, analyse_drivers
from cxo.assess.focus import Focus, focus
from cxo.assess.linkage import Linkage, linkage
from cxo.assess.pains import FDR, Pain, find_pains
from cxo.assess.trend import Trend, trend
from cxo.core.jsonable import jsonable
from cxo.engine.format import format_number
from cxo.errors import CxoError, InsufficientDataError
from cxo.workspace import Workspace, resolve_workspace, saved_assessments

__all__ = ["Assessment", "assess", "write_assessment"]

SCHEMA_VERSION = 1
DUCKDB_MEMORY = "1GB"
"""DuckDB's memory limit while assessing (it spills to ``data/tmp`` beyond it)."""


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


SUMMARY_TEXT = {
    "en": {
        "head": "Situational assessment {company} ({type}), as of {as_of}: {responses} NPS "
        "answers, {customers} customers, themes from {source}",
        "pains": "Pains (top {top} of {n}; {flagged} flagged at FDR {fdr}):",
        "pain": "  {rank}. {label}: {reach} customers, NPS gap {gap} [{low}, {high}], {money}, "
        "{flag} — owner {who}",
        "money": "{value} {cur}/month at risk [{low}–{high}]",
        "no_money": "revenue at risk n/a",
        "flagged": "flagged",
        "not_significant": "not significant",
        "no_owner": "NO OWNER",
        "drivers": "Key drivers of {target} (R² {r2}): ",
        "detractors": "Detractors churn {pp} pp/yr vs promoters",
        "note": "note",
    },
    "de": {
        "head": "Standortbestimmung {company} ({type}), Stand {as_of}: {responses} NPS-Antworten, "
        "{customers} Kunden, Themen aus {source}",
        "pains": "Schmerzpunkte (Top {top} von {n}; {flagged} signifikant bei FDR {fdr}):",
        "pain": "  {rank}. {label}: {reach} Kunden, NPS-Abstand {gap} [{low}; {high}], {money}, "
        "{flag} — verantwortlich {who}",
        "money": "{value} {cur}/Monat im Risiko [{low}–{high}]",
        "no_money": "Umsatz im Risiko nicht bestimmbar",
        "flagged": "signifikant",
        "not_significant": "nicht signifikant",
        "no_owner": "NIEMAND VERANTWORTLICH",
        "drivers": "Treiber von {target} (R² {r2}): ",
        "detractors": "Kritiker wandern {pp} Prozentpunkte/Jahr mehr ab als Promotoren",
        "note": "Hinweis",
    },
}
"""The text summary's phrases per language (the HTML section has its own, in html.py)."""


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
    notes: list[str] = field(default_factory=list)
    number: int | None = None

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
                "notes": self.notes,
            }
        )
        return out

    def summary(self, top: int = 5) -> str:
        """A short text in the workspace language: top pains with owners and money, drivers,
        churn linkage, trend, focus."""
        lang = "de" if self.language == "de" else "en"
        t = SUMMARY_TEXT[lang]
        cur = self.currency

        def num(x: float, decimals: int = 0, sign: bool = False) -> str:
            text = format_number(x, decimals, lang)
            return "+" + text if sign and not text.startswith(("-", "–")) else text

        lines = [
            t["head"].format(
                company=self.company,
                type=self.company_type,
                as_of=self.as_of.strftime("%d.%m.%Y") if lang == "de" else self.as_of,
                responses=num(self.responses),
                customers=num(self.customers),
                source=self.theme_source,
            ),
            t["pains"].format(
                top=top, n=len(self.pains), flagged=len(self.flagged), fdr=f"{FDR:.0%}"
            ),
        ]
        for p in self.pains[:top]:
            money = (
                t["money"].format(
                    value=num(p.revenue.value),
                    cur=cur,
                    low=num(p.revenue.ci_low),
                    high=num(p.revenue.ci_high),
                )
                if p.revenue
                else t["no_money"]
            )
            lines.append(
                t["pain"].format(
                    rank=p.rank,
                    label=p.label,
                    reach=num(p.reach),
                    gap=num(p.gap, sign=True),
                    low=num(p.gap_low, sign=True),
                    high=num(p.gap_high, sign=True),
                    money=money,
                    flag=t["flagged"] if p.flagged else t["not_significant"],
                    who=p.owner.get("accountable") or t["no_owner"],
                )
            )
        if self.drivers is not None:
            rw = self.drivers.relative_weights
            parts = []
            for d in rw.ranking()[:5]:
                mark = ""
                if rw.significant_ is not None and not bool(rw.significant_[d]):
                    mark = " (n.s.)"
                parts.append(f"{d} {num(rw.rescaled_[d])} %{mark}")
            lines.append(
                t["drivers"].format(target=rw.target, r2=num(rw.r2_, 2)) + ", ".join(parts)
            )
        if self.linkage is not None and self.linkage.detractor_excess is not None:
            ex = self.linkage.detractor_excess
            text = t["detractors"].format(pp=num(100 * ex.excess, 1, sign=True))
            if self.linkage.detractor_revenue is not None:
                rv = self.linkage.detractor_revenue
                text += "; " + t["money"].format(
                    value=num(rv.value), cur=cur, low=num(rv.ci_low), high=num(rv.ci_high)
                )
            lines.append(text)
        if self.trend is not None:
            lines.append(self.trend.summary(lang))
        lines.append(self.focus.summary())
        lines.extend(f"{t['note']}: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_html(self) -> str:
        """The assessment as an HTML section of the board report (autoescaped)."""
        from cxo.assess.html import render

        return render(self)


def assess(
    workspace: Workspace | str | Path | None = None,
    *,
    n_boot: int = 200,
    seed: int = 0,
    as_of: dt.date | None = None,
) -> Assessment:
    """The Standortbestimmung of ``workspace`` (a :class:`Workspace` or its directory).

    Raises ``MissingDataError``/``InsufficientDataError`` naming what is missing when the
    workspace holds too little data for a meaningful result.
    """
    ws = (
        workspace
        if isinstance(workspace, Workspace)
        else resolve_workspace(Path(workspace) if workspace is not None else None)
    )
    charter = ws.charter()
    language = ws.settings.language
    currency = charter.company.currency
    notes: list[str] = []
    with ws.connect(read_only=True) as con:
        # The working tables (one row per response, customer × touchpoint, …) spill to disk
        # beyond this, so that DuckDB and the pandas/statsmodels side fit in 4 GB at 1M
        # customers / 10M responses.
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute(f"SET temp_directory = '{_sql_path(ws.data_dir / 'tmp')}'")
        prep = prepare(con, as_of)
        notes.extend(prep.notes)
        pains = find_pains(
            con,
            charter,
            currency=currency,
            has_revenue=prep.has_revenue,
            language=language,
            seed=seed,
        )
        drivers: DriverAnalysis | None = None
        if prep.has_ratings:
            try:
                drivers = analyse_drivers(con, n_boot=n_boot, seed=seed)
            except CxoError as exc:
                notes.append(f"key drivers not computed: {exc.message}")
        else:
            notes.append(
                "no attribute ratings: key drivers need table `ratings` "
                "(import with `cxo import ratings FILE`)"
            )
        link: Linkage | None = None
        try:
            link = linkage(con, charter, currency=currency, has_revenue=prep.has_revenue, seed=seed)
        except InsufficientDataError as exc:
            notes.append(f"churn linkage not computed: {exc.message}")
        tr = trend(con)
        if tr is None:
            notes.append("trend needs at least 3 quarters with 30 or more NPS answers each")
    unknown = sorted({p.touchpoint for p in pains} - charter.keys("touchpoint"))
    if unknown:
        notes.append(
            "touchpoints without a charter entry (no owner): "
            + ", ".join(unknown)
            + " — run `cxo charter check`"
        )
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


def next_number(reports: Path) -> int:
    """The next free assessment number in ``reports``."""
    return max(saved_assessments(reports), default=0) + 1


def write_assessment(
    ws: Workspace, assessment: Assessment, *, author: str = "cxo"
) -> tuple[Path, Path]:
    """Write ``reports/assessment-<n>.json`` and ``.html``; note the run in the store."""
    reports = ws.reports_dir
    number = next_number(reports)
    assessment.number = number
    json_path = reports / f"assessment-{number}.json"
    html_path = reports / f"assessment-{number}.html"
    json_path.write_text(
        json.dumps(assessment.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    html_path.write_text(assessment.to_html(), "utf-8")
    try:
        from cxo.store.db import record_assessment_run

        record_assessment_run(
            ws.app_database_url,
            number,
            str(json_path.relative_to(ws.root)),
            author=author,
            summary=assessment.summary().splitlines()[0],
        )
    except Exception as exc:  # the files are the record; the store entry is a convenience
        assessment.notes.append(f"assessment run not recorded in the store: {exc}")
    return json_path, html_path


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
