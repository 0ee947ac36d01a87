"""Event study of :mod:`cxo.initiatives.event_study` and the comparison groups of
:func:`cxo.initiatives.effect.measure_effect` (matched customers, before/after only).

Outside reference for the event study: the saturated customer-clustered OLS
``y ~ 0 + C(cell)`` (cell = treated × month from the launch) in statsmodels; each month's
coefficient is the linear contrast (treated − control in month k) − (treated − control over
the pooled pre window), whose estimate and SE ``fit.t_test`` gives.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from cxo.errors import UsageError
from cxo.initiatives.effect import measure_effect
from cxo.initiatives.event_study import MONTH_DAYS

from .test_effect import LAUNCH, _con, _responses, _window


def test_event_study_equals_statsmodels_contrasts() -> None:
    frame = _responses(11)
    m = measure_effect(_con(frame), ["portal"], LAUNCH)
    assert m.event_study is not None
    data = _window(frame)
    days = (data["responded_at"] - pd.Timestamp(LAUNCH)).dt.total_seconds() / 86400.0
    data["k"] = np.maximum(np.floor(days / MONTH_DAYS).astype(int), -12)
    data["cell"] = data["t"].astype(str) + ":" + data["k"].astype(str)
    fit = smf.ols("y ~ 0 + C(cell)", data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["customer_id"])[0]}
    )
    names = list(fit.params.index)
    counts = data.groupby("cell").size()
    pre = data[data["k"] < 0]
    n_pre = pre.groupby("t").size()
    assert len(m.event_study.months) == data["k"].nunique()
    for month in m.event_study.months:
        contrast = np.zeros(len(names))
        for t, sign in ((1, 1.0), (0, -1.0)):
            contrast[names.index(f"C(cell)[{t}:{month.month}]")] += sign
            for k in sorted(pre["k"].unique()):
                cell = f"{t}:{k}"
                contrast[names.index(f"C(cell)[{cell}]")] -= sign * counts[cell] / n_pre[t]
        test = fit.t_test(contrast)
        assert month.estimate == pytest.approx(float(test.effect[0]), rel=1e-9, abs=1e-9)
        assert month.se == pytest.approx(float(test.sd[0][0]), rel=1e-9)
    # parallel before the launch by construction: the pre-trend test does not flag it
    assert m.event_study.pre_trend is not None
    assert not m.event_study.doubtful
    months = m.to_dict()["event_study"]["months"]
    assert {"month", "estimate", "ci_low", "ci_high"} <= set(months[0])


def test_planted_drift_before_the_launch_is_flagged() -> None:
    """The treated touchpoint rises by 0.1 latent points a month over the pre year (a
    deterministic drift): the pre-trend test flags it and a note says so in words."""
    frame = _responses(12)
    days = (frame["responded_at"] - pd.Timestamp(LAUNCH)).dt.days
    drift = np.where((frame["touchpoint"] == "portal") & (days < 0), 2.2 * 0.1 * days / 30, 0.0)
    frame["nps"] = np.clip(frame["nps"] + np.round(drift), 0, 10).astype(int)
    m = measure_effect(_con(frame), ["portal"], LAUNCH)
    assert m.event_study is not None
    assert m.event_study.pre_trend is not None
    assert m.event_study.pre_trend.slope > 0
    assert m.pre_trend_doubtful
    assert m.parallel_trends_doubtful
    keys = [n.key for n in m.notes]
    assert "initiatives.effect.pre_trend_doubtful" in keys


def _targeted_frame(seed: int, effect: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Customers with a lasting level ``u`` and noisy answers; the campaign targets half of
    those whose pre-launch average was low (so their scores rise anyway: regression to the
    mean) and few others, and adds ``effect`` latent points to their answers after the
    launch."""
    rng = np.random.default_rng(seed)
    n_cust, n = 4000, 40000
    u = rng.normal(0, 0.6, n_cust)
    segment = np.where(np.arange(n_cust) % 3 == 0, "business", "private")
    signup = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n_cust), "D")
    customer = rng.integers(0, n_cust, n)
    day = rng.integers(-330, 300, n)
    noise = rng.normal(0, 1, n)
    pre_mean = pd.Series(u[customer] + noise).where(day < 0).groupby(customer).mean()
    chance = np.where(pre_mean < -0.3, 0.5, 0.05)
    targeted = set(pre_mean.index[rng.random(len(pre_mean)) < chance])
    treated = np.isin(customer, list(targeted))
    latent = u[customer] + noise + effect * (treated & (day >= 0))
    nps = np.clip(np.round(7 + 2.2 * latent), 0, 10).astype(int)
    frame = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "customer_id": [f"c{c}" for c in customer],
            "touchpoint": rng.choice(["portal", "hotline"], n),
            "responded_at": pd.Timestamp(LAUNCH) + pd.to_timedelta(day, unit="D"),
            "nps": nps,
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{c}" for c in range(n_cust)],
            "segment": segment,
            "signup_date": signup.date,
            "churn_date": pd.NaT,
        }
    )
    return frame, customers, sorted(f"c{c}" for c in targeted)


