"""Calibration of the initiative effect measurement on simulated companies.

For every company type, size and seed: simulate (``cxo.simulate``), load ``responses`` and
``customers`` into DuckDB and measure each planted initiative as ``cxo initiative measure``
does (difference-in-differences against the other touchpoints, the other initiatives'
touchpoints excluded). Reports, per type and size:

* coverage: share of 95 % NPS intervals that contain the simulator's realised effect
  (``truth.initiatives[*].nps_effect``; goal 93–97 %), for the working and the null initiative;
* false positives of the null initiative: its NPS interval excludes 0, and its detractor
  change is significant (p < 0.05; what ``cxo initiative measure`` calls significant) —
  goal ≤ 6 %;
* how often the event study's pre-trend test flags a sound design, and how often it catches
  a planted pre-trend violation (``pre_trend`` on the null initiative, ``--violation``).

Usage: ``python -m bench.initiatives_calibration --sizes 8000 --seeds 1-20`` (writes
``bench/results/initiatives-calibration.{json,md}``; ``--append`` keeps earlier rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
TYPES = ("service", "software", "retail")
USERS_SHARE = 0.5
"""Each initiative reaches half of the customers (only they answer at its touchpoint and only
their churn changes); 1.0 is the simulator's default (everyone)."""
VIOLATION = 0.3
"""Latent drift of the planted pre-trend violation over the year before the null's launch."""


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def one(
    company: str,
    customers: int,
    seed: int,
    violation: float = 0.0,
    users_share: float | None = None,
) -> list[dict[str, Any]]:
    """Measure every planted initiative of one simulated company (``users_share`` 1.0: every
    customer uses every initiative's touchpoint — the simulator before issue 19)."""
    import duckdb

    import cxo
    from cxo.initiatives.effect import measure_effect
    from cxo.simulate.config import build_config

    overrides: dict[str, Any] = {}
    if violation or users_share is not None:
        plan = build_config(company, customers, seed).initiatives
        for ini in plan:
            if violation and not ini.get("nps_effect"):
                ini["pre_trend"] = violation
            if users_share is not None:
                ini["users_share"] = users_share
        overrides["initiatives"] = plan
    t0 = time.perf_counter()
    sim = cxo.simulate(company, customers, seed=seed, **overrides)
    con = duckdb.connect()
    for name in ("responses", "customers"):
        con.register("_t", sim.tables[name])
        con.execute(f"create table {name} as select * from _t")
        con.unregister("_t")
    sim_s = time.perf_counter() - t0
    rows = []
    planted = sim.truth["initiatives"]
    for ini in planted:
        others = [o["touchpoint"] for o in planted if o is not ini]
        t1 = time.perf_counter()
        m = measure_effect(
            con, [ini["touchpoint"]], dt.date.fromisoformat(ini["start"]), exclude=others
        )
        nps, det = m.nps, m.detractors
        truth = float(ini["nps_effect"])
        test = m.event_study.pre_trend if m.event_study else None
        rows.append(
            {
                "company": company,
                "customers": customers,
                "seed": seed,
                "initiative": ini["name"],
                "null": float(ini["nps_effect_planted"]) == 0.0,
                "violation": violation if float(ini["nps_effect_planted"]) == 0.0 else 0.0,
                "realised": truth,
                "estimate": nps.value,
                "se": nps.se,
                "ci_low": nps.ci_low,
                "ci_high": nps.ci_high,
                "p": nps.p_value,
                "covered": nps.ci_low <= truth <= nps.ci_high,
                "detractor_p": det.p_value,
                "placebo_p": m.placebo.p_value if m.placebo else None,
                "pre_trend_slope_p": test.slope_p if test else None,
                "pre_trend_joint_p": test.joint_p if test else None,
                "pre_trend_doubtful": m.pre_trend_doubtful,
                "clusters": nps.clusters,
                "seconds_simulate": round(sim_s, 2),
                "seconds_measure": round(time.perf_counter() - t1, 2),
            }
        )
    con.close()
    return rows


def _mean_nps(ctx: Any, tps: list[int], a: int, b: int, seg: int) -> float:
    """Expected NPS of segment ``seg`` at touchpoints ``tps`` (answer-weighted) over days
    ``[a, b)`` under the common latent trend."""
    import numpy as np

    from cxo.simulate.model import expected_nps

    span = ctx.end_day - ctx.trend_start_day
    ramp = np.clip((np.arange(a, b) + 0.5 - ctx.trend_start_day) / span, 0, 1)
    w = ctx.tp_weight[tps] / ctx.tp_weight[tps].sum()
    eta = [ctx.tp_offset[tp] + ctx.seg_offset[seg] + ctx.within_shift * ramp for tp in tps]
    return float(sum(wt * expected_nps(e, 1.0).mean() for e, wt in zip(eta, w, strict=True)))


def trend_bias() -> list[dict[str, Any]]:
    """The DiD bias the simulator's common latent trend causes on the NPS scale: expected NPS
    per touchpoint × segment × day from the model (offsets + ``within_shift · ramp``; pains
    are constant in time), contrasted as the estimator does, per segment."""
    from cxo.initiatives.effect import months_before
    from cxo.simulate.config import build_config
    from cxo.simulate.context import build_context, day

    out = []
    for company in TYPES:
        ctx = build_context(build_config(company, 1000, 1))
        for ini in ctx.initiatives:
            pre, launch = day(months_before(ini.start, 12)), day(ini.start)
            others = {o.tp for o in ctx.initiatives if o is not ini}
            ctrl = [i for i in range(len(ctx.touchpoints)) if i != ini.tp and i not in others]

            end = ctx.end_day
            bias = [
                (
                    _mean_nps(ctx, [ini.tp], launch, end, s)
                    - _mean_nps(ctx, [ini.tp], pre, launch, s)
                )
                - (_mean_nps(ctx, ctrl, launch, end, s) - _mean_nps(ctx, ctrl, pre, launch, s))
                for s in range(len(ctx.segments))
            ]
            out.append(
                {
                    "company": company,
                    "initiative": ini.name,
                    "bias_by_segment": dict(zip(ctx.segments, bias, strict=True)),
                }
            )
    return out


