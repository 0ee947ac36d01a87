"""The planted effects are visible in the raw data, and zeroed effects are really zero."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pytest

from cxo.core.themes import THEME_KEYS
from cxo.simulate import SimulatedCompany, simulate
from cxo.simulate.comments import pools

MIN_KEYS = {
    "company_type",
    "customers",
    "seed",
    "pains",
    "null_cells",
    "drivers",
    "loyalty",
    "marketing",
    "complaints",
    "selfservice",
    "initiatives",
}


def connect(sim: SimulatedCompany) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for name, table in sim.tables.items():
        c.register(name, table)
    return c


@pytest.fixture(scope="module")
def con(service20k: SimulatedCompany) -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(service20k)
    yield c
    c.close()


def nps(scores: np.ndarray) -> float:
    return float(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


def mentions(texts: list[str | None], theme: str) -> np.ndarray:
    """Whether each comment contains a negative phrasing of ``theme`` (pool lookup)."""
    p = pools()
    phrases = set()
    for lang in ("de", "en"):
        for text in p.phrasings(theme, lang, "neg"):
            stem = text.rstrip(".!")
            phrases.add(stem)
            phrases.add(stem[:1].lower() + stem[1:])
    return np.array([t is not None and any(ph in t for ph in phrases) for t in texts])


def test_truth_has_the_product_keys(service20k: SimulatedCompany) -> None:
    truth = service20k.truth
    assert set(truth) >= MIN_KEYS
    for pain in truth["pains"]:
        assert {
            "touchpoint",
            "theme",
            "segment",
            "share_affected",
            "nps_effect",
            "churn_effect",
        } <= set(pain)
        assert pain["theme"] in THEME_KEYS
    assert 0.0 in truth["drivers"]["weights"].values()
    assert sum(truth["drivers"]["weights"].values()) == pytest.approx(1.0, abs=1e-5)


def test_planted_pain_gaps_are_visible_in_the_raw_data(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    for pain in service20k.truth["pains"]:
        seg = f"and c.segment = '{pain['segment']}'" if pain["segment"] else ""
        rows = con.execute(
            f"select r.nps, r.comment from responses r join customers c using (customer_id) "
            f"where r.touchpoint = '{pain['touchpoint']}' and r.nps is not null {seg}"
        ).fetchall()
        scores = np.array([r[0] for r in rows])
        men = mentions([r[1] for r in rows], pain["theme"])
        gap = nps(scores[men]) - nps(scores[~men])
        se = 100 * np.sqrt(1 / men.sum() + 1 / (~men).sum())
        assert abs(gap - pain["nps_effect_observable"]) < 4 * se, (pain, gap)
        assert abs(pain["nps_effect"] - pain["nps_effect_planted"]) < 2.5
        # a pain at an initiative's touchpoint affects its users only, and only they answer
        # there: its share of the answers is the share among the users
        users = np.prod(
            [i["users_share"] for i in service20k.truth["initiatives"]
             if i["touchpoint"] == pain["touchpoint"]]
        )  # fmt: skip
        expected = pain["share_affected"] / users
        assert pain["share_affected_responses"] == pytest.approx(expected, abs=0.03)


def test_null_cells_are_mentioned_but_carry_no_gap(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    for cell in service20k.truth["null_cells"]:
        seg = f"and c.segment = '{cell['segment']}'" if cell["segment"] else ""
        rows = con.execute(
            f"select r.nps, r.comment from responses r join customers c using (customer_id) "
            f"where r.touchpoint = '{cell['touchpoint']}' and r.nps is not null {seg}"
        ).fetchall()
        scores = np.array([r[0] for r in rows])
        men = mentions([r[1] for r in rows], cell["theme"])
        assert men.mean() == pytest.approx(0.1, abs=0.02)
        gap = nps(scores[men]) - nps(scores[~men])
        se = 100 * np.sqrt(1 / men.sum() + 1 / (~men).sum())
        assert abs(gap) < 4 * se


def test_affected_customers_churn_more(con: duckdb.DuckDBPyConnection) -> None:
    by_group = dict(
        con.execute(
            "with c as (select customer_id, avg(nps) as m from responses where nps is not null "
            "group by 1) select m <= 6, avg((cu.churn_date is not null)::int) from c "
            "join customers cu using (customer_id) group by 1"
        ).fetchall()
    )
    assert by_group[True] > by_group[False] + 0.03


def test_loyalty_confounding_naive_differs_from_within_product(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    truth = service20k.truth["loyalty"]
    rows = con.execute(
        """
        with k as (
          select k.*, datediff('month', c.signup_date, date '2026-09-30') as ten,
                 p.new_customer_price as list
          from contracts k join customers c using (customer_id)
          join price_list p on p.product = k.product and p.valid_to is null
          where k.end_date is null)
        select case when ten <= 12 then 0 when ten <= 24 then 1 else 2 end as band,
               avg(monthly_price), avg(monthly_price / list - 1),
               sum(greatest(monthly_price - list, 0))
        from k group by 1 order by 1
        """
    ).fetchall()
    naive_25 = rows[2][1] / rows[0][1] - 1
    within = [r[2] for r in rows]
    assert naive_25 > within[2] + 0.2  # bigger bundles make the naive figure far larger
    assert within[0] == pytest.approx(0.0, abs=1e-9)
    assert within[1] == pytest.approx(0.08, abs=0.01)
    assert within[2] == pytest.approx(0.15, abs=0.01)
    assert sum(r[3] for r in rows) == pytest.approx(truth["monthly_loyalty_tax"], rel=1e-6)
    assert truth["naive_penalty_by_tenure_band"]["25+"] == pytest.approx(naive_25, rel=1e-6)


def test_driver_order_is_visible_in_the_ratings(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    rows = con.execute(
        "select g.attribute, corr(g.score, r.nps) from ratings g join responses r "
        "using (response_id) where r.nps is not null group by 1"
    ).fetchall()
    weights = service20k.truth["drivers"]["weights"]
    corr2 = {a: c * c for a, c in rows}
    order = sorted(weights, key=lambda a: -corr2[a])
    assert order == service20k.truth["drivers"]["order"]


def test_channel_switch_after_failed_sessions(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    rows = dict(
        con.execute(
            """
            select s.succeeded, avg((exists (select 1 from cases c
                where c.customer_id = s.customer_id
                and c.channel in ('phone', 'chat') and c.opened_at >= s.started_at
                and c.opened_at <= s.started_at + interval 48 hour))::int)
            from sessions s where s.customer_id is not null group by 1
            """
        ).fetchall()
    )
    planted = service20k.truth["selfservice"]["switch_to_call_within_48h"]
    assert rows[False] - rows[True] == pytest.approx(planted, abs=0.03)


def test_contacts_and_marketing_rates(
    service20k: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    mean = con.execute(
        "select avg(contacts) from cases where reason in ('complaint', 'defect')"
    ).fetchone()
    assert mean is not None
    assert mean[0] == pytest.approx(3.4, abs=0.1)
    m = service20k.truth["marketing"]
    rates = dict(
        con.execute(
            "select personalized, avg(unsubscribed::int) from sends s where s.campaign "
            "like 'newsletter%' or s.personalized group by 1"
        ).fetchall()
    )
    assert rates[False] - rates[True] == pytest.approx(
        m["unsubscribe_uplift_untargeted"], abs=0.003
    )


def test_no_effects_plants_nothing() -> None:
    sim = simulate("service", 4_000, 2, no_effects=True)
    t = sim.truth
    assert all(p["nps_effect"] == 0 and p["churn_effect"] == 0 for p in t["pains"])
    assert t["loyalty"]["monthly_loyalty_tax"] == 0
    assert t["loyalty"]["churn_effect"] == 0
    assert all(v == 0 for v in t["loyalty"]["realised_penalty_by_tenure_band"].values())
    assert t["loyalty"]["naive_penalty_by_tenure_band"]["25+"] > 0.1  # still confounded
    assert t["marketing"]["unsubscribe_uplift_untargeted"] == 0
    assert t["marketing"]["click_uplift_personalized"] == 0
    assert t["marketing"]["lifecycle_gaps"] == []
    assert t["complaints"]["nps_effect_per_extra_contact"] == 0
    assert t["selfservice"]["switch_cases"] == 0
    assert t["selfservice"]["ces_mean"]["failed"] == t["selfservice"]["ces_mean"]["succeeded"]
    assert all(i["nps_effect"] == 0 and i["churn_effect"] == 0 for i in t["initiatives"])
    con = connect(sim)
    assert con.execute(
        "select count(*) from contracts k join price_list p on p.product = k.product "
        "and p.valid_to is null where k.end_date is null "
        "and k.monthly_price <> p.new_customer_price"
    ).fetchone() == (0,)
    served = con.execute(
        "select count(distinct lifecycle_stage) from sends where personalized"
    ).fetchone()
    assert served == (4,)


def test_loyalty_penalty_zero_alone() -> None:
    t = simulate("software", 3_000, 4, loyalty_penalty=0).truth["loyalty"]
    assert t["monthly_loyalty_tax"] == 0
    assert t["penalty_by_tenure_band"] == {"0-12": 0.0, "13-24": 0.0, "25+": 0.0}


def test_flat_overall_with_mix_shift(service20k: SimulatedCompany) -> None:
    trend = service20k.truth["trend"]
    d = trend["decomposition"]
    assert abs(d["total"]) < 2.0
    assert d["mix"] < -1.5
    assert d["within"] > 1.5
    assert d["mix"] + d["within"] == pytest.approx(d["total"], abs=0.01)
    assert len(trend["quarters"]) == 12
