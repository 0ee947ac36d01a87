"""Fuzzing the plain importer: every contract table, as CSV and as XLSX.

Files are generated from the data contract (random header spelling and order, optional
columns left out, delimiter, date style, decimal comma, hostile text). A valid file must
import completely (read = imported, nothing quarantined): the test fails when a valid file
is rejected. A corrupted file (cells broken in ways the contract forbids, keys repeated)
must quarantine exactly the broken rows, each with its line, field and reason, and import
the rest; a file that is not a table at all fails with a typed error naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxo
from cxo.core.contract import TABLES, Column, Table
from cxo.errors import CxoError
from tests.fuzz.support import FUZZ, check_fatal, check_quarantine

pytestmark = pytest.mark.slow

SAFE = "abcdefghijklmnopqrstuvwxyzABCXYZäöüßé0123456789 -_.,;'\"=+@/&<>"
DATE_STYLES = ("%Y-%m-%d", "%d.%m.%Y")
TIME_STYLES = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M")
BOOLEANS = ("true", "false", "yes", "no", "1", "0", "ja", "nein", "TRUE", "No")
Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass
class Style:
    """How one generated file writes its values."""

    delimiter: str
    date: str
    time: str
    comma: bool


@dataclass
class Planned:
    """A generated file: header, rows, and which lines must be quarantined (→ field)."""

    table: Table
    header: list[str]
    columns: list[Column]
    rows: list[list[str]]
    style: Style
    broken: dict[int, str] = field(default_factory=dict)
    """line → the field its reason must name."""

    def line(self, index: int) -> int:
        return index + 2

    def string_key(self) -> list[str]:
        return [k for k in self.table.key if self.table.column(k).type == "string"]

    def kept_keys(self) -> list[tuple[str, ...]]:
        keys = [self.columns.index(self.table.column(k)) for k in self.string_key()]
        return [
            tuple(row[k].strip() for k in keys)
            for i, row in enumerate(self.rows)
            if self.line(i) not in self.broken
        ]


def _text(draw: Draw) -> str:
    value: str = draw(st.text(alphabet=SAFE, min_size=1, max_size=12).filter(lambda s: s.strip()))
    return value


def valid_value(draw: Draw, col: Column, style: Style) -> str:
    """A value the contract accepts for ``col``."""
    if col.allowed:
        return str(draw(st.sampled_from(col.allowed)))
    if col.type == "string":
        return _text(draw)
    if col.type == "integer":
        lo = int(col.min) if col.min is not None else -1000
        hi = int(col.max) if col.max is not None else 100_000
        return str(draw(st.integers(lo, hi)))
    if col.type == "number":
        low = col.min if col.min is not None else -1e6
        value = draw(st.decimals(low, 1e6, places=2, allow_nan=False, allow_infinity=False))
        text = str(value)
        return text.replace(".", ",") if style.comma else text
    if col.type == "date":
        day = draw(st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)))
        return str(day.strftime(style.date))
    if col.type == "timestamp":
        at = draw(st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2090, 12, 31)))
        return str(at.strftime(style.time))
    return str(draw(st.sampled_from(BOOLEANS)))


def broken_value(draw: Draw, col: Column) -> str | None:
    """A value the contract rejects for ``col`` (None when every text would do)."""
    options: list[str] = []
    if col.required:
        options += ["", "   "]
    if col.allowed:
        options += ["klingon", "d e"]
    if col.type in ("integer", "number"):
        options += ["abc", "zwölf", "1.2.3", "--5"]
        if col.min is not None:
            options.append(str(int(col.min) - 1))
        if col.max is not None:
            options.append(str(int(col.max) + 1))
    if col.type in ("date", "timestamp"):
        options += ["31.02.2024", "2024-13-01", "1800-01-01", "morgen", "2101-01-01"]
    if col.type == "boolean":
        options += ["vielleicht", "2", "maybe"]
    return str(draw(st.sampled_from(options))) if options else None


def key_value(col: Column, i: int, prefix: str, style: Style) -> str:
    """The ``i``-th row's key value: unique within the file."""
    if col.type == "date":
        return (dt.date(2001, 1, 1) + dt.timedelta(days=i)).strftime(style.date)
    return f"{prefix}{col.name[:2]}{i}"


@st.composite
def planned(draw: Draw, table: str, *, corrupt: bool) -> Planned:
    spec = TABLES[table]
    style = Style(
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        date=draw(st.sampled_from(DATE_STYLES)),
        time=draw(st.sampled_from(TIME_STYLES)),
        comma=draw(st.booleans()),
    )
    if style.comma and style.delimiter == ",":
        style.delimiter = ";"
    optional = [c for c in spec.columns if not c.required and c.name not in spec.key]
    kept = draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    columns = [c for c in spec.columns if c.required or c.name in spec.key or c in kept]
    columns = draw(st.permutations(columns))
    header = [draw(st.sampled_from([c.name, c.name.upper(), *c.aliases[:3]])) for c in columns]
    n = draw(st.integers(1, 25))
    prefix = draw(st.text(alphabet="abcXYZ09-_", max_size=4))
    rows: list[list[str]] = []
    for i in range(n):
        row = []
        for col in columns:
            if col.name in spec.key:
                row.append(key_value(col, i, prefix, style))
            elif not col.required and draw(st.integers(0, 4)) == 0:
                row.append("")
            else:
                row.append(valid_value(draw, col, style))
        rows.append(row)
    plan = Planned(spec, header, list(columns), rows, style)
    if corrupt:
        _corrupt(draw, plan)
    return plan


