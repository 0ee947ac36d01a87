"""Mapping files: one test per feature, each through the real importer into a workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxo.errors import InputError, UsageError
from cxo.ingest.api import check_mapped, import_file, import_mapped
from cxo.ingest.mapping import load_mapping, parse_mapping
from cxo.workspace import Workspace

from .conftest import Query

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mapping"


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


EXPORT = (
    "Kd,Since,Status,Plan,Fee\n"
    "k1,03/31/2024,Yes,Basic,10\n"
    "k2,12/01/2023,No,Pro,20\n"
    "k3,13/01/2023,No,Pro,20\n"
)


def test_rename_constants_values_and_date_formats(ws: Workspace, tmp_path: Path, q: Query) -> None:
    m = parse_mapping(
        """
tables:
  customers:
    rename: {Kd: customer_id, Since: signup_date}
    constants: {lifecycle_stage: active, segment: SMB}
    date_formats: {signup_date: "%m/%d/%Y"}
"""
    )
    [batch] = import_mapped(ws, write(tmp_path / "crm.csv", EXPORT), m)
    assert (batch.read, batch.imported, batch.quarantined) == (3, 2, 1)
    assert q(
        "select customer_id, segment, signup_date, lifecycle_stage from customers order by 1"
    ) == [
        ("k1", "smb", dt.date(2024, 3, 31), "active"),  # SMB → smb through the charter alias
        ("k2", "smb", dt.date(2023, 12, 1), "active"),
    ]
    # the rejected row: file, line, the column in the reason, and the original text
    [(source, line, reason, raw)] = q("select source, line, reason, raw from quarantine")
    assert str(source).endswith("crm.csv")
    assert line == 4
    assert reason == "signup_date: '13/01/2023' does not match the date format %m/%d/%Y"
    assert raw == "k3,13/01/2023,No,Pro,20"


def test_value_maps_turn_codes_into_contract_values(
    ws: Workspace, tmp_path: Path, q: Query
) -> None:
    m = parse_mapping(
        """
tables:
  contracts:
    rename: {Kd: customer_id, Plan: product, Fee: monthly_price, Since: start_date}
    date_formats: {start_date: "%m/%d/%Y"}
    values:
      product: {basic: starter, Pro: business}
      end_date: {"No": null}
    derive:
      contract_id: concat("c-", Kd)
      end_date: Status
"""
    )
    import_file(
        ws,
        "customers",
        write(
            tmp_path / "c.csv",
            "customer_id,signup_date\nk1,2020-01-01\nk2,2020-01-01\nk3,2020-01-01\n",
        ),
    )
    [batch] = import_mapped(ws, write(tmp_path / "crm.csv", EXPORT), m)
    # Yes is no date: that row is quarantined by the ordinary validation; value maps are
    # case-insensitive when there is no exact match (Basic → basic → starter).
    assert (batch.read, batch.imported, batch.quarantined) == (3, 1, 2)
    assert q("select contract_id, product, end_date from contracts") == [("c-k2", "business", None)]
    reasons = [str(r[0]) for r in q("select reason from quarantine order by line")]
    assert reasons[0].startswith("end_date: 'Yes' is not a date")
    assert reasons[1].startswith("start_date: '13/01/2023' does not match")


def test_a_value_map_turns_a_churn_flag_into_a_date_or_null(ws: Workspace, tmp_path: Path) -> None:
    m = parse_mapping(
        """
tables:
  customers:
    rename: {Kd: customer_id, Churn: churn_date, Since: signup_date}
    values:
      churn_date: {"Yes": 2026-11-30, "No": null}
      segment: {Privatkunde: smb}
    constants: {segment: Privatkunde}
