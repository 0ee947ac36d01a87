"""The mention histories in SQL (``cxo.assess.exposure``) against the former NumPy version.

Issue 17: the co-mentioned partners and the person time of every pain cell are computed in the
engine instead of from one row per customer × theme in memory. The results must not change:
the same partner lists, and the same person time and churn events per stratum and exposure
flags (person years are integer days / 365.25: equal to 1e-12), for every cell of a company
with co-mentioned themes, several segments and churn on band boundaries. A hand-made customer
checks the cut points against figures worked out on paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxo.assess import exposure
from cxo.assess.data import prepare
from cxo.assess.pains import MIN_MENTIONS
from cxo.workspace import Workspace

from . import exposure_numpy as oracle
from .test_assess import _insert, _themes_table

AS_OF = np.datetime64("2026-06-30")
THEMES = ["billing_error", "double_charge", "late_refund", "rude_staff", "waiting", "app_crash"]


def _company(root: Path, n: int = 1000, seed: int = 7) -> Workspace:
    """Three touchpoints, three segments, six themes of which some travel together (one comment
    tagged with two themes), churn partly on the tenure-band boundaries, answers after churn."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(root, "service", language="en")
    ids = np.char.add("C", np.arange(n).astype(str))
    seg = rng.choice(["private", "business", "public"], size=n, p=[0.6, 0.3, 0.1])
    signup = AS_OF - rng.integers(200, 1400, size=n).astype("timedelta64[D]")
    churn_day = AS_OF - rng.integers(0, 700, size=n).astype("timedelta64[D]")
    # a tenth churn exactly on a band boundary (13 or 25 months after sign-up)
    months = rng.choice([13, 25], size=n)
    boundary = np.array(
        [
            np.datetime64(_add_months(s.astype(dt.date), int(k)), "D")
            for s, k in zip(signup, months, strict=True)
        ]
    )
    churn_day = np.where(rng.random(n) < 0.1, boundary, churn_day)
    churned = (rng.random(n) < 0.35) & (churn_day > signup) & (churn_day <= AS_OF)
    churn = np.where(churned, churn_day, np.datetime64("NaT"))
    _insert(
        ws,
        "customers",
        {
            "customer_id": ids,
            "segment": seg,
            "signup_date": pa.array(signup, pa.date32()),
            "churn_date": pa.array(churn.astype("datetime64[D]"), pa.date32()),
        },
    )
    k = 8
    cust = np.repeat(np.arange(n), k)
    first = AS_OF - np.timedelta64(760, "D")
    day = first + (rng.random(n * k) * 760).astype("timedelta64[D]")
    m = len(cust)
    tp = rng.choice(["billing", "hotline", "shop"], size=m, p=[0.4, 0.4, 0.2])
    rid = np.char.add("R", np.arange(m).astype(str))
    _insert(
        ws,
        "responses",
        {
            "response_id": rid,
            "customer_id": ids[cust],
            "survey": np.full(m, "transactional"),
            "touchpoint": tp,
            "responded_at": pa.array(day.astype("datetime64[s]"), pa.timestamp("us")),
            "nps": rng.integers(0, 11, size=m).astype(float),
        },
    )
    tagged_r: list[str] = []
    tagged_t: list[str] = []
    for j, theme in enumerate(THEMES):
        hit = rng.random(m) < 0.04 + 0.01 * j
        if theme == "double_charge":  # travels with billing_error
            hit |= np.isin(rid, tagged_r) & (rng.random(m) < 0.5)
        tagged_r.extend(rid[hit])
        tagged_t.extend([theme] * int(hit.sum()))
    _themes_table(ws)
    _insert(
        ws,
        "response_themes",
        {
            "response_id": np.asarray(tagged_r),
            "theme": np.asarray(tagged_t),
            "sentiment": rng.choice(["negative", "neutral", "positive"], size=len(tagged_r)),
        },
    )
    return ws


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clipped to the month's end (DuckDB's date + interval)."""
    import calendar

    y, mo = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, mo + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, pd.DataFrame]]:
    """A connection with the assessment's working tables, ``_a_aff`` and the candidates."""
    ws = _company(tmp_path_factory.mktemp("exposure") / "ws")
    with ws.connect(read_only=True) as con:
        prepare(con)
        con.execute(
            """create or replace temp table _a_aff as
               select r.customer_id, r.touchpoint, t.theme, min(r.responded_at)::date as m
               from _a_t t join _a_r r using (response_id) where r.customer_id is not null
               group by r.customer_id, r.touchpoint, t.theme"""
        )
        mentioned = con.execute(
            """select r.touchpoint, r.segment, t.theme, count(*) as n
               from _a_r r join _a_t t using (response_id) where r.customer_id is not null
               group by r.touchpoint, r.segment, t.theme"""
        ).df()
        yield con, mentioned[mentioned["n"] >= MIN_MENTIONS]


