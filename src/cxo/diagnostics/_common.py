"""Shared pieces of the four diagnostics: data checks and owners.

Every diagnostic reads the contract tables through a :class:`~cxo.engine.sql.Runner` (the
workspace DuckDB, or Spark over the published lake), aggregates there (SQL),
and does its statistics on the aggregates with :mod:`cxo.stats`. The result object
(:class:`~cxo.diagnostics.result.DiagnosticResult`) is the same for all four: headline
findings, tables, the owner of the touchpoint from the charter, and the assumptions the
figures rest on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo.errors import MissingDataError
from cxo.stats import ProportionEstimate, proportion

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

IMPORT_HINT = "cxo import {table} FILE"


# --- data checks -----------------------------------------------------------------------
def table_columns(con: Runner, table: str) -> set[str]:
    """Columns of ``table`` in the workspace database (empty set if the table is absent)."""
    from cxo.engine.sql import table_columns as columns

    return columns(con, table)


def require(
    con: Runner,
    diagnostic: str,
    table: str,
    columns: tuple[str, ...] = (),
    *,
    non_null: tuple[str, ...] = (),
) -> int:
    """Check that ``table`` exists, holds rows and has ``columns``; return its row count.

    ``non_null`` columns must hold at least one value (optional contract columns are created
    empty by the schema, so presence alone says nothing). Raises :class:`MissingDataError`
    naming the diagnostic, what it needs and the import that provides it.
    """
    hint = f"import it with `{IMPORT_HINT.format(table=table)}`"
    have = table_columns(con, table)
    if not have:
        raise MissingDataError(
            f"the {diagnostic} diagnostic needs table `{table}`, which the workspace lacks",
            hint=hint,
        )
    missing = [c for c in columns if c not in have]
    if missing:
        raise MissingDataError(
            f"the {diagnostic} diagnostic needs column(s) {', '.join(f'`{c}`' for c in missing)} "
            f"of table `{table}`",
            hint=hint,
        )
    row = con.execute(f'select count(*) from "{table}"').fetchone()
    n = int(row[0]) if row else 0
    if n == 0:
        raise MissingDataError(
            f"the {diagnostic} diagnostic needs table `{table}`, which is empty", hint=hint
        )
    for col in non_null:
        row = con.execute(f'select count("{col}") from "{table}"').fetchone()
        if not row or int(row[0]) == 0:
            raise MissingDataError(
                f"the {diagnostic} diagnostic needs values in column `{col}` of table "
                f"`{table}`, which is empty in every row",
                hint=hint,
            )
    return n


def has_values(con: Runner, table: str, column: str) -> bool:
    """Whether ``table.column`` exists and holds at least one non-null value."""
    if column not in table_columns(con, table):
        return False
    row = con.execute(f'select count("{column}") from "{table}"').fetchone()
    return bool(row and row[0])


UI = ("en", "de")
"""The languages of the report."""


def first_owner(charter: Charter, candidates: tuple[str, ...]) -> dict[str, str | None]:
    """Owner of the first touchpoint in ``candidates`` the charter defines."""
    keys = charter.keys("touchpoint")
    for tp in candidates:
        if tp in keys:
            # the touchpoint's label in both languages: the report names it, not its key
            labels = {f"touchpoint_{lang}": charter.label("touchpoint", tp, lang) for lang in UI}
            return {**charter.owner_of(tp), **labels}
    return {"touchpoint": None, "department": None, "accountable": None}


def share(successes: float, n: float) -> ProportionEstimate:
    """Share ``successes / n`` of two counts with its Wilson interval (NaN when n is 0)."""
    return proportion(int(successes), int(n))
