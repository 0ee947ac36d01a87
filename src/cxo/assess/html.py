"""HTML section of the assessment (jinja2 with autoescape: labels and themes are user data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

if TYPE_CHECKING:
    from cxo.assess import Assessment

_ENV = Environment(
    loader=PackageLoader("cxo.assess", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

TEXT = {
    "en": {
        "title": "Situational assessment",
        "pains": "Where it hurts most",
        "rank": "#",
        "cell": "Touchpoint · theme · segment",
        "owner": "Owner",
        "reach": "Customers affected",
        "gap": "NPS gap [95% CI]",
        "churn": "Excess churn/yr [95% CI]",
        "money": "Revenue at risk/month [95% CI]",
        "flag": "Significant (FDR 10%)",
        "yes": "yes",
        "no": "no",
        "drivers": "What drives recommendation",
        "linkage": "Churn and revenue",
        "trend": "Two-year trend",
        "focus": "Where to start",
        "stop": "What to stop doing",
        "notes": "Notes",
        "nobody": "no accountable person",
    },
    "de": {
        "title": "Standortbestimmung",
        "pains": "Wo der Schuh am meisten drückt",
        "rank": "#",
        "cell": "Kontaktpunkt · Thema · Segment",
        "owner": "Verantwortlich",
        "reach": "Betroffene Kunden",
        "gap": "NPS-Abstand [95 %-KI]",
        "churn": "Mehr-Abwanderung/Jahr [95 %-KI]",
        "money": "Umsatz im Risiko/Monat [95 %-KI]",
        "flag": "Signifikant (FDR 10 %)",
        "yes": "ja",
        "no": "nein",
        "drivers": "Was die Weiterempfehlung treibt",
        "linkage": "Abwanderung und Umsatz",
        "trend": "Trend über zwei Jahre",
        "focus": "Wo wir anfangen",
        "stop": "Was wir nicht mehr tun",
        "notes": "Hinweise",
        "nobody": "keine verantwortliche Person",
    },
}


def _num(value: float | None, decimals: int = 0, language: str = "en") -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def render(assessment: Assessment) -> str:
    """Render the section."""
    lang = assessment.language if assessment.language in TEXT else "en"
    template = _ENV.get_template("assessment.html")
    return template.render(
        a=assessment,
        t=TEXT[lang],
        lang=lang,
        num=lambda v, d=0: _num(v, d, lang),
        top=assessment.pains[:10],
    )