def _share(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    k = sum(bool(r[key]) for r in rows)
    n = len(rows)
    return {"k": k, "n": n, "share": k / n if n else math.nan}


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage, false positives and pre-trend flags per company type and size."""
    out = []
    keys = sorted({(r["company"], r["customers"]) for r in rows})
    for company, size in [*keys, ("all", 0)]:
        part = [
            r
            for r in rows
            if (company == "all" or (r["company"], r["customers"]) == (company, size))
        ]
        sound = [r for r in part if not r["violation"]]
        work = [r for r in sound if not r["null"]]
        null = [r for r in sound if r["null"]]
        bad = [r for r in part if r["violation"]]
        for r in null:
            r["null_ci_excludes_0"] = not r["ci_low"] <= 0.0 <= r["ci_high"]
            r["null_detractors_significant"] = r["detractor_p"] < 0.05
        out.append(
            {
                "company": company,
                "customers": size if company != "all" else "all",
                "seeds": sorted({r["seed"] for r in sound}),
                "coverage_working": _share(work, "covered"),
                "coverage_null": _share(null, "covered"),
                "coverage_all": _share(work + null, "covered"),
                "null_false_positive_nps": _share(null, "null_ci_excludes_0"),
                "null_false_positive_detractors": _share(null, "null_detractors_significant"),
                "pre_trend_flag_sound": _share(sound, "pre_trend_doubtful"),
                "pre_trend_caught_violation": _share(bad, "pre_trend_doubtful"),
                "mean_se_null": sum(r["se"] for r in null) / len(null) if null else None,
                "sd_z": _sd_z(work + null),
            }
        )
    return out


def _sd_z(rows: list[dict[str, Any]]) -> float | None:
    z = [(r["estimate"] - r["realised"]) / r["se"] for r in rows if r["se"] > 0]
    if len(z) < 2:
        return None
    m = sum(z) / len(z)
    return math.sqrt(sum((x - m) ** 2 for x in z) / (len(z) - 1))


def _pct(cell: dict[str, Any]) -> str:
    return f"{cell['k']}/{cell['n']} ({100 * cell['share']:.1f} %)" if cell["n"] else "–"


def markdown(summary: list[dict[str, Any]]) -> str:
    """The summary as a Markdown table."""
    head = (
        "| company | customers | seeds | coverage working | coverage null | coverage all "
        "| null FP (NPS CI) | null FP (detractors p<.05) | pre-trend flag, sound | "
        "pre-trend caught, violation | sd of z |\n|" + "---|" * 11 + "\n"
    )
    lines = []
    for s in summary:
        seeds = s["seeds"]
        span = f"{seeds[0]}–{seeds[-1]}" if seeds else "–"
        sd = f"{s['sd_z']:.2f}" if s["sd_z"] is not None else "–"
        lines.append(
            f"| {s['company']} | {s['customers']} | {span} | {_pct(s['coverage_working'])} | "
            f"{_pct(s['coverage_null'])} | {_pct(s['coverage_all'])} | "
            f"{_pct(s['null_false_positive_nps'])} | "
            f"{_pct(s['null_false_positive_detractors'])} | "
            f"{_pct(s['pre_trend_flag_sound'])} | {_pct(s['pre_trend_caught_violation'])} | "
            f"{sd} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    """Run the bench and write the results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="8000")
    ap.add_argument("--seeds", default="1-20")
    ap.add_argument("--types", default=",".join(TYPES))
    ap.add_argument("--violation", default="", help="seeds with a planted pre-trend")
    ap.add_argument("--append", action="store_true")
    ap.add_argument(
        "--users-share",
        type=float,
        default=USERS_SHARE,
        help="share of customers using each initiative's touchpoint (1.0: everyone)",
    )
    ap.add_argument("--out", default=str(RESULTS / "initiatives-calibration"))
    ap.add_argument("--trend-bias", action="store_true", help="only the trend bias, printed")
    args = ap.parse_args()
    if args.trend_bias:
        print(json.dumps(trend_bias(), indent=1))
        return
    out = Path(args.out)
    rows: list[dict[str, Any]] = []
    if args.append and out.with_suffix(".json").exists():
        rows = json.loads(out.with_suffix(".json").read_text("utf-8"))["rows"]
    for size in [int(s) for s in args.sizes.split(",")]:
        for company in args.types.split(","):
            for seed in _seeds(args.seeds):
                rows += one(company, size, seed, users_share=args.users_share)
                print(company, size, seed, flush=True)
            for seed in _seeds(args.violation) if args.violation else []:
                measured = one(company, size, seed, VIOLATION, args.users_share)
                rows += [r for r in measured if r["violation"]]
                print(company, size, seed, "violation", flush=True)
            summary = summarise(rows)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.with_suffix(".json").write_text(
                json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n", "utf-8"
            )
            out.with_suffix(".md").write_text(markdown(summary), "utf-8")
    print(markdown(summarise(rows)))


if __name__ == "__main__":
    main()
