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
parallel before the launch, and the estimate is flagged. The event study
(:mod:`cxo.initiatives.event_study`) gives the effect month by month before and after the
launch, with a pre-trend test that flags a doubtful design in words.

Comparison groups (``comparison``): the other touchpoints (default); for an initiative that
targeted customers rather than touchpoints, matched customers who were not targeted (same
segment and tenure band, nearest pre-period NPS: :mod:`cxo.initiatives.matching`); or none —
before/after of the treated alone, always with a warning that anything else that changed
counts as effect.

The SQL runs through a :class:`cxo.engine.sql.Runner`: a DuckDB connection, or Spark over the
published lake (``cxo initiative measure KEY --engine spark``) with the same numbers. Only
aggregates reach Python — cell sums, the sums of squared per-customer influences, the event
study's sums of products per stratum and month pair, the matching's runs of equal pre-period
level — so the rows a statement returns do not grow with the customers (the targeted list of
a matched comparison excepted: one row per targeted customer). On DuckDB the variance sums run
on one thread over sorted input, so the same measurement gives the same digits every time.

Calibration on simulated companies (``bench/initiatives_calibration.py``, results in
``bench/results/initiatives-calibration.md``): the 95 % intervals cover the simulator's
realised effect about 95 % of the time and a null initiative is called significant at most
about 5 % of the time, at 8,000 and 100,000 customers.
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
from cxo.initiatives._sql import one_thread, run
from cxo.initiatives.event_study import MONTH_SQL, EventStudy, event_study
from cxo.initiatives.matching import CONTROL_TABLE, Matching, match_customers
from cxo.stats import Estimate

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

MIN_RESPONSES_PER_CELL = 30
PLACEBO_P = 0.05
LEVEL = 0.95
COMPARISONS = ("touchpoints", "matched", "prepost")
"""Comparison groups: the other touchpoints (default), matched customers who were not
targeted (segment, tenure, pre-period NPS: :mod:`cxo.initiatives.matching`), or none (the
treated before vs after, with a warning: any change over time counts as effect)."""
_METHODS = {
    "touchpoints": "difference-in-differences against the other touchpoints, "
    "segment-stratified, customer-clustered",
    "matched": "difference-in-differences against matched customers (segment, tenure, "
    "pre-period NPS), segment-stratified, customer-clustered",
    "prepost": "before/after of the treated alone, segment-stratified, customer-clustered "
    "(no comparison group)",
}