def _cells(cand: pd.DataFrame) -> list[tuple[str, str, list[str] | None]]:
    cells: list[tuple[str, str, list[str] | None]] = []
    for (tp, th), grp in cand.groupby(["touchpoint", "theme"], sort=True):
        cells.append((str(tp), str(th), None))
        cells.extend((str(tp), str(th), [str(s)]) for s in sorted(grp["segment"]))
    return cells


def _same_cells(old: pd.DataFrame, new: pd.DataFrame, keys: list[str]) -> None:
    assert len(old) == len(new)
    a = old.groupby(keys)[["exposure", "events"]].sum().sort_index()
    b = new.groupby(keys)[["exposure", "events"]].sum().sort_index()
    assert a.index.equals(b.index)
    assert np.array_equal(a["events"].to_numpy(), b["events"].to_numpy())
    np.testing.assert_allclose(b["exposure"], a["exposure"], rtol=1e-12, atol=1e-12)


@pytest.mark.slow  # ~60 cells × 3 partner sets on both implementations
def test_partners_and_person_time_equal_the_numpy_version(prepared: Any) -> None:
    con, cand = prepared
    lives = oracle.mention_lives(con, cand)
    hist = exposure.mention_histories(con, cand)
    assert hist is not None
    base = con.execute(
        """select touchpoint, segment, dgrp as grp, count(*) as customers,
                  sum(x0) as x0, sum(x1) as x1, sum(x2) as x2,
                  sum(ev0) as ev0, sum(ev1) as ev1, sum(ev2) as ev2
           from _a_x group by touchpoint, segment, dgrp"""
    ).df()
    cells = _cells(cand)
    assert len(cells) >= 20
    with_partners = 0
    for tp, th, segs in cells:
        found = exposure.partners(hist, tp, th, segs)
        assert found == oracle.partners(lives.get(tp), th, segs), (tp, th, segs)
        with_partners += bool(found)
        others = [t for t in hist.themes[tp] if t != th]
        b = base[base["touchpoint"] == tp]
        for adjust in ([], found[:4], others[-4:]):
            keys = ["segment", "grp", "band", "exposed", *[f"p{i}" for i in range(len(adjust))]]
            old = oracle.person_time(lives.get(tp), b, th, adjust, segs)
            new = exposure.person_time(hist, tp, b, th, adjust, segs)
            _same_cells(old, new, keys)
    assert with_partners >= 4  # the planted co-mentions are found


def _histories_of(rows: list[dict[str, Any]]) -> exposure.Histories:
    con = duckdb.connect()
    con.execute(
        """create table _a_lv (touchpoint varchar, theme varchar, customer_id varchar,
             segment varchar, grp bigint, churned boolean, s bigint, m bigint, e bigint,
             b1 bigint, b2 bigint)"""
    )
    for r in rows:
        con.execute(
            "insert into _a_lv values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r[c] for c in ("tp", "th", "id", "seg", "grp", "churned", "s", "m", "e", "b1", "b2")],
        )
    return exposure.Histories(con, {"tp": ["a", "b"]}, pd.DataFrame(), pd.DataFrame())


