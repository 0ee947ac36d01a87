"""Did the initiative work? Difference-in-differences on the survey responses.

Treated: responses at the initiative's touchpoints; control: responses at the other
touchpoints (without touchpoints of other initiatives launched inside the window). Pre: the
``pre_months`` before the launch; post: from the launch to ``post_months`` after it (default:
everything up to the last response). The effect on NPS is

    (NPS treated, post − NPS treated, pre) − (NPS control, post − NPS control, pre)

computed within each segment and averaged with the treated post-launch responses as weights
(a shift in the segment mix is not an effect). NPS is the mean of +100/0/−100 per response, so
the estimator is a linear contrast of cell means; its standard error is cluster-robust by
customer (a customer answering before and after is one cluster), from the influence of each
customer on the contrast, with the small-sample factor of Stata and statsmodels
(G/(G−1) · (N−1)/(N−K)). With one segment the estimate and standard error equal the
interaction coefficient of ``y ~ treated * post`` fitted by OLS with ``cov_type="cluster"``
(tested against statsmodels).

The same contrast on the detractor indicator gives the change in the share of detractors,
which the churn linkage turns into money (:mod:`cxo.initiatives.proof`).

A placebo check splits the pre window in two halves and applies the same estimator with a fake
launch in between: a clear "effect" there means treated and control were not moving in
parallel before the launch, and the estimate is flagged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.assess.data import table_names
from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats import Estimate

if TYPE_CHECKING:
    import duckdb

MIN_RESPONSES_PER_CELL = 30
PLACEBO_P = 0.05
LEVEL = 0.95


@dataclass(frozen=True, kw_only=True)
class DidEstimate(Estimate):
    """One difference-in-differences contrast with its cluster-robust interval (``value``, also
    readable as ``estimate``; ``n`` = responses in the four cells)."""

    metric: str
    p_value: float
    cells: dict[str, float]
    """Pooled values of the four cells: ``treated_pre``, ``treated_post``, ``control_pre``,
    ``control_post`` (in the metric's unit)."""
    responses: dict[str, int]
    clusters: int

    @property
    def estimate(self) -> float:
        """The contrast (same as ``value``)."""
        return self.value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "metric": self.metric,
            "estimate": self.value,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "cells": self.cells,
            "responses": self.responses,
            "clusters": self.clusters,
        }