@dataclass(frozen=True)
class _Groups:
    """SQL predicates on a response ``r`` for the treated and the comparison group."""

    treated: str
    control: str
    params: dict[str, Any]


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
    comparison: str = "touchpoints"
    event_study: EventStudy | None = None
    """NPS effect per month before and after the launch, with the pre-trend test."""
    matching: Matching | None = None
    """How the matched comparison customers were found (``comparison="matched"``)."""

    @property
    def pre_trend_doubtful(self) -> bool:
        """The event study's pre-launch months drift or differ from zero (see
        :mod:`cxo.initiatives.event_study`)."""
        return self.event_study is not None and self.event_study.doubtful

    @property
    def parallel_trends_doubtful(self) -> bool:
        """The placebo launch in the pre window shows a clear "effect" on NPS or on the
        detractor share, or the event study's pre-trend test flags the design (a quiet
        placebo with a wide interval proves little: see its CI)."""
        return self.pre_trend_doubtful or any(
            p is not None and p.p_value < PLACEBO_P for p in (self.placebo, self.placebo_detractors)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "method": _METHODS[self.comparison],
                "comparison": self.comparison,
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
                "pre_trend_doubtful": self.pre_trend_doubtful,
                "event_study": self.event_study.to_dict() if self.event_study else None,
                "matching": self.matching.to_dict() if self.matching else None,
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
    con: Runner,
    touchpoints: list[str],
    launch: dt.date,
    *,
    controls: list[str] | None = None,
    exclude: list[str] | None = None,
    pre_months: int = 12,
    post_months: int | None = None,
    level: float = LEVEL,
    comparison: str = "touchpoints",
    customers: list[str] | None = None,
    seed: int = 0,
) -> EffectMeasurement:
    """Effect of a launch at ``touchpoints`` (or on ``customers``) on ``launch``.

    ``comparison`` (see :data:`COMPARISONS`): ``touchpoints`` — ``controls`` default to every
    other touchpoint with NPS answers, minus ``exclude`` (e.g. touchpoints of other initiatives
    launched inside the window); ``matched`` — the initiative targeted ``customers`` (their
    answers at ``touchpoints``, or anywhere when empty), compared with matched customers who
    were not targeted; ``prepost`` — the treated before vs after, no comparison (a warning
    says so).
    """
    if comparison not in COMPARISONS:
        raise UsageError(
            f"comparison {comparison!r} is not one of {', '.join(COMPARISONS)}",
            hint="--control touchpoints|matched|prepost",
        )
    if comparison == "matched" and not customers:
        raise UsageError(
            "a matched comparison needs the customers the initiative targeted",
            hint="pass them with --customers FILE (one customer_id per line)",
        )
    if not touchpoints and not (comparison != "touchpoints" and customers):
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
    last = con.execute("select max(responded_at)::date from responses").fetchall()[0]
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
    matching: Matching | None = None
    if comparison == "matched":
        matching = match_customers(
            con, list(customers or []), touchpoints, pre_start, launch, seed=seed
        )
        groups, controls = _matched_groups(con, touchpoints, matching), []
    elif comparison == "prepost":
        if touchpoints:
            _controls(con, touchpoints, [], None, notes, allow_none=True)
        groups, controls = _prepost_groups(con, touchpoints, customers), []
        notes.append(msg("initiatives.effect.prepost_warning"))
    else:
        controls = _controls(con, touchpoints, controls, exclude, notes)
        groups = _Groups(
            _TP_TREATED,
            "r.touchpoint in ($controls)",
            {"treated": touchpoints, "controls": controls},
        )
    try:
        result = _measure_groups(
            con, groups, comparison, (pre_start, launch, post_end), level, segmented, notes
        )
    finally:
        con.execute("drop table if exists _i_treated_c")
        con.execute(f"drop table if exists {CONTROL_TABLE}")
    result.touchpoints, result.controls, result.matching = list(touchpoints), controls, matching
    return result


_TP_TREATED = "r.touchpoint in ($treated)"


def _prepost_groups(con: Runner, touchpoints: list[str], customers: list[str] | None) -> _Groups:
    """The treated alone: answers at ``touchpoints`` (by ``customers`` when given)."""
    if not customers:
        return _Groups(_TP_TREATED, "false", {"treated": touchpoints})
    _id_table(con, "_i_treated_c", customers)
    where = _TP_TREATED + " and " if touchpoints else ""
    return _Groups(
        f"{where}r.customer_id in (select customer_id from _i_treated_c)",
        "false",
        {"treated": touchpoints} if touchpoints else {},
    )


def _id_table(con: Runner, name: str, ids: list[str]) -> None:
    """A temp table ``name (customer_id)`` holding ``ids``."""
    import pandas as pd

    from cxo.engine.sql import temp_table

    temp_table(con, name, pd.DataFrame({"customer_id": pd.Series(ids, dtype=object)}))


def _matched_groups(con: Runner, touchpoints: list[str], matching: Matching) -> _Groups:
    """Treated and matched customers as temp tables; their answers at ``touchpoints`` (all
    touchpoints when empty)."""
    _id_table(con, "_i_treated_c", matching.treated_ids)  # the matches: CONTROL_TABLE
    where = _TP_TREATED + " and " if touchpoints else ""
    return _Groups(
        f"{where}r.customer_id in (select customer_id from _i_treated_c)",
        f"{where}r.customer_id in (select customer_id from {CONTROL_TABLE})",
        {"treated": touchpoints} if touchpoints else {},
    )


