"""The simulated tables conform to the data contract and are consistent with each other."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from cxo.core.charter import template
from cxo.core.contract import TABLES
from cxo.simulate import SimulatedCompany
from cxo.simulate.columns import schema

TYPES = ("service", "software", "retail")


@pytest.fixture(params=TYPES)
def sim(request: pytest.FixtureRequest, small: dict[str, SimulatedCompany]) -> SimulatedCompany:
    return small[request.param]


@pytest.fixture
def con(sim: SimulatedCompany) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    for name, table in sim.tables.items():
        c.register(name, table)
    yield c
    c.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_every_table_has_the_contract_schema(sim: SimulatedCompany) -> None:
    assert set(sim.tables) == set(TABLES)
    for name, table in sim.tables.items():
        assert table.schema.names == list(TABLES[name].column_names)
        assert table.schema.equals(schema(name)), name
        assert table.num_rows > 0, name
        for col in TABLES[name].columns:
            if col.required:
                assert table[col.name].null_count == 0, (name, col.name)


def test_keys_unique_and_ids_formatted(con: duckdb.DuckDBPyConnection) -> None:
    for name, spec in TABLES.items():
        key = ", ".join(spec.key)
        dupes = one(
            con, f"select count(*) from (select {key} from {name} group by all having count(*) > 1)"
        )
        assert dupes == 0, name
    assert (
        one(
            con,
            "select count(*) from customers where not regexp_full_match(customer_id, 'C[0-9]{7}')",
        )
        == 0
    )
    assert one(con, "select min(customer_id) from customers") == "C0000001"


def test_ranges_and_allowed_values(con: duckdb.DuckDBPyConnection) -> None:
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.min is not None:
                assert one(con, f'select count(*) from {name} where "{col.name}" < {col.min}') == 0
            if col.max is not None:
                assert one(con, f'select count(*) from {name} where "{col.name}" > {col.max}') == 0
            if col.allowed is not None:
                allowed = ", ".join(f"'{a}'" for a in col.allowed)
                bad = f'select count(*) from {name} where "{col.name}" not in ({allowed})'
                assert one(con, bad) == 0, (name, col.name)
    assert (
        one(con, "select count(*) from ratings where score < scale_min or score > scale_max") == 0
    )
    assert one(con, "select count(distinct scale_max) from ratings") == 1


def test_foreign_keys_and_charter_keys(
    sim: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.references:
                ref_table, ref_col = col.references.split(".")
                orphans = one(
                    con,
                    f'select count(*) from {name} where "{col.name}" is not null and "{col.name}" '
                    f"not in (select {ref_col} from {ref_table})",
                )
                assert orphans == 0, (name, col.name)
    charter = template(sim.config.company_type)
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.charter_key:
                values = {
                    r[0]
                    for r in con.execute(f'select distinct "{col.name}" from {name}').fetchall()
                }
                assert values - {None} <= charter.keys(col.charter_key), (name, col.name)
    attrs = {r[0] for r in con.execute("select distinct attribute from ratings").fetchall()}
    assert attrs == {a.key for a in charter.attributes}


def test_events_lie_in_each_customers_lifetime(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select count(*) from customers where churn_date < signup_date") == 0
    assert str(one(con, "select max(signup_date) from customers")) <= "2026-09-30"
    assert str(one(con, "select min(signup_date) from customers")) >= "2021-09-30"
    for table, ts in (
        ("responses", "responded_at"),
        ("cases", "opened_at"),
        ("sessions", "started_at"),
    ):
        late = one(
            con,
            f"select count(*) from {table} t join customers c using (customer_id) "
            f"where t.{ts} < c.signup_date or t.{ts} >= coalesce(c.churn_date, date '2026-10-01')",
        )
        assert late == 0, table
    # sends after churn are win-back sends only
    assert (
        one(
            con,
            "select count(*) from sends s join customers c using (customer_id) "
            "where s.sent_at >= c.churn_date and s.lifecycle_stage <> 'winback'",
        )
        == 0
    )
    assert one(con, "select min(responded_at) >= timestamp '2023-10-01' from responses")
    assert one(con, "select max(responded_at) < timestamp '2026-10-01' from responses")
    assert (
        one(
            con,
            "select count(*) from contracts k join customers c using (customer_id) "
            "where k.end_date is distinct from c.churn_date",
        )
        == 0
    )


def test_price_list_covers_every_product_without_overlaps(
    sim: SimulatedCompany, con: duckdb.DuckDBPyConnection
) -> None:
    products = {p.key for p in template(sim.config.company_type).products}
    rows = con.execute(
        "select product, count(*), count(*) - count(valid_to), min(valid_from) "
        "from price_list group by 1"
    ).fetchall()
    assert {r[0] for r in rows} == products
    for _, n, open_rows, first in rows:
        assert n >= 3
        assert open_rows == 1
        assert str(first) < "2021-09-30"
    gaps = one(
        con,
        "select count(*) from (select valid_to, lead(valid_from) over (partition by product "
        "order by valid_from) as nxt from price_list) where nxt is not null "
        "and valid_to + interval 1 day <> nxt",
    )
    assert gaps == 0


def test_cases_goodwill_only_for_goodwill_or_refund(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        one(
            con,
            "select count(*) from cases where goodwill_amount is not null "
            "and resolution not in ('goodwill', 'refund')",
        )
        == 0
    )
    assert (
        one(con, "select count(*) from cases where (closed_at is null) <> (resolution = 'open')")
        == 0
    )
    assert one(con, "select count(*) from cases where closed_at < opened_at") == 0
    reasons = {r[0] for r in con.execute("select distinct reason from cases").fetchall()}
    assert {"complaint", "defect", "billing", "request"} <= reasons


def test_some_anonymous_responses_and_both_languages(con: duckdb.DuckDBPyConnection) -> None:
    n, anon = con.execute(
        "select count(*), count(*) - count(customer_id) from responses"
    ).fetchone() or (0, 0)
    assert 0 < anon < 0.06 * n
    langs = dict(con.execute("select language, count(*) from responses group by 1").fetchall())
    assert set(langs) == {"de", "en"}
    share = one(con, "select avg((comment is not null)::int) from responses")
    assert 0.28 < float(share) < 0.45  # type: ignore[arg-type]
