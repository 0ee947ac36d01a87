"""Difference-in-differences of :mod:`cxo.initiatives.effect`.

Outside reference: with one segment the estimator is the interaction coefficient of
``y ~ treated * post`` by OLS with customer-clustered standard errors — statsmodels::

    smf.ols("y ~ t * post", data).fit(cov_type="cluster", cov_kwds={"groups": customer})

(correction G/(G−1)·(N−1)/(N−K), as Stata's ``regress …, vce(cluster id)``). With several
segments it is the treated-post-weighted mean of the per-segment interactions.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from cxo.errors import InsufficientDataError, UsageError
from cxo.initiatives.effect import measure_effect

LAUNCH = dt.date(2025, 7, 1)


def _responses(seed: int, segments: tuple[str, ...] = ("all",), shift: float = 1.0) -> pd.DataFrame:
    """Customers answering at a treated (``portal``) and two control touchpoints, before and
    after the launch; the portal gets ``shift`` latent points after it."""
    rng = np.random.default_rng(seed)
    n = 3000
    customer = rng.integers(0, 600, n)
    seg = np.asarray(segments)[customer % len(segments)]
    tp = rng.choice(["portal", "hotline", "chat"], n, p=[0.4, 0.3, 0.3])
    day = rng.integers(-300, 300, n)
    at = pd.Timestamp(LAUNCH) + pd.to_timedelta(day, unit="D")
    post = day >= 0
    latent = (
        rng.normal(0, 1, n)
        + 0.3 * (customer % 7) / 7
        + 0.5 * post
        + shift * (post & (tp == "portal"))
        + 0.4 * (seg == segments[-1])
    )
    nps = np.clip(np.round(6 + 2.2 * latent), 0, 10).astype(int)
    return pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "customer_id": [f"c{c}" for c in customer],
            "touchpoint": tp,
            "responded_at": at,
            "nps": nps,
            "segment": seg,
        }
    )


def _con(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("_r", frame)
    con.execute(
        "create table responses as select response_id, customer_id, touchpoint, "
        "responded_at, nps from _r"
    )
    con.execute("create table customers as select distinct customer_id, segment from _r")
    con.unregister("_r")
    return con


def _window(frame: pd.DataFrame) -> pd.DataFrame:
    start = pd.Timestamp(dt.date(2024, 7, 1))
    end = frame["responded_at"].max().normalize() + pd.Timedelta(days=1)
    out = frame[(frame["responded_at"] >= start) & (frame["responded_at"] < end)].copy()
    out["t"] = (out["touchpoint"] == "portal").astype(int)
    out["post"] = (out["responded_at"] >= pd.Timestamp(LAUNCH)).astype(int)
    out["y"] = np.where(out["nps"] >= 9, 100.0, np.where(out["nps"] <= 6, -100.0, 0.0))
    out["d"] = (out["nps"] <= 6).astype(float)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_segment_equals_statsmodels_clustered_interaction(seed: int) -> None:
    frame = _responses(seed)
    m = measure_effect(_con(frame), ["portal"], LAUNCH)
    data = _window(frame)
    groups = pd.factorize(data["customer_id"])[0]
    for metric, col in (("nps", "y"), ("detractor_share", "d")):
        fit = smf.ols(f"{col} ~ t * post", data).fit(
            cov_type="cluster", cov_kwds={"groups": groups}
        )
        est = m.nps if metric == "nps" else m.detractors
        assert est.estimate == pytest.approx(fit.params["t:post"], rel=1e-9, abs=1e-9)
        assert est.se == pytest.approx(fit.bse["t:post"], rel=1e-9)
    assert m.controls == ["chat", "hotline"]
    assert m.nps.responses["treated_post"] == int(((data.t == 1) & (data.post == 1)).sum())


def test_segments_are_weighted_by_treated_post_responses() -> None:
    frame = _responses(3, segments=("private", "business"))
    m = measure_effect(_con(frame), ["portal"], LAUNCH)
    data = _window(frame)
    parts, weights = [], []
    for _, part in data.groupby("segment"):
        fit = smf.ols("y ~ t * post", part).fit()
        parts.append(fit.params["t:post"])
        weights.append(int(((part.t == 1) & (part.post == 1)).sum()))
    expected = float(np.average(parts, weights=weights))
    assert m.nps.estimate == pytest.approx(expected, rel=1e-9)


def test_planted_shift_found_and_null_not() -> None:
    effect = measure_effect(_con(_responses(4, shift=1.0)), ["portal"], LAUNCH)
    null = measure_effect(_con(_responses(4, shift=0.0)), ["portal"], LAUNCH)
    assert effect.nps.ci_low > 0
    assert effect.nps.p_value < 0.001
    assert effect.detractors.ci_high < 0
    assert null.nps.ci_low < 0 < null.nps.ci_high
    # no difference before the launch: the placebo is quiet
    assert effect.placebo is not None
    assert not effect.parallel_trends_doubtful


def test_clear_errors() -> None:
    con = _con(_responses(5))
    with pytest.raises(InsufficientDataError, match="no NPS answers at touchpoint"):
        measure_effect(con, ["shop"], LAUNCH)
    with pytest.raises(UsageError, match="cannot be treated and control"):
        measure_effect(con, ["portal"], LAUNCH, controls=["portal", "chat"])
    with pytest.raises(InsufficientDataError, match="no responses after the launch"):
        measure_effect(con, ["portal"], dt.date(2030, 1, 1))
    with pytest.raises(
        InsufficientDataError, match="too few NPS answers in control_pre, treated_pre"
    ):
        measure_effect(_con(_responses(5).iloc[:150]), ["portal"], LAUNCH, pre_months=2)


def test_two_segments_se_equals_statsmodels_contrast() -> None:
    """Stratified estimate and SE = the linear contrast Σ_s w_s (tp − tq − cp + cq) of the
    saturated clustered OLS ``y ~ 0 + C(cell)`` (cell = segment × treated × post)."""
    frame = _responses(6, segments=("private", "business"))
    m = measure_effect(_con(frame), ["portal"], LAUNCH)
    data = _window(frame)
    data["cell"] = data["segment"] + ":" + data["t"].astype(str) + data["post"].astype(str)
    fit = smf.ols("y ~ 0 + C(cell)", data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["customer_id"])[0]}
    )
    names = list(fit.params.index)
    w_total = int(((data.t == 1) & (data.post == 1)).sum())
    contrast = np.zeros(len(names))
    for seg in ("private", "business"):
        w = int(((data.segment == seg) & (data.t == 1) & (data.post == 1)).sum()) / w_total
        for cell, sign in (("11", 1), ("10", -1), ("01", -1), ("00", 1)):
            contrast[names.index(f"C(cell)[{seg}:{cell}]")] = w * sign
    test = fit.t_test(contrast)
    assert m.nps.estimate == pytest.approx(float(test.effect[0]), rel=1e-9)
    assert m.nps.se == pytest.approx(float(test.sd[0][0]), rel=1e-9)


def test_windows_follow_the_calendar() -> None:
    from cxo.initiatives.effect import months_before

    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2025, 1, 15), -13) == dt.date(2026, 2, 15)
    with pytest.raises(UsageError, match="post_months must be at least 1"):
        measure_effect(_con(_responses(7)), ["portal"], LAUNCH, post_months=0)