"""
    )
    path = write(tmp_path / "c.csv", "Kd,Since,Churn\nk1,2024-01-01,Yes\nk2,2024-01-01,no\n")
    [batch] = import_mapped(ws, path, m)
    assert batch.imported == 2
    with ws.connect(read_only=True) as con:
        assert con.execute(
            "select customer_id, churn_date, segment from customers order by 1"
        ).fetchall() == [("k1", dt.date(2026, 11, 30), "smb"), ("k2", None, "smb")]


def test_derived_columns_from_tenure_and_a_churn_flag(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service")
    m = load_mapping(None, str(FIXTURES / "telco.yaml"))
    customers, contracts = import_mapped(ws, FIXTURES / "telco_churn.csv", m)
    assert (customers.table, contracts.table) == ("customers", "contracts")
    assert customers.reconciles
    assert contracts.reconciles
    assert (customers.imported, contracts.imported) == (14, 14)
    with ws.connect(read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select customer_id, segment, signup_date, churn_date from customers"
            ).fetchall()
        }
        contract = con.execute(
            "select contract_id, product, start_date, end_date, monthly_price from contracts "
            "where customer_id = '9237-HQITU'"
        ).fetchall()
    # tenure 34 months before the export date 2026-11-30; churn "No" → no churn date
    assert rows["5575-GNVDE"] == ("private", dt.date(2024, 1, 30), None)
    # tenure 2, churn "Yes" → churned on the export date
    assert rows["3668-QPYBK"] == ("private", dt.date(2026, 9, 30), dt.date(2026, 11, 30))
    assert rows["8091-TTVAX"][0] == "premium"  # SeniorCitizen 1 → premium via the value map
    assert contract == [
        ("9237-HQITU-1", "dsl_250", dt.date(2026, 9, 30), dt.date(2026, 11, 30), 70.7)
    ]


def test_wide_ratings_become_long_rows_after_their_responses(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service")
    m = load_mapping(None, str(FIXTURES / "inflight.yaml"))
    assert list(m.tables) == ["responses", "ratings"]
    responses, ratings = import_mapped(ws, FIXTURES / "inflight_survey.csv", m)
    assert (responses.read, responses.imported) == (8, 8)
    # 8 rows x 4 aspects, one wifi cell empty (not rated): 31 ratings
    assert (ratings.read, ratings.imported, ratings.quarantined) == (31, 31, 0)
    with ws.connect(read_only=True) as con:
        assert con.execute(
            "select attribute, score, scale_min, scale_max from ratings "
            "where response_id = '96462' order by attribute"
        ).fetchall() == [
            ("cleanliness", 4.0, 0.0, 5.0),
            ("food", 4.0, 0.0, 5.0),
            ("seat_comfort", 4.0, 0.0, 5.0),
        ]
        assert con.execute(
            "select survey, touchpoint, csat, responded_at from responses "
            "where response_id = '110028'"
        ).fetchall() == [("q3-2026", "hotline", 5, dt.datetime(2026, 9, 30))]


def test_one_table_of_a_mapping_and_scores_outside_the_scale(ws: Workspace, tmp_path: Path) -> None:
    m = parse_mapping(
        """
tables:
  responses:
    constants: {survey: s, touchpoint: support, responded_at: 2024-05-01}
  ratings:
    from_columns: {Speed: speed, Help: help}
    id: id
    scale: [1, 5]
"""
    )
    path = write(tmp_path / "s.csv", "id,Speed,Help\nr1,5,4\nr2,9,1\n")
    # ratings alone (responses are empty, so the reference is not checked yet): a score
    # outside the scale quarantines that one rating, not the whole source row
    [ratings] = import_mapped(ws, path, m, ["ratings"])
    assert (ratings.read, ratings.imported, ratings.quarantined) == (4, 3, 1)
    with ws.connect(read_only=True) as con:
        assert con.execute("select line, reason from quarantine").fetchall() == [
            (3, "speed: '9' is outside the scale 1–5")
        ]
    with pytest.raises(UsageError, match="no rules for table customers"):
        import_mapped(ws, path, m, ["customers"])


def test_mapped_rows_still_go_through_validation(ws: Workspace, tmp_path: Path, q: Query) -> None:
    m = parse_mapping(
        """
tables:
  responses:
    rename: {Score: nps, When: responded_at}
    constants: {survey: rel, touchpoint: support}
    derive:
      response_id: concat("r", line)
"""
    )
    path = write(tmp_path / "s.csv", "Score,When\n9,2024-01-01\n11,2024-01-01\n7,someday\n")
    [batch] = import_mapped(ws, path, m)
    assert (batch.read, batch.imported, batch.quarantined) == (3, 1, 2)
    rejected = q("select line, field, reason from quarantine order by line")
    assert rejected[0] == (3, "nps", "nps: '11' is out of range 0–10")
    assert rejected[1][:2] == (4, "responded_at")
    assert str(rejected[1][2]).startswith("responded_at: 'someday' is not a date")
    assert q("select response_id from responses") == [("r2",)]


def test_expression_errors_quarantine_the_row_with_the_column(
    ws: Workspace, tmp_path: Path, q: Query
) -> None:
    m = parse_mapping(
        """
let: {export_date: 2026-11-30}
tables:
  customers:
    derive: {signup_date: export_date - months(tenure)}
