"""Matched comparison customers for an initiative that targeted customers, not touchpoints.

Each targeted customer gets one customer who was not targeted, without replacement:

* exactly the same segment, tenure band at the launch (``TENURE_BANDS`` months) and whether
  the customer answered in the pre window at all;
* within that, the nearest average NPS (+100/0/−100 per answer) in the pre window — the
  pre-period level, so a campaign aimed at unhappy customers is compared with equally unhappy
  ones (their scores would have risen anyway: regression to the mean).

Candidates are customers signed up before the launch and not churned before it. Targeted
customers are matched in a seeded random order, each to the nearest free candidate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.assess.data import table_names
from cxo.errors import InputError, InsufficientDataError, MissingDataError, UsageError

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

TENURE_BANDS = (12, 36)
"""Upper bounds (months) of the tenure bands; the last band is open."""
MIN_MATCHED = 30

Array = np.ndarray[Any, Any]


CONTROL_TABLE = "_i_control_c"
"""Temp table (``customer_id``, ``tenure``) :func:`match_customers` leaves the matched
comparison customers in (they stay in the engine; the caller drops it)."""


@dataclass(frozen=True)
class Matching:
    """Targeted customers with their matches, and the balance of the pre-period level."""

    treated_ids: list[str]
    controls: int
    """Matched comparison customers (their ids are in temp table :data:`CONTROL_TABLE`)."""
    targeted: int
    unknown: int
    """Targeted ids not found among the customers (or churned before the launch)."""
    unmatched: int
    """Targeted customers without a free candidate in their stratum."""
    pre_nps_treated: float | None
    pre_nps_control: float | None
    tenure_treated: float
    tenure_control: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (counts and balance, not the ids)."""
        return {
            "method": "1:1 nearest pre-period NPS within segment × tenure band × answered "
            "before, without replacement",
            "targeted": self.targeted,
            "matched": len(self.treated_ids),
            "unknown": self.unknown,
            "unmatched": self.unmatched,
            "pre_nps": {"treated": self.pre_nps_treated, "control": self.pre_nps_control},
            "tenure_months": {"treated": self.tenure_treated, "control": self.tenure_control},
        }


def match_customers(
    con: Runner,
    targeted: list[str],
    touchpoints: list[str],
    pre_start: dt.date,
    launch: dt.date,
    *,
    seed: int = 0,
) -> Matching:
    """Match every customer in ``targeted`` (pre level from answers at ``touchpoints``, all
    touchpoints when empty); the matches are left in temp table :data:`CONTROL_TABLE`.

    Only aggregates and the targeted customers reach Python: the candidates as runs of equal
    pre-period level per stratum (segment × tenure band × answered: hundreds of rows, however
    many customers), the targeted ones one row each (the caller's own list). Within a run the
    greedy nearest-free search takes customers from its ends only (a search from above takes
    the run's first free customer, one from below its last), so counting what each run gives
    up at either end and numbering its customers by id in the engine selects the same
    customers as a search over every candidate."""
    if "customers" not in table_names(con):
        raise MissingDataError(
            "a matched comparison needs table `customers` (segment and signup date)",
            hint="import it with `cxo import customers FILE`",
        )
    if not targeted:
        raise UsageError("no targeted customers given")
    wanted = list(dict.fromkeys(targeted))
    try:
        _candidates(con, wanted, touchpoints, (pre_start, launch))
        return _match(con, len(wanted), seed)
    finally:
        for name in ("_i_cand", "_i_runs", "_i_target_c"):
            con.execute(f"drop table if exists {name}")


