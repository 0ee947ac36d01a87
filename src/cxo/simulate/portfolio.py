"""The simulated company's own portfolio of initiatives: what it *planned* (``portfolio.yaml``).

Every planted initiative appears with the plan the company made before launch — owner from
the charter, the planted pains at its touchpoint it means to fix, costs that scale with the
company's size (a case that carries for the initiative that works, a weak one for the
null), and an optimistic expected effect (the planted NPS effect + 2 points; the null
initiatives, e.g. the chatbot, were expected to bring 5 points and half a point less churn
a year). ``truth.json`` holds what really happened, so the demo can show a plan meeting its
measurement: one initiative that works and one that is a candidate to stop.
"""

from __future__ import annotations

from typing import Any

import yaml

from cxo.core.charter import parse_charter, template_text

NULL_EXPECTED_NPS = 5.0
NULL_EXPECTED_CHURN = -0.005


def portfolio(company_type: str, customers: int, truth: dict[str, Any]) -> dict[str, Any]:
    """The portfolio document (``{"initiatives": [...]}``) of a simulated company."""
    charter = parse_charter(template_text(company_type))
    items = []
    for ini in truth.get("initiatives", []):
        tp = ini["touchpoint"]
        works = float(ini.get("nps_effect_planted", 0.0)) != 0.0
        pains = [
            f"{p['touchpoint']}:{p['theme']}"
            for p in truth.get("pains", [])
            if p["touchpoint"] == tp
        ]
        items.append(
            {
                "key": ini["name"],
                "name": ini["name"].replace("_", " ").capitalize(),
                "owner": charter.owner_of(tp)["accountable"] or "",
                "touchpoints": [tp],
                "pains": pains,
                "one_off_cost": float(round((2.5 if works else 3.0) * customers, -3)),
                "running_cost_month": float(round((0.05 if works else 0.1) * customers, -1)),
                "expected_nps_effect": (
                    float(ini["nps_effect_planted"]) + 2.0 if works else NULL_EXPECTED_NPS
                ),
                "expected_churn_effect": (
                    float(ini["churn_effect"]) if works else NULL_EXPECTED_CHURN
                ),
                "launch": ini["start"],
                "status": "running",
            }
        )
    return {"initiatives": items}


def portfolio_yaml(company_type: str, customers: int, truth: dict[str, Any]) -> str:
    """:func:`portfolio` as YAML text."""
    header = "# The simulated company's plan (see truth.json for what really happened)\n"
    return header + yaml.safe_dump(
        portfolio(company_type, customers, truth), sort_keys=False, allow_unicode=True
    )