def _measure_groups(
    con: Runner,
    groups: _Groups,
    comparison: str,
    window: tuple[dt.date, dt.date, dt.date],
    level: float,
    segmented: bool,
    notes: list[Message],
) -> EffectMeasurement:
    """Estimate, placebo and event study for one choice of groups."""
    pre_start, launch, post_end = window
    with_control = comparison != "prepost"
    nps, det = _did(con, groups, pre_start, launch, post_end, level, segmented, with_control)
    placebo: DidEstimate | None = None
    placebo_det: DidEstimate | None = None
    months = round((launch - pre_start).days / 30.4375)
    mid = months_before(launch, months // 2)
    try:
        placebo, placebo_det = _did(
            con, groups, pre_start, mid, launch, level, segmented, with_control
        )
    except InsufficientDataError as exc:
        notes.append(msg("initiatives.effect.placebo_skipped", reason=exc.message))
    study: EventStudy | None = None
    if with_control:
        try:
            study = _event_study(con, groups, window, level, segmented, months)
        except InsufficientDataError as exc:
            notes.append(msg("initiatives.effect.event_study_skipped", reason=exc.message))
    result = EffectMeasurement(
        [],
        [],
        launch,
        pre_start,
        post_end,
        nps,
        det,
        placebo,
        placebo_det,
        notes,
        comparison=comparison,
        event_study=study,
    )
    if study is not None and study.pre_trend is not None and study.doubtful:
        test = study.pre_trend
        notes.append(
            msg(
                "initiatives.effect.pre_trend_doubtful",
                slope=test.slope,
                p_slope=test.slope_p,
                p_joint=test.joint_p,
                months=test.months,
            )
        )
    if (
        placebo is not None
        and placebo_det is not None
        and any(p.p_value < PLACEBO_P for p in (placebo, placebo_det))
    ):
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


def _event_study(
    con: Runner,
    groups: _Groups,
    window: tuple[dt.date, dt.date, dt.date],
    level: float,
    segmented: bool,
    pre_months: int,
) -> EventStudy:
    """Per-customer sums by stratum, group and month from launch, then the event study."""
    pre_start, launch, post_end = window
    seg = "coalesce(c.segment, '(none)')" if segmented else "'(none)'"
    join = "left join customers c using (customer_id)" if segmented else ""
    run(
        con,
        f"""create or replace temp table _i_months as
            select s, i, treated, k, count(*) as n, sum(y) as sy, sum(d) as sd from (
              select {seg} as s, coalesce(r.customer_id, 'response:' || r.response_id) as i,
                     ({groups.treated})::int as treated, greatest({MONTH_SQL}, -$pre) as k,
                     case when r.nps >= 9 then 100.0 when r.nps <= 6 then -100.0
                          else 0.0 end as y,
                     (r.nps <= 6)::double as d
              from responses r {join}
              where r.nps is not null and r.responded_at >= $start and r.responded_at < $end
                and (({groups.treated}) or ({groups.control}))) m
            group by s, i, treated, k""",
        {**groups.params, "start": pre_start, "launch": launch, "end": post_end, "pre": pre_months},
    )
    try:
        return event_study(con, "_i_months", pre_months=pre_months, level=level)
    finally:
        con.execute("drop table if exists _i_months")


def _controls(
    con: Runner,
    touchpoints: list[str],
    controls: list[str] | None,
    exclude: list[str] | None,
    notes: list[Message],
    *,
    allow_none: bool = False,
) -> list[str]:
    """The control touchpoints: ``controls``, or every other touchpoint with NPS answers minus
    ``exclude`` (a note names the ones left out); ``allow_none`` only checks the treated."""
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
    if allow_none:
        return []
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
    con: Runner,
    groups: _Groups,
    start: dt.date,
    launch: dt.date,
    end: dt.date,
    level: float,
    segmented: bool,
    with_control: bool = True,
) -> tuple[DidEstimate, DidEstimate]:
    """The stratified DiD on NPS (+100/0/−100) and on the detractor indicator (0/1); strata
    are the customers' segments when table ``customers`` exists (``segmented``). Without a
    control group (``with_control`` false) the contrast is the treated post − pre."""
    seg = "coalesce(c.segment, '(none)')" if segmented else "'(none)'"
    join = "left join customers c using (customer_id)" if segmented else ""
    params = {**groups.params, "start": start, "launch": launch, "end": end}
    # one row per response in the window: stratum, cell (2 × treated + post), cluster, values
    base = f"""
        select {seg} as s, ({groups.treated})::int * 2
                 + (r.responded_at >= $launch)::int as g,
               coalesce(r.customer_id, 'response:' || r.response_id) as i,
               case when r.nps >= 9 then 100.0 when r.nps <= 6 then -100.0 else 0.0 end as y,
               (r.nps <= 6)::double as d
        from responses r {join}
        where r.nps is not null and r.responded_at >= $start and r.responded_at < $end
          and (({groups.treated}) or ({groups.control}))"""
    # One pass over the responses: sums per customer and cell. The cell means and each
    # customer's influence on the contrast (linear in these sums) both come from this table.
    run(
        con,
        f"""create or replace temp table _i_sums as
            select s, g, i, count(*) as n, sum(y) as sy, sum(d) as sd
            from ({base}) b group by s, g, i""",
        params,
    )
    try:
        return _contrast(con, level, (0, 1, 2, 3) if with_control else (2, 3))
    finally:
        con.execute("drop table if exists _i_sums")