def _candidates(
    con: Runner, targeted: list[str], touchpoints: list[str], window: tuple[dt.date, dt.date]
) -> None:
    """Temp table ``_i_cand``: customers signed up before the launch and not churned before
    it, with segment, tenure (months) and its band, pre-window NPS level (``v``: 0 when they
    did not answer) and whether they were targeted."""
    import pandas as pd

    from cxo.engine.sql import months_between, temp_table
    from cxo.initiatives._sql import run

    pre_start, launch = window
    ids = pd.DataFrame({"customer_id": pd.Series(targeted, dtype=object)})
    temp_table(con, "_i_target_c", ids)
    tp_filter = "and touchpoint in ($tps)" if touchpoints else ""
    params: dict[str, Any] = {"start": pre_start, "launch": launch}
    if touchpoints:
        params["tps"] = touchpoints
    band = " + ".join(f"(tenure >= {b})::int" for b in TENURE_BANDS)
    run(
        con,
        f"""create or replace temp table _i_cand as
            with pre as (
              select customer_id, avg(case when nps >= 9 then 100.0 when nps <= 6 then -100.0
                                           else 0.0 end) as level
              from responses
              where nps is not null and customer_id is not null
                and responded_at >= $start and responded_at < $launch {tp_filter}
              group by customer_id),
            c as (
              select c.customer_id, coalesce(c.segment, '(none)') as seg,
                     coalesce({months_between("c.signup_date", "cast($launch as date)")}, 0)
                       as tenure,
                     pre.level, t.customer_id is not null as targeted
              from customers c left join pre on pre.customer_id = c.customer_id
                left join _i_target_c t on t.customer_id = c.customer_id
              where (c.signup_date is null or c.signup_date < $launch)
                and (c.churn_date is null or c.churn_date >= $launch))
            select customer_id, seg, tenure, {band} as band, level is not null as answered,
                   coalesce(level, 0.0) as v, level, targeted
            from c""",
        params,
    )


def _key(seg: object, band: object, answered: object) -> str:
    """The stratum of a candidate (sorted as the matching visits the strata)."""
    return f"{seg}|{int(str(band))}|{bool(answered)}"


@dataclass
class _Pairs:
    treated: list[int]
    """Rows of the targeted customers matched (in id order within each stratum)."""
    control_level: list[float]
    """Pre-period level of each one's match (NaN: it did not answer)."""
    taken: list[tuple[str, float, int, int]]
    """Per run of equal level: stratum, level, customers taken from its front and back."""
    unmatched: int = 0


def _pair(treated: list[tuple[Any, ...]], runs: list[tuple[Any, ...]], seed: int) -> _Pairs:
    """Greedy 1:1 nearest-level matching per stratum, in a seeded random order."""
    pools: dict[str, list[tuple[float, int]]] = {}
    for seg, band, answered, v, n in runs:
        pools.setdefault(_key(seg, band, answered), []).append((float(v), int(n)))
    by_key: dict[str, list[int]] = {}
    for row, (_, seg, band, answered, *_rest) in enumerate(treated):
        by_key.setdefault(_key(seg, band, answered), []).append(row)
    rng = np.random.default_rng(seed)
    out = _Pairs([], [], [])
    for key in sorted(by_key):
        rows = by_key[key]
        pool = sorted(pools.get(key, []))
        values = np.array([v for v, _ in pool], dtype=float)
        counts = np.array([n for _, n in pool], dtype=np.int64)
        levels = np.array([float(treated[r][4]) for r in rows])
        found, front, back = _nearest(levels, values, counts, rng)
        out.unmatched += int((found < 0).sum())
        answered = key.endswith("|True")
        for a, j in enumerate(found):
            if j >= 0:
                out.treated.append(rows[a])
                out.control_level.append(float(values[j]) if answered else math.nan)
        out.taken += [
            (key, float(values[j]), int(front[j]), int(back[j]))
            for j in range(len(pool))
            if front[j] or back[j]
        ]
    return out


def _match(con: Runner, wanted: int, seed: int) -> Matching:
    """The matching over the candidates in ``_i_cand`` (see :func:`match_customers`)."""
    treated = con.execute(
        """select customer_id, seg, band, answered, v, level, tenure from _i_cand
           where targeted order by customer_id"""
    ).fetchall()
    runs = con.execute(
        """select seg, band, answered, v, count(*) from _i_cand where not targeted
           group by seg, band, answered, v order by seg, band, answered, v"""
    ).fetchall()
    pairs = _pair(treated, runs, seed)
    if len(pairs.treated) < MIN_MATCHED:
        raise InsufficientDataError(
            f"only {len(pairs.treated)} of {wanted} targeted customers could be matched "
            f"(need {MIN_MATCHED}; {wanted - len(treated)} unknown or churned before the launch)"
        )
    controls, tenure_sum = _select_controls(con, pairs.taken)
    level_t = np.array(
        [np.nan if treated[r][5] is None else float(treated[r][5]) for r in pairs.treated]
    )
    tenure_t = np.array([float(treated[r][6]) for r in pairs.treated])

    def mean(values: Array) -> float | None:
        ok = values[~np.isnan(values)]
        return float(ok.mean()) if len(ok) else None

    return Matching(
        treated_ids=[str(treated[r][0]) for r in pairs.treated],
        controls=controls,
        targeted=wanted,
        unknown=wanted - len(treated),
        unmatched=pairs.unmatched,
        pre_nps_treated=mean(level_t),
        pre_nps_control=mean(np.array(pairs.control_level)),
        tenure_treated=float(tenure_t.mean()),
        tenure_control=tenure_sum / controls,
    )


