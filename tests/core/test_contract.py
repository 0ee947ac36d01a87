from pathlib import Path

import pytest

from cxo.core.contract import TABLES, get_table, header_map, normalise_header
from cxo.errors import UsageError
from cxo.report.contract_doc import render

ROOT = Path(__file__).resolve().parents[2]


def test_docs_match_the_declared_contract() -> None:
    assert (ROOT / "docs" / "data-contract.md").read_text("utf-8") == render()


def test_all_eight_tables_are_declared_with_their_keys() -> None:
    assert set(TABLES) == {
        "customers",
        "contracts",
        "price_list",
        "responses",
        "ratings",
        "cases",
        "sends",
        "sessions",
    }
    assert TABLES["price_list"].key == ("product", "valid_from")
    assert TABLES["ratings"].key == ("response_id", "attribute")


@pytest.mark.parametrize(
    ("table", "header", "canonical"),
    [
        ("customers", "Kundennummer", "customer_id"),
        ("customers", " Kunden-Nr. ", "customer_id"),
        ("responses", "Datum", "responded_at"),
        ("responses", "Weiterempfehlung", "nps"),
        ("price_list", "Gültig ab", "valid_from"),
        ("price_list", "gueltig ab", "valid_from"),
        ("responses", "NPS", "nps"),
    ],
)
def test_german_and_english_aliases_map_to_canonical_names(
    table: str, header: str, canonical: str
) -> None:
    assert header_map(table)[normalise_header(header)] == canonical


def test_aliases_are_unambiguous_within_a_table() -> None:
    for table in TABLES.values():
        seen: dict[str, str] = {}
        for col in table.columns:
            for alias in (col.name, *col.aliases):
                key = normalise_header(alias)
                assert seen.setdefault(key, col.name) == col.name, (table.name, alias)


def test_unknown_table_names_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="customers"):
        get_table("kunden")