def _corrupt(draw: Draw, plan: Planned) -> None:
    """Break some rows, one cell each (or repeat an earlier valid row's key)."""
    n = len(plan.rows)
    targets = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    for i in sorted(targets):
        choices = [c for c in plan.columns if broken_value(draw, c) is not None]
        col = draw(st.sampled_from(choices))
        bad = broken_value(draw, col)
        assert bad is not None
        plan.rows[i][plan.columns.index(col)] = bad
        plan.broken[plan.line(i)] = col.name
    clean = [i for i in range(n) if plan.line(i) not in plan.broken]
    if len(clean) >= 2 and draw(st.booleans()):
        first, later = sorted(
            draw(st.lists(st.sampled_from(clean), min_size=2, max_size=2, unique=True))
        )
        for k in plan.table.key:
            at = plan.columns.index(plan.table.column(k))
            plan.rows[later][at] = plan.rows[first][at]
        plan.broken[plan.line(later)] = plan.table.key[0]


def write_csv(plan: Planned, path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=plan.style.delimiter, lineterminator="\r\n")
    writer.writerow(plan.header)
    writer.writerows(plan.rows)
    path.write_text(buf.getvalue(), "utf-8")


def write_xlsx(plan: Planned, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(plan.header)
    for r, row in enumerate(plan.rows, start=2):
        for c, value in enumerate(row, start=1):
            if value != "":
                cell = sheet.cell(row=r, column=c, value=value)
                cell.data_type = "s"  # text, even when it starts with "=" like a formula
    wb.save(path)


def check(plan: Planned, writer: Callable[[Planned, Path], None], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{plan.table.name}{suffix}"
        writer(plan, path)
        res = cxo.read(path, table=plan.table.name)
    rec = res.reconciliation
    quarantine = res.quarantine.to_pylist()
    assert rec.holds, rec
    assert rec.read == len(plan.rows), (rec, quarantine[:3])
    check_quarantine(quarantine)
    got = {q["line"]: q for q in quarantine}
    assert set(got) == set(plan.broken), (plan.broken, quarantine[:5])
    for line, name in plan.broken.items():
        assert got[line]["field"] == name, (got[line], name)
    assert rec.imported == res.table.num_rows == len(plan.rows) - len(plan.broken)
    keys = [tuple(str(r[k]) for k in plan.string_key()) for r in res.table.to_pylist()]
    assert keys == plan.kept_keys()


CONTRACT = sorted(TABLES)


@FUZZ
@pytest.mark.parametrize("table", CONTRACT)
@given(data=st.data())
def test_a_valid_csv_imports_completely(table: str, data: st.DataObject) -> None:
    check(data.draw(planned(table, corrupt=False)), write_csv, ".csv")


@FUZZ
@pytest.mark.parametrize("table", CONTRACT)
@given(data=st.data())
def test_a_corrupted_csv_quarantines_exactly_the_broken_rows(
    table: str, data: st.DataObject
) -> None:
    check(data.draw(planned(table, corrupt=True)), write_csv, ".csv")


@FUZZ
@pytest.mark.parametrize("table", CONTRACT)
@given(data=st.data(), corrupt=st.booleans())
def test_xlsx_valid_and_corrupted(table: str, data: st.DataObject, corrupt: bool) -> None:
    check(data.draw(planned(table, corrupt=corrupt)), write_xlsx, ".xlsx")


@FUZZ
@given(
    data=st.binary(max_size=400),
    suffix=st.sampled_from([".csv", ".xlsx", ".tsv", ".jsonl", ".parquet"]),
)
def test_a_file_that_is_no_table_fails_naming_the_file(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"garbage{suffix}"
        path.write_bytes(data)
        try:
            res = cxo.read(path, table="responses")
        except CxoError as exc:
            check_fatal(exc, path)
            return
        except Exception as exc:
            pytest.fail(f"{suffix} {data[:60]!r}: {exc!r}")
    assert res.reconciliation.holds
    check_quarantine(res.quarantine.to_pylist())


def test_a_first_line_csv_cannot_read_fails_naming_the_file(tmp_path: Path) -> None:
    """Found by the fuzzer: a stray carriage return in the first line crashed the survey
    platform sniffer (IndexError) instead of giving an answer."""
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"C\xcc\x17\xe5Y\xd8\xdcr\r\xf1m6\xb26\xe3\xb8\xa9")
    try:
        res = cxo.read(path, table="responses")
    except CxoError as exc:
        check_fatal(exc, path)
        return
    assert res.reconciliation.holds
