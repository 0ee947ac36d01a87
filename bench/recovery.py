"""Recovery of planted truth: run the assessment on a simulated company and score it.

Test and benchmark harness, not part of the product. Used by the recovery tests
(``tests/assess/test_recovery.py``) and the benchmark
``bench/assess_recovery.py``. The criteria are the issue's acceptance:

* every planted pain appears in the top (planted + 2) of the ranking, flagged, with an owner;
* its revenue-at-risk interval covers the planted value = planted churn effect × the monthly
  revenue of the customers the assessment identified *who are truly affected* (fixing the pain
  saves that; an identified customer whose comment was tagged with the theme but whom the
  simulator did not affect churns no less after the fix). The simulator's per-customer truth
  (``truth_affected``) gives the share; without it, all identified customers count;
* planted-null cells are not flagged at FDR 10 %;
* the planted driver order is recovered (Spearman ρ ≥ 0.9, the top driver first, zero-weight
  drivers not significant).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

AFFECTED = "truth_affected"

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
        # the per-customer truth, for :func:`evaluate` only (the assessment never reads it)
        con.register("_sim", sim.affected)
        con.execute(f"create or replace table {AFFECTED} as select * from _sim")
        con.unregister("_sim")
    tag_workspace(ws)
    return ws, sim.truth


def matches(pain: Pain, cell: dict[str, Any]) -> bool:
    """A pain matches a planted cell on touchpoint and theme, pooled or in the planted segment."""
    if (pain.touchpoint, pain.theme) != (cell["touchpoint"], cell["theme"]):
        return False
    return pain.segment is None or cell["segment"] is None or pain.segment == cell["segment"]


def affected_share(ws: Workspace, pain: Pain, index: int) -> float | None:
    """Share of the monthly revenue of the pain's identified active customers that belongs to
    customers planted pain ``index`` truly affects (None without the simulator's truth).

    Identified as in the assessment: a non-positive mention of the theme at the touchpoint, in
    a response with an NPS answer, by a known customer of the pain's segment; revenue = active
    contracts' monthly price at the as-of date.
    """
    from cxo.text.workspace import ws_tables

    with ws.connect(read_only=True) as con:
        if AFFECTED not in ws_tables(con):
            return None
        seg_filter = "" if pain.segment is None else "and coalesce(c.segment, '(none)') = ?"
        params: list[Any] = [pain.touchpoint, pain.theme]
        if pain.segment is not None:
            params.append(pain.segment)
        params.append(index)
        row = con.execute(
            f"""with ident as (
                  select distinct r.customer_id from response_themes t
                  join responses r using (response_id)
                  join customers c using (customer_id)
                  where r.touchpoint = ? and t.theme = ?
                    and (t.sentiment is null or t.sentiment <> 'positive')
                    and r.nps is not null and c.churn_date is null {seg_filter}),
                mrr as (
                  select customer_id, sum(monthly_price) as mrr from contracts
                  where end_date is null group by customer_id)
                select sum(m.mrr) filter (where a.customer_id is not null), sum(m.mrr)
                from ident i join mrr m using (customer_id)
                left join (select customer_id from {AFFECTED} where pain = ?) a
                  using (customer_id)""",
            params,
        ).fetchone()
    if not row or not row[1]:
        return None
    return float(row[0] or 0.0) / float(row[1])


def evaluate(
    result: Assessment, truth: dict[str, Any], ws: Workspace | None = None
) -> dict[str, Any]:
    """Score an assessment against the simulator's truth (see the module docs); ``ws`` (made by
    :func:`load_simulation`) supplies the per-customer truth for the revenue estimand."""
    from scipy import stats as st

    planted = truth["pains"]
    top_n = len(planted) + 2
    pains_out: list[dict[str, Any]] = []
    for index, cell in enumerate(planted):
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
            share = affected_share(ws, pain, index) if ws is not None else None
            if pain.revenue is not None:
                planted_rar = (
                    cell["churn_effect"]
                    * (1.0 if share is None else share)
                    * pain.revenue.monthly_revenue_exposed
                )
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
                identified_truly_affected_share=share,
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
