"""Initiatives and proof: the portfolio, business cases, measured effects, ROI, priorities.

On a workspace:

* :func:`case` — the business case of an initiative before launch, on the customers it
  reaches (active customers who answered at its touchpoints, their revenue and churn);
* :func:`measure` — after launch: the difference-in-differences effect on NPS and on the
  detractor share (:mod:`cxo.initiatives.effect`), turned into churn and money with the
  touchpoint's detractor churn linkage, and the business case re-run on the measured effect
  (ROI with the probability that it pays) — :mod:`cxo.initiatives.proof`;
* :func:`prioritise` — initiatives against the ranked pains of the assessment: which pains
  each addresses and how much revenue at risk that is per unit of cost; top pains no
  initiative addresses; initiatives that address no ranked pain (what to stop doing) —
  :mod:`cxo.initiatives.priorities`.

Results are data; :mod:`cxo.report.initiatives` puts them in words (German or English).
"""

from __future__ import annotations

from cxo.initiatives.business_case import BusinessCase, CaseInputs, business_case
from cxo.initiatives.effect import measure_effect
from cxo.initiatives.portfolio import (
    STATUSES,
    Initiative,
    get_initiative,
    initiatives,
    load_portfolio,
    remove_initiative,
    save_initiative,
)
from cxo.initiatives.priorities import (
    Prioritisation,
    Priority,
    latest_pains,
    prioritise,
    rank,
)
from cxo.initiatives.proof import Proof, Reach, case, measure, measure_all

__all__ = [
    "STATUSES",
    "BusinessCase",
    "CaseInputs",
    "Initiative",
    "Prioritisation",
    "Priority",
    "Proof",
    "Reach",
    "business_case",
    "case",
    "get_initiative",
    "initiatives",
    "latest_pains",
    "load_portfolio",
    "measure",
    "measure_all",
    "measure_effect",
    "prioritise",
    "rank",
    "remove_initiative",
    "save_initiative",
]
