"""Recovery of planted truth: run the assessment on a simulated company and score it.

Used by the recovery tests (``tests/assess/test_recovery.py``) and the benchmark
``bench/assess_recovery.py``. The criteria are the issue's acceptance:

* every planted pain appears in the top (planted + 2) of the ranking, flagged, with an owner;
* its revenue-at-risk interval covers the planted value = planted churn effect × the monthly
  revenue of the affected customers the assessment identified (those it can name and act on);
* planted-null cells are not flagged at FDR 10 %;
* the planted driver order is recovered (Spearman ρ ≥ 0.9, the top driver first, zero-weight
  drivers not significant).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxo.assess import Assessment
    from cxo.assess.pains import Pain
    from cxo.workspace import Workspace


def load_simulation(
    root: Path, company_type: str, customers: int, seed: int
) -> tuple[Workspace, dict[str, Any]]:
    """Simulate a company, load its tables into a new workspace and tag the comments."""
    import cxo
    from cxo.text import tag_workspace
    from cxo.workspace import Workspace

    sim = cxo.simulate(company_type, customers, seed=seed)
    ws = Workspace.create(root, company_type)
    with ws.connect() as con:
        for name, table in sim.tables.items():
            con.register("_sim", table)
            cols = ", ".join(f'"{c}"' for c in table.column_names)
            con.execute(f'insert into "{name}" ({cols}) select {cols} from _sim')
            con.unregister("_sim")
    tag_workspace(ws)
    return ws, sim.truth


def matches(pain: Pain, cell: dict[str, Any]) -> bool:
    """A pain matches a planted cell on touchpoint and theme, pooled or in the planted segment."""
    if (pain.touchpoint, pain.theme) != (cell["touchpoint"], cell["theme"]):
        return False
    return pain.segment is None or cell["segment"] is None or pain.segment == cell["segment"]


def evaluate(result: Assessment, truth: dict[str, Any]) -> dict[str, Any]:
    """Score an assessment against the simulator's truth (see the module docs)."""
    from scipy import stats as st

    planted = truth["pains"]
    top_n = len(planted) + 2
    pains_out: list[dict[str, Any]] = []
    for cell in planted:
        found = [p for p in result.pains if matches(p, cell)]
        row: dict[str, Any] = {
            "touchpoint": cell["touchpoint"],
            "theme": cell["theme"],
            "segment": cell["segment"],
            "churn_effect": cell["churn_effect"],
            "rank": None,
            "in_top": False,
        }
        if found:
            pain = found[0]
            planted_rar = None
            covered = False
            if pain.revenue is not None:
                planted_rar = cell["churn_effect"] * pain.revenue.monthly_revenue_exposed
                covered = pain.revenue.ci_low <= planted_rar <= pain.revenue.ci_high
            row.update(
                rank=pain.rank,
                in_top=pain.rank <= top_n,
                flagged=pain.flagged,
                has_owner=bool(pain.owner.get("accountable")),
                excess=pain.churn.excess if pain.churn else None,
                excess_ci=[pain.churn.ci_low, pain.churn.ci_high] if pain.churn else None,
                revenue_at_risk=pain.revenue.value if pain.revenue else None,
                revenue_ci=[pain.revenue.ci_low, pain.revenue.ci_high] if pain.revenue else None,
                planted_revenue_at_risk=planted_rar,
                revenue_covered=covered,
            )
        pains_out.append(row)
    nulls = []
    for cell in truth["null_cells"]:
        cells = [p for p in result.pains if matches(p, cell)]
        nulls.append(
            {
                "touchpoint": cell["touchpoint"],
                "theme": cell["theme"],
                "segment": cell["segment"],
                "flagged": any(p.flagged for p in cells),
                "min_q": min((p.q_value for p in cells), default=None),
            }
        )
    drivers: dict[str, Any] = {"recovered": False}
    if result.drivers is not None:
        rw = result.drivers.relative_weights
        weights = truth["drivers"]["weights"]
        names = list(weights)
        rho = float(st.spearmanr([weights[n] for n in names], [rw.weights_[n] for n in names])[0])
        top_ok = rw.ranking()[0] == truth["drivers"]["order"][0]
        zero_ok = rw.significant_ is not None and all(
            not bool(rw.significant_[n]) for n, w in weights.items() if w == 0.0
        )
        drivers = {
            "spearman": rho,
            "top_driver_ok": top_ok,
            "zero_weight_not_significant": zero_ok,
            "recovered": rho >= 0.9 and top_ok and zero_ok,
        }
    return {
        "company_type": truth["company_type"],
        "seed": truth["seed"],
        "customers": truth["customers"],
        "top_n": top_n,
        "pains": pains_out,
        "null_cells": nulls,
        "drivers": drivers,
        "top": [list(p.key()) for p in result.pains[:top_n]],
    }