@dataclass
class EffectMeasurement:
    """The measured effect of one initiative on NPS and on the detractor share."""

    touchpoints: list[str]
    controls: list[str]
    launch: dt.date
    pre_start: dt.date
    post_end: dt.date
    nps: DidEstimate
    detractors: DidEstimate
    placebo: DidEstimate | None
    placebo_detractors: DidEstimate | None = None
    notes: list[Message] = field(default_factory=list)

    @property
    def parallel_trends_doubtful(self) -> bool:
        """The placebo launch in the pre window shows a clear "effect" on NPS or on the
        detractor share (a quiet placebo with a wide interval proves little: see its CI)."""
        return any(
            p is not None and p.p_value < PLACEBO_P for p in (self.placebo, self.placebo_detractors)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "method": "difference-in-differences, segment-stratified, customer-clustered",
                "touchpoints": self.touchpoints,
                "controls": self.controls,
                "launch": self.launch.isoformat(),
                "pre_start": self.pre_start.isoformat(),
                "post_end": self.post_end.isoformat(),
                "nps": self.nps.to_dict(),
                "detractor_share": self.detractors.to_dict(),
                "placebo": self.placebo.to_dict() if self.placebo else None,
                "placebo_detractor_share": self.placebo_detractors.to_dict()
                if self.placebo_detractors
                else None,
                "parallel_trends_doubtful": self.parallel_trends_doubtful,
                "note_messages": [n.to_dict() for n in self.notes],
            }
        )


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` shifted back by ``months`` calendar months (forward when negative); the day of
    the month is kept, clamped to the month's last day (31 March − 1 month = 28/29 February)."""
    m = day.year * 12 + day.month - 1 - months
    year, month = m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def measure_effect(
    con: duckdb.DuckDBPyConnection,
    touchpoints: list[str],
    launch: dt.date,
    *,
    controls: list[str] | None = None,
    exclude: list[str] | None = None,
    pre_months: int = 12,
    post_months: int | None = None,
    level: float = LEVEL,
) -> EffectMeasurement:
    """Difference-in-differences effect of a launch at ``touchpoints`` on ``launch``.

    ``controls`` default to every other touchpoint with NPS answers, minus ``exclude`` (e.g.
    touchpoints of other initiatives launched inside the window).
    """
    if not touchpoints:
        raise UsageError("an initiative needs at least one touchpoint to measure its effect")
    if pre_months < 2:
        raise UsageError("pre_months must be at least 2 (the placebo check halves it)")
    if post_months is not None and post_months < 1:
        raise UsageError(f"post_months must be at least 1, not {post_months}")
    tables = table_names(con)
    if "responses" not in tables:
        raise MissingDataError(
            "measuring an effect needs table `responses`",
            hint="import it with `cxo import responses FILE`",
        )
    notes: list[Message] = []
    controls = _controls(con, touchpoints, controls, exclude, notes)
    last = con.execute("select max(responded_at)::date from responses").fetchone()
    as_of = last[0] if last and last[0] is not None else launch
    pre_start = months_before(launch, pre_months)
    post_end = (
        as_of + dt.timedelta(days=1)
        if post_months is None
        else min(months_before(launch, -post_months), as_of + dt.timedelta(days=1))
    )
    if post_end <= launch:
        raise InsufficientDataError(
            f"no responses after the launch on {launch.isoformat()} (last response "
            f"{as_of.isoformat()}): the effect can be measured once answers come in"
        )
    segmented = "customers" in tables
    nps, det = _did(con, touchpoints, controls, pre_start, launch, post_end, level, segmented)
    placebo: DidEstimate | None = None
    placebo_det: DidEstimate | None = None
    mid = months_before(launch, pre_months // 2)
    try:
        placebo, placebo_det = _did(
            con, touchpoints, controls, pre_start, mid, launch, level, segmented
        )
    except InsufficientDataError as exc:
        notes.append(msg("initiatives.effect.placebo_skipped", reason=exc.message))
    result = EffectMeasurement(
        list(touchpoints),
        list(controls),
        launch,
        pre_start,
        post_end,
        nps,
        det,
        placebo,
        placebo_det,
        notes,
    )
    if result.parallel_trends_doubtful and placebo is not None and placebo_det is not None:
        notes.append(
            msg(
                "initiatives.effect.parallel_trends_doubtful",
                placebo=placebo.value,
                p=placebo.p_value,
                detractor_points=100 * placebo_det.value,
                p_detractors=placebo_det.p_value,
            )
        )
    return result


def _controls(
    con: duckdb.DuckDBPyConnection,
    touchpoints: list[str],
    controls: list[str] | None,
    exclude: list[str] | None,
    notes: list[Message],
) -> list[str]:
    """The control touchpoints: ``controls``, or every other touchpoint with NPS answers minus
    ``exclude`` (a note names the ones left out)."""
    present = {
        str(r[0])
        for r in con.execute(
            "select distinct touchpoint from responses where nps is not null"
        ).fetchall()
    }
    missing = [t for t in touchpoints if t not in present]
    if missing:
        raise InsufficientDataError(
            f"no NPS answers at touchpoint(s) {', '.join(missing)}; "
            f"present: {', '.join(sorted(present))}"
        )
    if controls is None:
        skip = set(touchpoints) | set(exclude or [])
        controls = sorted(present - skip)
        if exclude:
            dropped = sorted(set(exclude) & present - set(touchpoints))
            if dropped:
                notes.append(
                    msg("initiatives.effect.controls_excluded", touchpoints=", ".join(dropped))
                )
    overlap = sorted(set(controls) & set(touchpoints))
    if overlap:
        raise UsageError(f"touchpoint(s) {', '.join(overlap)} cannot be treated and control")
    if not controls:
        raise InsufficientDataError("no control touchpoints with NPS answers")
    return controls


def _did(
    con: duckdb.DuckDBPyConnection,
    treated: list[str],
    controls: list[str],
    start: dt.date,
    launch: dt.date,
    end: dt.date,
    level: float,
    segmented: bool,
) -> tuple[DidEstimate, DidEstimate]:
    """The stratified DiD on NPS (+100/0/−100) and on the detractor indicator (0/1); strata
    are the customers' segments when table ``customers`` exists (``segmented``)."""
    seg = "coalesce(c.segment, '(none)')" if segmented else "'(none)'"
    join = "left join customers c using (customer_id)" if segmented else ""
    params = {
        "treated": treated,
        "controls": controls,
        "start": start,
        "launch": launch,
        "end": end,
    }
    # one row per response in the window: stratum, cell (2 × treated + post), cluster, values
    base = f"""
        select {seg} as s, (r.touchpoint in (select unnest($treated)))::int * 2
                 + (r.responded_at >= $launch)::int as g,
               coalesce(r.customer_id, 'response:' || r.response_id) as i,
               case when r.nps >= 9 then 100.0 when r.nps <= 6 then -100.0 else 0.0 end as y,
               (r.nps <= 6)::double as d
        from responses r {join}
        where r.nps is not null and r.responded_at >= $start and r.responded_at < $end
          and (r.touchpoint in (select unnest($treated))
               or r.touchpoint in (select unnest($controls)))"""
    # One pass over the responses: sums per customer and cell. The cell means and each
    # customer's influence on the contrast (linear in these sums) both come from this table.
    con.execute(
        f"""create or replace temp table _i_sums as
            select s, g, i, count(*) as n, sum(y) as sy, sum(d) as sd
            from ({base}) group by all""",
        params,
    )
    try:
        return _contrast(con, level)
    finally:
        con.execute("drop table if exists _i_sums")


def _contrast(con: duckdb.DuckDBPyConnection, level: float) -> tuple[DidEstimate, DidEstimate]:
    """The contrast and its clustered SE from ``_i_sums`` (see :func:`_did`)."""
    from scipy import stats as st

    cells = con.execute(
        """select s, g, sum(n) as n, sum(sy) as sy, sum(sd) as sd
           from _i_sums group by all order by s, g"""
    ).fetchall()
    counts: dict[str, dict[int, tuple[int, float, float]]] = {}
    for s, g, n, sy, sd in cells:
        counts.setdefault(str(s), {})[int(g)] = (int(n), float(sy), float(sd))
    names = {0: "control_pre", 1: "control_post", 2: "treated_pre", 3: "treated_post"}
    # strata where all four cells are present carry the estimate; weights: treated post
    usable = {s: c for s, c in counts.items() if all(c.get(g, (0,))[0] > 0 for g in range(4))}
    pooled = {g: sum(c[g][0] for c in usable.values()) for g in range(4)}
    thin = [names[g] for g in range(4) if pooled[g] < MIN_RESPONSES_PER_CELL]
    if thin:
        raise InsufficientDataError(
            f"too few NPS answers in {', '.join(thin)} (need {MIN_RESPONSES_PER_CELL} each, "
            "counted in segments with answers in all four cells; "
            + ", ".join(f"{names[g]} {pooled[g]}" for g in range(4))
            + ")"
        )
    w_total = sum(c[3][0] for c in usable.values())
    weights = {s: c[3][0] / w_total for s, c in usable.items()}
    signs = {3: 1.0, 2: -1.0, 1: -1.0, 0: 1.0}
    # coefficient of each (stratum, cell) mean in the contrast, and the cell means
    coef_rows: list[tuple[str, int, float, float, float]] = []
    for s, c in usable.items():
        for g in range(4):
            n, sy, sd = c[g]
            coef_rows.append((s, g, weights[s] * signs[g] / n, sy / n, sd / n))
    # the contrast: Σ_s w_s (ȳ_s,tp − ȳ_s,tq − ȳ_s,cp + ȳ_s,cq) = Σ a_sg · n_sg · ȳ_sg
    out = []
    n_total = sum(c[g][0] for c in usable.values() for g in range(4))
    k = 4 * len(usable)
    con.execute(
        "create or replace temp table _i_coef "
        "(s varchar, g integer, a double, my double, md double)"
    )
    con.executemany("insert into _i_coef values (?, ?, ?, ?, ?)", coef_rows)
    try:
        # influence of each customer on the contrast: Σ_sg a_sg (Σ_rows y − n_isg · ȳ_sg)
        row = con.execute(
            """with per as (
                 select c.i, sum(k.a * (c.sy - c.n * k.my)) as fy,
                        sum(k.a * (c.sd - c.n * k.md)) as fd
                 from _i_sums c join _i_coef k on k.s = c.s and k.g = c.g group by c.i)
               select count(*), sum(fy * fy), sum(fd * fd) from per"""
        ).fetchone()
    finally:
        con.execute("drop table if exists _i_coef")
    assert row is not None
    clusters = int(row[0])
    if clusters < 2:
        raise InsufficientDataError("fewer than two customers: no clustered standard error")
    factor = clusters / (clusters - 1) * (n_total - 1) / max(n_total - k, 1)
    z = float(st.norm.ppf(0.5 + level / 2))
    for metric, idx, ss in (("nps", 3, float(row[1])), ("detractor_share", 4, float(row[2]))):
        est = 0.0
        for s_, g_, a_, my, md in coef_rows:
            est += a_ * usable[s_][g_][0] * (my if idx == 3 else md)
        se = math.sqrt(max(ss, 0.0) * factor)
        p = float(2 * st.norm.sf(abs(est / se))) if se > 0 else math.nan
        pooled_means = {}
        for g in range(4):
            n = sum(c[g][0] for c in usable.values())
            tot = sum(c[g][1 if metric == "nps" else 2] for c in usable.values())
            pooled_means[names[g]] = tot / n
        out.append(
            DidEstimate(
                metric=metric,
                value=est,
                se=se,
                ci_low=est - z * se,
                ci_high=est + z * se,
                n=n_total,
                level=level,
                p_value=p,
                cells=pooled_means,
                responses={names[g]: sum(c[g][0] for c in usable.values()) for g in range(4)},
                clusters=clusters,
            )
        )
    return out[0], out[1]


__all__ = ["DidEstimate", "EffectMeasurement", "measure_effect"]
