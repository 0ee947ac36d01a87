"""HTML section "Initiatives and proof" (jinja2 with autoescape: names and labels are user data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import Environment, select_autoescape

from cxo.engine.format import format_money, format_number, format_percent

if TYPE_CHECKING:
    from cxo.initiatives import Prioritisation, Proof

_ENV = Environment(
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

TEXT = {
    "en": {
        "title": "Initiatives and proof",
        "name": "Initiative",
        "owner": "Owner",
        "launch": "Launch",
        "expected": "Expected NPS",
        "measured": "Measured NPS effect [95% CI]",
        "kept": "Revenue kept/month [95% CI]",
        "npv": "NPV",
        "pays": "P(pays)",
        "verdict": "Business case",
        "not_measured": "not measured",
        "priorities": "Priorities against the ranked pains",
        "unaddressed": "Top pains no initiative addresses",
        "stop": "Candidates to stop",
        "none": "none",
        "month": "month",
        "method": "Difference-in-differences against the other touchpoints, by segment, "
        "customer-clustered intervals.",
    },
    "de": {
        "title": "Initiativen und Nachweis",
        "name": "Initiative",
        "owner": "Verantwortlich",
        "launch": "Start",
        "expected": "Erwarteter NPS",
        "measured": "Gemessener NPS-Effekt [95 %-KI]",
        "kept": "Gehaltener Umsatz/Monat [95 %-KI]",
        "npv": "Kapitalwert",
        "pays": "P(rechnet sich)",
        "verdict": "Business Case",
        "not_measured": "nicht gemessen",
        "priorities": "Prioritäten gegen die gereihten Schmerzpunkte",
        "unaddressed": "Größte Schmerzpunkte ohne Initiative",
        "stop": "Kandidaten zum Stoppen",
        "none": "keine",
        "month": "Monat",
        "method": "Differenz-von-Differenzen gegen die übrigen Kontaktpunkte, nach Segment, "
        "Intervalle nach Kund:in geclustert.",
    },
}

_TEMPLATE = _ENV.from_string(
    """<section class="cxo-initiatives" lang="{{ lang }}">
<p>{{ t.method }}</p>
<table class="cxo-table">
<thead><tr><th>{{ t.name }}</th><th>{{ t.owner }}</th><th>{{ t.launch }}</th>
<th>{{ t.expected }}</th><th>{{ t.measured }}</th><th>{{ t.kept }}</th><th>{{ t.npv }}</th>
<th>{{ t.pays }}</th><th>{{ t.verdict }}</th></tr></thead>
<tbody>
{% for row in rows %}
<tr>
<td>{{ row.name }}</td><td>{{ row.owner }}</td><td>{{ row.launch }}</td><td>{{ row.expected }}</td>
<td>{{ row.measured }}</td><td>{{ row.kept }}</td><td>{{ row.npv }}</td><td>{{ row.pays }}</td>
<td>{{ row.verdict }}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% if prio %}
<h3>{{ t.priorities }}</h3>
<ol>
{% for p in prio.ranked %}
<li>{{ p.initiative.name }} — {{ money(p.revenue_at_risk) }}/{{ t.month }}
({{ p.pains | map(attribute='label') | join('; ') or t.none }})</li>
{% endfor %}
</ol>
<h3>{{ t.unaddressed }}</h3>
<ul>
{% for pain in prio.unaddressed %}
<li>#{{ pain.rank }} {{ pain.label }} — {{ money(pain.revenue_at_risk) }}</li>
{% else %}
<li>{{ t.none }}</li>
{% endfor %}
</ul>
<h3>{{ t.stop }}</h3>
<ul>
{% for p in prio.stop %}
<li>{{ p.initiative.name }} ({{ p.initiative.owner }}): {{ p.stop_reason }}</li>
{% else %}
<li>{{ t.none }}</li>
{% endfor %}
</ul>
{% endif %}
</section>
"""
)


def render(
    proofs: list[Proof],
    prioritisation: Prioritisation | None,
    *,
    language: str = "en",
    currency: str = "EUR",
) -> str:
    """The section for measured initiatives and the priorities."""
    lang = "de" if language == "de" else "en"

    def money(v: float | None) -> str:
        return format_money(v, currency, lang)

    def num(v: float | None, d: int = 1) -> str:
        return format_number(v, d, lang)

    rows: list[dict[str, Any]] = []
    for p in proofs:
        ini, n = p.initiative, p.effect.nps
        lo, hi = p.revenue_kept_ci
        rows.append(
            {
                "name": ini.name,
                "owner": ini.owner,
                "launch": ini.launch.isoformat() if ini.launch else "",
                "expected": num(ini.expected_nps_effect),
                "measured": f"{num(n.estimate)} [{num(n.ci_low)}; {num(n.ci_high)}]",
                "kept": f"{money(p.revenue_kept_month)} [{money(lo)}; {money(hi)}]",
                "npv": money(p.case.npv),
                "pays": format_percent(p.probability_pays, 0, lang),
                "verdict": p.case.reason,
            }
        )
    return _TEMPLATE.render(t=TEXT[lang], lang=lang, rows=rows, prio=prioritisation, money=money)
