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


def test_default_everyone_uses_every_touchpoint() -> None:
    """By default every customer uses an initiative's touchpoint (the default companies keep
    their data and their recovery tests); the truth says so."""
    sim = simulate("service", 300, 1)
    for ini in sim.truth["initiatives"]:
        assert ini["users_share"] == 1.0
        assert ini["users"] == 300


def test_users_share_must_exceed_the_touchpoints_share() -> None:
    with pytest.raises(UsageError, match=r"users_share 0\.05 must lie in"):
        simulate("service", 200, 1, initiatives=_plan(users_share=0.05))