def _contrast(
    con: Runner, level: float, cells_used: tuple[int, ...]
) -> tuple[DidEstimate, DidEstimate]:
    """The contrast over ``cells_used`` and its clustered SE from ``_i_sums`` (see
    :func:`_did`)."""
    import pandas as pd
    from scipy import stats as st

    from cxo.engine.sql import temp_table

    cells = con.execute(
        """select s, g, sum(n) as n, sum(sy) as sy, sum(sd) as sd
           from _i_sums group by s, g order by s, g"""
    ).fetchall()
    counts: dict[str, dict[int, tuple[int, float, float]]] = {}
    for s, g, n, sy, sd in cells:
        counts.setdefault(str(s), {})[int(g)] = (int(n), float(sy), float(sd))
    names = {0: "control_pre", 1: "control_post", 2: "treated_pre", 3: "treated_post"}
    # strata where all four cells are present carry the estimate; weights: treated post
    usable = {s: c for s, c in counts.items() if all(c.get(g, (0,))[0] > 0 for g in cells_used)}
    pooled = {g: sum(c[g][0] for c in usable.values()) for g in cells_used}
    thin = [names[g] for g in cells_used if pooled[g] < MIN_RESPONSES_PER_CELL]
    if thin:
        raise InsufficientDataError(
            f"too few NPS answers in {', '.join(thin)} (need {MIN_RESPONSES_PER_CELL} each, "
            "counted in segments with answers in all four cells; "
            + ", ".join(f"{names[g]} {pooled[g]}" for g in cells_used)
            + ")"
        )
    w_total = sum(c[3][0] for c in usable.values())
    weights = {s: c[3][0] / w_total for s, c in usable.items()}
    signs = {3: 1.0, 2: -1.0, 1: -1.0, 0: 1.0}
    # coefficient of each (stratum, cell) mean in the contrast, and the cell means
    coef_rows: list[tuple[str, int, float, float, float]] = []
    for s, c in usable.items():
        for g in cells_used:
            n, sy, sd = c[g]
            coef_rows.append((s, g, weights[s] * signs[g] / n, sy / n, sd / n))
    # the contrast: Σ_s w_s (ȳ_s,tp − ȳ_s,tq − ȳ_s,cp + ȳ_s,cq) = Σ a_sg · n_sg · ȳ_sg
    out = []
    n_total = sum(c[g][0] for c in usable.values() for g in cells_used)
    k = len(cells_used) * len(usable)
    coef = pd.DataFrame.from_records(coef_rows, columns=["s", "g", "a", "my", "md"])
    temp_table(con, "_i_coef", coef.astype({"s": object, "g": "int64", "a": float}))
    try:
        # influence of each customer on the contrast: Σ_sg a_sg (Σ_rows y − n_isg · ȳ_sg)
        with one_thread(con):
            row = con.execute(
                """with per as (
                     select c.i, sum(k.a * (c.sy - c.n * k.my)) as fy,
                            sum(k.a * (c.sd - c.n * k.md)) as fd
                     from (select * from _i_sums order by i, s, g) c
                       join _i_coef k on k.s = c.s and k.g = c.g
                     group by c.i)
                   select count(*), sum(fy * fy), sum(fd * fd) from per"""
            ).fetchall()[0]
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
        for g in cells_used:
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
                responses={names[g]: sum(c[g][0] for c in usable.values()) for g in cells_used},
                clusters=clusters,
            )
        )
    return out[0], out[1]


__all__ = ["COMPARISONS", "DidEstimate", "EffectMeasurement", "measure_effect"]