def test_time_at_risk_is_cut_at_mentions_and_band_boundaries() -> None:
    """Worked on paper: at risk from day 0 to churn on day 100, band boundaries on days 30
    and 200 (after the end: no cut), theme ``a`` first mentioned on day 50 and partner ``b``
    on day 30 (with the boundary: one cut), a second customer mentions ``b`` only, on the day
    it churns (a piece of length zero: nothing), and a third starts and ends on day 10."""
    one = {"tp": "tp", "seg": "x", "grp": 1, "churned": True, "s": 0, "e": 100, "b1": 30}
    rows = [
        {**one, "id": "c1", "th": "a", "m": 50, "b2": 200},
        {**one, "id": "c1", "th": "b", "m": 30, "b2": 200},
        {**one, "id": "c2", "th": "b", "m": 100, "b2": 60},
        {**one, "id": "c3", "th": "a", "m": 10, "s": 10, "e": 10, "b2": 60},
    ]
    base = pd.DataFrame(
        {"segment": ["x"], "grp": [1], **{f"x{i}": [1.0] for i in range(3)}}
        | {f"ev{i}": [1] for i in range(3)}
    )
    got = exposure.person_time(_histories_of(rows), "tp", base, "a", ["b"], None)
    y = exposure.YEAR_DAYS
    # c1: [0,30) band 0; [30,50) band 1 with b; [50,100) band 1 with a and b, churn.
    # c2: [0,30) band 0; [30,60) band 1; [60,100) band 2, churn (b mentioned on day 100 only)
    mentioning = {
        ("0-12", 0, 0): (60, 0.0),
        ("13-24", 0, 0): (30, 0.0),
        ("13-24", 0, 1): (20, 0.0),
        ("13-24", 1, 1): (50, 1.0),
        ("25+", 0, 0): (40, 1.0),
    }
    assert len(got) == len(mentioning) + 3
    head = got.iloc[: len(mentioning)].set_index(["band", "exposed", "p0"])
    assert sorted(head.index) == sorted(mentioning)
    for key, (days, events) in mentioning.items():
        assert head.loc[key, "exposure"] == pytest.approx(days / y, rel=1e-12)
        assert head.loc[key, "events"] == events
    # the rest of the touchpoint: its totals (1 year, 1 churn per band) minus the mentioning
    # customers' time and churn, unexposed
    rest = got.iloc[len(mentioning) :].set_index("band")
    assert (rest[["exposed", "p0"]] == 0).all().all()
    for band, days, events in (("0-12", 60, 1.0), ("13-24", 100, 0.0), ("25+", 40, 0.0)):
        assert rest.loc[band, "exposure"] == pytest.approx(1.0 - days / y, rel=1e-12)
        assert rest.loc[band, "events"] == events


def test_no_candidates_no_histories(prepared: Any) -> None:
    con, cand = prepared
    assert exposure.mention_histories(con, cand.iloc[0:0]) is None
    assert exposure.partners(None, "billing", THEMES[0], None) == []


@pytest.mark.spark
@pytest.mark.slow  # a JVM
@pytest.mark.xdist_group("spark")
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")
def test_the_same_sql_gives_the_same_sums_on_spark() -> None:
    """Parity: the cells' pieces, the all-cells query and the co-mentions on a local Spark
    session equal DuckDB's over the same mention histories (exact: integer sums)."""
    from cxo.engine.spark import session
    from cxo.engine.sql import SparkRunner, frame

    rng = np.random.default_rng(3)
    rows = []
    for c in range(400):
        seg, grp, churned = str(rng.choice(["a", "b"])), int(rng.integers(0, 3)), rng.random()
        s, b1 = int(rng.integers(0, 300)), int(rng.integers(-100, 500))
        e = s + int(rng.integers(0, 400))
        for tp in ("t1", "t2"):
            for th in ("x", "y", "z"):
                if rng.random() < 0.5:
                    m = int(s + rng.integers(0, 450))
                    rows.append((tp, th, f"C{c}", seg, grp, churned < 0.4, s, m, e, b1, b1 + 365))
    names = [
        "touchpoint",
        "theme",
        "customer_id",
        "segment",
        "grp",
        "churned",
        "s",
        "m",
        "e",
        "b1",
        "b2",
    ]
    lv = pd.DataFrame(rows, columns=names)
    duck = duckdb.connect()
    duck.register("lv", lv)
    duck.execute(f"create table {exposure.HISTORIES} as select * from lv")
    spark = SparkRunner(session().newSession(), {})
    spark.temp_from_pandas(exposure.HISTORIES, lv)
    themes = ["x", "y", "z"]
    queries: list[tuple[str, list[Any]]] = [
        (exposure.alone_sql(), []),
        (exposure.pieces_sql(3, None), [*themes, "t1", *themes, "x", "z"]),
        (exposure.pieces_sql(2, ["a"]), ["y", "x", "t2", "y", "x", "x", "y", "a"]),
    ]
    try:
        for sql, params in queries:
            a = frame(duck, sql, params)
            b = frame(spark, sql, params)[list(a.columns)]
            keys = list(a.columns)
            a, b = (f.sort_values(keys, ignore_index=True).astype(str) for f in (a, b))
            assert len(a) > 10
            pd.testing.assert_frame_equal(a, b)
    finally:
        spark.close()
