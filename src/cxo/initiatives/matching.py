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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.assess.data import table_names
from cxo.errors import InputError, InsufficientDataError, MissingDataError, UsageError

if TYPE_CHECKING:
    import duckdb

TENURE_BANDS = (12, 36)
"""Upper bounds (months) of the tenure bands; the last band is open."""
MIN_MATCHED = 30

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Matching:
    """Targeted customers with their matches, and the balance of the pre-period level."""

    treated_ids: list[str]
    control_ids: list[str]
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
    con: duckdb.DuckDBPyConnection,
    targeted: list[str],
    touchpoints: list[str],
    pre_start: dt.date,
    launch: dt.date,
    *,
    seed: int = 0,
) -> Matching:
    """Match every customer in ``targeted`` (pre level from answers at ``touchpoints``, all
    touchpoints when empty)."""
    if "customers" not in table_names(con):
        raise MissingDataError(
            "a matched comparison needs table `customers` (segment and signup date)",
            hint="import it with `cxo import customers FILE`",
        )
    if not targeted:
        raise UsageError("no targeted customers given")
    tp_filter = "and touchpoint in (select unnest($tps))" if touchpoints else ""
    params: dict[str, Any] = {"start": pre_start, "launch": launch}
    if touchpoints:
        params["tps"] = touchpoints
    got = con.execute(
        f"""with pre as (
              select customer_id, avg(case when nps >= 9 then 100.0 when nps <= 6 then -100.0
                                           else 0.0 end) as level
              from responses
              where nps is not null and customer_id is not null
                and responded_at >= $start and responded_at < $launch {tp_filter}
              group by customer_id)
            select c.customer_id, coalesce(c.segment, '(none)'),
                   coalesce(datediff('month', c.signup_date, $launch::date), 0), pre.level
            from customers c left join pre using (customer_id)
            where (c.signup_date is null or c.signup_date < $launch)
              and (c.churn_date is null or c.churn_date >= $launch)
            order by c.customer_id""",
        params,
    ).fetchall()
    ids = [str(r[0]) for r in got]
    wanted = set(targeted)
    is_t = np.array([i in wanted for i in ids], dtype=bool)
    segment = np.array([str(r[1]) for r in got], dtype=object)
    tenure = np.array([float(r[2]) for r in got])
    level = np.array([np.nan if r[3] is None else float(r[3]) for r in got])
    band = np.searchsorted(np.asarray(TENURE_BANDS, dtype=float), tenure, side="right")
    answered = ~np.isnan(level)
    keys = np.array([f"{s}|{b}|{a}" for s, b, a in zip(segment, band, answered, strict=True)])
    _, stratum = np.unique(keys, return_inverse=True)
    rng = np.random.default_rng(seed)
    pairs: list[tuple[int, int]] = []
    unmatched = 0
    for key in np.unique(stratum[is_t]):
        in_s = stratum == key
        t_idx = np.flatnonzero(in_s & is_t)
        c_idx = np.flatnonzero(in_s & ~is_t)
        found = _nearest(np.nan_to_num(level[t_idx]), np.nan_to_num(level[c_idx]), rng)
        unmatched += int((found < 0).sum())
        pairs += [(int(t_idx[a]), int(c_idx[b])) for a, b in enumerate(found) if b >= 0]
    known = int(is_t.sum())
    if len(pairs) < MIN_MATCHED:
        raise InsufficientDataError(
            f"only {len(pairs)} of {len(targeted)} targeted customers could be matched "
            f"(need {MIN_MATCHED}; {len(targeted) - known} unknown or churned before the launch)"
        )
    t_sel = np.array([a for a, _ in pairs])
    c_sel = np.array([b for _, b in pairs])

    def mean(values: Array) -> float | None:
        ok = values[~np.isnan(values)]
        return float(ok.mean()) if len(ok) else None

    return Matching(
        treated_ids=[ids[i] for i in t_sel],
        control_ids=[ids[i] for i in c_sel],
        targeted=len(wanted),
        unknown=len(wanted) - known,
        unmatched=unmatched,
        pre_nps_treated=mean(level[t_sel]),
        pre_nps_control=mean(level[c_sel]),
        tenure_treated=float(tenure[t_sel].mean()),
        tenure_control=float(tenure[c_sel].mean()),
    )


def _nearest(treated: Array, pool: Array, rng: np.random.Generator) -> Array:
    """For each treated value (in a random order) the index of the nearest free ``pool``
    value, −1 when the pool is used up."""
    out = np.full(len(treated), -1, dtype=np.int64)
    n = len(pool)
    order = np.argsort(pool, kind="stable")
    values = pool[order]
    free = np.ones(n, dtype=bool)
    # a used position points to its neighbour on that side (path-compressed on the way)
    left = np.arange(n) - 1
    right = np.arange(n) + 1

    def find(ptr: Array, i: int) -> int:
        path = []
        while 0 <= i < n and not free[i]:
            path.append(i)
            i = int(ptr[i])
        ptr[path] = i
        return i

    for t in rng.permutation(len(treated)):
        pos = int(np.searchsorted(values, treated[t]))
        options = [j for j in (find(left, pos - 1), find(right, pos)) if 0 <= j < n]
        if not options:
            break
        best = min(options, key=lambda j: (abs(values[j] - treated[t]), j))
        free[best] = False
        out[t] = order[best]
    return out


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