def _select_controls(con: Runner, taken: list[tuple[str, float, int, int]]) -> tuple[int, float]:
    """Temp table :data:`CONTROL_TABLE`: per run the first ``front`` and last ``back``
    customers by id; returns their number and summed tenure."""
    import pandas as pd

    from cxo.engine.sql import temp_table

    keys = [k.split("|") for k, *_ in taken]
    runs = pd.DataFrame(
        {
            "seg": pd.Series([k[0] for k in keys], dtype=object),
            "band": pd.Series([int(k[1]) for k in keys], dtype="int64"),
            "answered": pd.Series([k[2] == "True" for k in keys], dtype=bool),
            "v": pd.Series([t[1] for t in taken], dtype=float),
            "front": pd.Series([t[2] for t in taken], dtype="int64"),
            "back": pd.Series([t[3] for t in taken], dtype="int64"),
        }
    )
    temp_table(con, "_i_runs", runs)
    con.execute(
        f"""create or replace temp table {CONTROL_TABLE} as
            select customer_id, tenure from (
              select c.customer_id, c.tenure, u.front, u.back,
                     row_number() over (partition by c.seg, c.band, c.answered, c.v
                                        order by c.customer_id) as rn,
                     count(*) over (partition by c.seg, c.band, c.answered, c.v) as cnt
              from _i_cand c join _i_runs u
                on u.seg = c.seg and u.band = c.band and u.answered = c.answered and u.v = c.v
              where not c.targeted) x
            where rn <= front or rn > cnt - back"""
    )
    row = con.execute(f"select count(*), sum(tenure) from {CONTROL_TABLE}").fetchall()[0]
    return int(row[0]), float(row[1] or 0)


def _nearest(
    treated: Array, values: Array, counts: Array, rng: np.random.Generator
) -> tuple[Array, Array, Array]:
    """For each treated value (in a random order) the run of the nearest free candidate
    (runs: distinct ``values`` ascending with ``counts`` candidates), −1 when the pool is used
    up; and per run the candidates taken from its front and from its back.

    The same choice as a nearest-free search over the candidates sorted by level then id: a
    search from above lands on a run's first free candidate (its front), one from below on its
    last (its back); at equal distance the lower one wins."""
    out = np.full(len(treated), -1, dtype=np.int64)
    n = len(values)
    front = np.zeros(n, dtype=np.int64)
    back = np.zeros(n, dtype=np.int64)
    # an exhausted run points to its neighbour on that side (path-compressed on the way)
    left = np.arange(n) - 1
    right = np.arange(n) + 1

    def find(ptr: Array, i: int) -> int:
        path = []
        while 0 <= i < n and front[i] + back[i] >= counts[i]:
            path.append(i)
            i = int(ptr[i])
        ptr[path] = i
        return i

    for t in rng.permutation(len(treated)):
        pos = int(np.searchsorted(values, treated[t]))
        below, above = find(left, pos - 1), find(right, pos)
        options = [j for j in (below, above) if 0 <= j < n]
        if not options:
            break
        best = min(options, key=lambda j: (abs(values[j] - treated[t]), j))
        if best == above:
            front[best] += 1
        else:
            back[best] += 1
        out[t] = best
    return out, front, back


def read_customer_ids(path: Path) -> list[str]:
    """Customer ids from a file: one per line, or a CSV whose header names ``customer_id``
    (blank lines and ``#`` comments skipped); :class:`InputError` names file and line."""
    import csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    lines = text.splitlines()
    rows = list(csv.reader(lines))
    column = 0
    start = 0
    if rows and any(c.strip().lower() == "customer_id" for c in rows[0]):
        column = [c.strip().lower() for c in rows[0]].index("customer_id")
        start = 1
    elif rows and len(rows[0]) > 1:
        raise InputError(f"{path} line 1: a CSV needs a header with a `customer_id` column")
    ids: list[str] = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if column >= len(row) or not row[column].strip():
            raise InputError(f"{path} line {number}: field `customer_id` is empty")
        ids.append(row[column].strip())
    if not ids:
        raise InputError(f"{path}: no customer ids")
    return list(dict.fromkeys(ids))


__all__ = ["Matching", "match_customers", "read_customer_ids"]
