"""An initiative acts on the customers who use its touchpoint (issue 19, item 5), and a
planted pre-trend violation shows in the data."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cxo.errors import UsageError
from cxo.simulate import SimulatedCompany, simulate
from cxo.simulate.config import build_config

N = 4000


def _con(sim: SimulatedCompany) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("responses", "customers"):
        con.register(f"_{name}", sim.tables[name])
        con.execute(f"create table {name} as select * from _{name}")
    return con


def _plan(**changes: object) -> list[dict[str, object]]:
    plan = build_config("service", N, 5).initiatives
    plan[0].update(changes)  # portal_relaunch
    return plan


@pytest.mark.slow
def test_only_users_answer_at_the_touchpoint_with_its_usual_share() -> None:
    sim = simulate("service", N, 5, initiatives=_plan(users_share=0.3))
    portal = sim.truth["initiatives"][0]
    assert portal["users_share"] == 0.3
    assert abs(portal["users"] - 0.3 * N) < 4 * (0.3 * 0.7 * N) ** 0.5
    con = _con(sim)
    answered = dict(
        con.execute(
            """select touchpoint, count(distinct customer_id) from responses
               where survey <> 'task_survey' group by 1"""
        ).fetchall()
    )
    # every customer answering at the portal is a user; at a touchpoint of the same weight
    # (sales, onboarding: weight 1 like the portal) far more customers answer
    assert answered["portal"] <= portal["users"]
    assert answered["portal"] < 0.6 * answered["sales"]
    share = dict(
        con.execute(
            """select touchpoint, count(*) / sum(count(*)) over () from responses
               where survey <> 'task_survey' group by 1"""
        ).fetchall()
    )
    assert share["portal"] == pytest.approx(share["sales"], rel=0.1)


def test_churn_effect_acts_on_the_users_only() -> None:
    """A drastic planted effect (−0.5 a year: users nearly stop churning) from 2024-01-01:
    customers who answered at the portal (all users) churn far less after the start than
    customers with as many answers who never answered there (mostly non-users)."""
    start = dt.date(2024, 1, 1)
    sim = simulate(
        "service",
        N,
        5,
        initiatives=_plan(churn_effect=-0.5, start=start.isoformat(), users_share=0.5),
    )
    con = _con(sim)
    rows = con.execute(
        """with per as (
             select customer_id, bool_or(touchpoint = 'portal') as portal, count(*) as n
             from responses where customer_id is not null group by 1)
           select portal, count(*) as customers,
                  avg(coalesce(c.churn_date >= $start, false)::int) as churned_after_start
           from per join customers c using (customer_id)
           where n >= 6 and c.signup_date < $start
             and (c.churn_date is null or c.churn_date >= $start)
           group by 1""",
        {"start": start},
    ).fetchall()
    by = {bool(r[0]): (int(r[1]), float(r[2])) for r in rows}
    assert by[True][0] > 200
    assert by[False][0] > 200
    assert by[True][1] < 0.4 * by[False][1]
    # the same company without the effect: the groups churn alike
    plain = simulate(
        "service",
        N,
        5,
        initiatives=_plan(churn_effect=0.0, start=start.isoformat(), users_share=0.5),
    )
    rows = (
        _con(plain)
        .execute(
            """with per as (
             select customer_id, bool_or(touchpoint = 'portal') as portal, count(*) as n
             from responses where customer_id is not null group by 1)
           select portal, avg(coalesce(c.churn_date >= $start, false)::int)
           from per join customers c using (customer_id)
           where n >= 6 and c.signup_date < $start
             and (c.churn_date is null or c.churn_date >= $start)
           group by 1""",
            {"start": start},
        )
        .fetchall()
    )
    base = {bool(r[0]): float(r[1]) for r in rows}
    assert base[True] > 0.7 * base[False]


def test_by_default_half_the_customers_use_an_initiatives_touchpoint() -> None:
    """By default half the customers use an initiative's touchpoint (issue 19: its churn
    effect acts on them); ``users_share`` 1.0 plants the old company where everyone does."""
    sim = simulate("service", 2000, 1)
    for ini in sim.truth["initiatives"]:
        assert ini["users_share"] == 0.5
        assert abs(ini["users"] - 1000) < 4 * (0.25 * 2000) ** 0.5
    old = simulate("service", 300, 1, initiatives=_plan(users_share=1.0))
    assert old.truth["initiatives"][0]["users"] == 300


def test_a_pain_at_an_initiatives_touchpoint_hurts_its_users_only() -> None:
    """The service company plants a portal pain (20 % of customers) and the portal relaunch:
    every affected customer uses the portal, and the pain keeps its share of all customers."""
    sim = simulate("service", N, 5)
    k = next(i for i, p in enumerate(sim.truth["pains"]) if p["touchpoint"] == "portal")
    share = sim.truth["pains"][k]["share_affected"]
    con = _con(sim)
    con.register("_affected", sim.affected)
    rate = dict(
        con.execute(
            """with per as (
                 select customer_id, bool_or(touchpoint = 'portal') as portal, count(*) as n
                 from responses where customer_id is not null and survey <> 'task_survey'
                 group by 1)
               select portal, avg((a.customer_id is not null)::int)
               from per left join (select customer_id from _affected where pain = ?) a
                 using (customer_id)
               where n >= 12 group by 1""",
            [k],
        ).fetchall()
    )
    n_affected = sum(1 for p in sim.affected.column("pain").to_pylist() if p == k)
    assert abs(n_affected - share * N) < 4 * (share * (1 - share) * N) ** 0.5
    # Frequent respondents who answered at the portal are users: 2 × the share is affected.
    # Those who never did are mostly non-users: the pain almost never hurts them (with the
    # pain drawn regardless of use, both rates would be the share).
    assert rate[True] > 1.6 * share
    assert rate[False] < 0.5 * share


def test_a_pain_cannot_affect_more_customers_than_use_its_touchpoint() -> None:
    plan = build_config("service", 200, 1)
    pains = [dict(p) for p in plan.pains]
    portal = next(p for p in pains if p["touchpoint"] == "portal")
    portal["share_affected"] = 0.6
    with pytest.raises(UsageError, match=r"share_affected 0\.6 exceeds"):
        simulate("service", 200, 1, pains=pains)


def test_users_share_must_exceed_the_touchpoints_share() -> None:
    with pytest.raises(UsageError, match=r"users_share 0\.05 must lie in"):
        simulate("service", 200, 1, initiatives=_plan(users_share=0.05))