"""
    )
    path = write(tmp_path / "c.csv", "customer_id,tenure\nk1,3\nk2,three\nk3,2.5\n")
    [batch] = import_mapped(ws, path, m)
    assert (batch.read, batch.imported, batch.quarantined) == (3, 1, 2)
    assert [r[0] for r in q("select reason from quarantine order by line")] == [
        "signup_date: 'three' is not a number",
        "signup_date: months() needs a whole number, not '2.5'",
    ]


def test_a_column_the_mapping_names_must_exist(ws: Workspace, tmp_path: Path) -> None:
    m = parse_mapping("tables:\n  customers:\n    derive: {signup_date: date(Joined)}\n")
    path = write(tmp_path / "c.csv", "customer_id,joined_on\nk1,2024-01-01\n")
    with pytest.raises(InputError, match="column 'Joined' named in mapping m"):
        import_mapped(ws, path, m)
    m = parse_mapping("tables:\n  customers:\n    constants: {segment: smb}\n")
    with pytest.raises(InputError, match="required column `signup_date` of table `customers`"):
        import_mapped(ws, path, m)


def test_headers_match_case_and_punctuation_insensitively(ws: Workspace, tmp_path: Path) -> None:
    m = parse_mapping(
        "tables:\n  customers:\n    rename: {customer id: customer_id}\n"
        '    derive:\n      signup_date: date(col("Joined On"), "%d/%m/%Y")\n'
    )
    path = write(tmp_path / "c.csv", "Customer-ID,joined_on\nk1,31/01/2024\n")
    [batch] = import_mapped(ws, path, m)
    assert batch.imported == 1


def test_check_is_a_dry_run(ws: Workspace, tmp_path: Path, q: Query) -> None:
    m = parse_mapping(
        "tables:\n  customers:\n    rename: {Kd: customer_id, Since: signup_date}\n"
        '    date_formats: {signup_date: "%m/%d/%Y"}\n'
    )
    before = q("select count(*) from import_batches")
    [batch] = check_mapped(ws, write(tmp_path / "crm.csv", EXPORT), m)
    assert (batch.read, batch.imported, batch.quarantined) == (3, 2, 1)
    assert batch.examples[0]["line"] == 4
    assert q("select count(*) from import_batches") == before
    assert q("select count(*) from customers") == [(0,)]


def test_changing_the_mapping_or_the_charter_revalidates(ws: Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        "response_id,survey,touchpoint,responded_at\nr1,s,support,2024-01-01\nr2,s,moon,2024-01-01\n",
    )
    first = import_file(ws, "responses", path)
    assert (first.imported, first.quarantined) == (1, 1)
    assert import_file(ws, "responses", path).status == "unchanged"
    # fix the quarantined row in the charter: an alias for 'moon'
    charter = ws.charter_path.read_text("utf-8")
    fixed = charter.replace("  touchpoint: {", "  touchpoint: {moon: support, ", 1)
    assert fixed != charter
    ws.charter_path.write_text(fixed, "utf-8")
    again = import_file(ws, "responses", path)
    assert (again.status, again.imported, again.quarantined) == ("ok", 2, 0)
    m1 = parse_mapping("tables:\n  responses:\n    constants: {survey: a}\n")
    m2 = parse_mapping("tables:\n  responses:\n    constants: {survey: b}\n")
    assert import_mapped(ws, path, m1)[0].status == "ok"
    assert import_mapped(ws, path, m1)[0].status == "unchanged"
    assert import_mapped(ws, path, m2)[0].status == "ok"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("tables:\n  customer:\n    rename: {}\n", "m.yaml:2 tables.customer: unknown table"),
        (
            "tables:\n  customers:\n    rename:\n      Kd: client\n",
            "m.yaml:4 tables.customers.rename.Kd: `client` is not a column of customers",
        ),
        (
            "tables:\n  customers:\n\n    derive:\n      signup_date: __import__('os')\n",
            "m.yaml:5 tables.customers.derive.signup_date: unknown function __import__()",
        ),
        (
            "tables:\n  customers:\n    derive:\n      signup_date: tenure.real\n",
            "m.yaml:4 tables.customers.derive.signup_date: 'tenure.real' is not allowed",
        ),
        (
            "tables:\n  ratings:\n    from_columns: {A: a}\n    id: id\n    scale: [5, 1]\n",
            "m.yaml:5 tables.ratings.scale: must be [lowest, highest]",
        ),
        (
            "tables:\n  customers:\n    renames: {}\n",
            "m.yaml:3 tables.customers.renames: unknown key",
        ),
        ("let: [1]\ntables: {customers: {}}\n", "m.yaml:1 let: must be a mapping"),
        ("tables:\n  customers: {rename: {a: b}\n", "m.yaml:3: invalid YAML"),
    ],
)
def test_errors_name_the_line_and_the_key(text: str, where: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_mapping(text, name="m", source="m.yaml")
    assert exc.value.message.startswith(where), exc.value.message


def test_mappings_are_found_by_name_in_the_workspace(ws: Workspace) -> None:
    folder = ws.root / "mappings"
    folder.mkdir()
    (folder / "crm.yaml").write_text("tables:\n  customers: {}\n", "utf-8")
    assert load_mapping(ws.root, "crm").name == "crm"
    with pytest.raises(InputError) as exc:
        load_mapping(ws.root, "nope")
    assert exc.value.hint == "mappings in this workspace: crm"