def _con2(frame: pd.DataFrame, customers: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("_r", frame)
    con.execute("create table responses as select * from _r")
    con.register("_c", customers)
    con.execute(
        "create table customers as select customer_id, segment, signup_date::date as "
        "signup_date, churn_date::date as churn_date from _c"
    )
    return con


@pytest.mark.parametrize("effect", [0.0, 0.4])
def test_matched_customers_remove_regression_to_the_mean(effect: float) -> None:
    frame, customers, targeted = _targeted_frame(13, effect)
    con = _con2(frame, customers)
    matched = measure_effect(con, [], LAUNCH, comparison="matched", customers=targeted)
    prepost = measure_effect(con, [], LAUNCH, comparison="prepost", customers=targeted)
    assert matched.matching is not None
    assert len(matched.matching.treated_ids) >= 0.95 * len(targeted)
    pre_t, pre_c = matched.matching.pre_nps_treated, matched.matching.pre_nps_control
    assert pre_t is not None
    assert pre_c is not None
    assert abs(pre_t - pre_c) < 3.0
    # the truth in NPS points: the same customers' answers after the launch with and
    # without the planted latent shift (the noise is the same draw)
    rng_free, _, _ = _targeted_frame(13, 0.0)
    after = (frame["responded_at"] >= pd.Timestamp(LAUNCH)) & frame["customer_id"].isin(targeted)

    def nps(x: pd.Series) -> float:
        return float(np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0)).mean())

    truth = nps(frame.loc[after, "nps"]) - nps(rng_free.loc[after, "nps"])
    assert matched.nps.ci_low <= truth <= matched.nps.ci_high
    assert matched.comparison == "matched"
    assert matched.event_study is not None
    # before/after alone mistakes the regression to the mean for an effect, and says so
    assert prepost.nps.value - truth > 3 * prepost.nps.se
    assert "initiatives.effect.prepost_warning" in [n.key for n in prepost.notes]
    assert prepost.to_dict()["comparison"] == "prepost"


def test_comparison_errors_say_what_is_needed() -> None:
    con = _con(_responses(14))
    with pytest.raises(UsageError, match="not one of touchpoints, matched, prepost"):
        measure_effect(con, ["portal"], LAUNCH, comparison="synthetic")
    with pytest.raises(UsageError, match="needs the customers the initiative targeted"):
        measure_effect(con, ["portal"], LAUNCH, comparison="matched")


def test_prepost_is_the_treated_change() -> None:
    frame = _responses(15)
    m = measure_effect(_con(frame), ["portal"], LAUNCH, comparison="prepost")
    data = _window(frame)
    treated = data[data["t"] == 1]
    change = treated.loc[treated.post == 1, "y"].mean() - treated.loc[treated.post == 0, "y"].mean()
    assert m.nps.value == pytest.approx(change, rel=1e-9)
    assert m.event_study is None
    assert m.controls == []
    assert dt.date(2024, 7, 1) == m.pre_start
