"""The assessment's SQL is written for both engines (no JVM: every statement it runs on DuckDB
is transpiled to Spark SQL with sqlglot and checked for DuckDB-only constructs).

``tests/spark/test_assessment.py`` runs it on Spark for real; this guard is in the quick lane.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from cxo.assess import assess
from cxo.engine.sql import to_spark
from tests.assess.test_assess import build

DUCKDB_ONLY = {
    "group by all": r"group\s+by\s+all\b",
    "rowid": r"\browid\b",
    "* exclude": r"\bexclude\s*\(",
    "any_value": r"\bany_value\s*\(",
    "datediff('month')": r"datediff\s*\(\s*'month'",
    "duckdb_tables()": r"\bduckdb_\w+\s*\(",
    "asof join": r"\basof\s+join\b",
    "information_schema": r"\binformation_schema\b",
}
"""Constructs that mean something else, or nothing, on Spark (see :mod:`cxo.engine.sql`)."""

ON_DUCKDB_ONLY = (
    "select table_name from information_schema",  # table_names(): the lake's list on Spark
    "select column_name from information_schema",  # table_columns(): the lake's schema
    "select estimated_size from duckdb_tables()",  # the memory limit: a DuckDB setting
)
"""Statements of DuckDB-only branches (Spark takes another path for them)."""


class Recorder:
    """A DuckDB connection that notes every statement (the :class:`Runner` interface only,
    plus what :func:`cxo.engine.sql.temp_table` uses on DuckDB)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.statements: list[tuple[str, Any]] = []

    def execute(self, query: str, parameters: object = None) -> Any:
        self.statements.append((query, parameters))
        return self.con.execute(query, parameters)

    def register(self, name: str, data: Any) -> None:
        self.con.register(name, data)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)


@pytest.mark.slow  # a whole assessment (~30 s here, the key drivers most of it)
def test_every_statement_of_the_assessment_transpiles_to_spark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = build(tmp_path / "ws", n=1500)
    module = sys.modules["cxo.assess"]
    real = module._analyse
    recorders: list[Recorder] = []

    def recording(con: Any, *args: Any, **kwargs: Any) -> Any:
        recorders.append(Recorder(con))
        return real(recorders[-1], *args, **kwargs)

    monkeypatch.setattr(module, "_analyse", recording)
    result = assess(ws, n_boot=5)
    assert result.pains, "the check must cover the pains' SQL"
    assert result.linkage is not None
    assert result.trend is not None
    (recorder,) = recorders
    checked = 0
    for query, parameters in recorder.statements:
        text = " ".join(query.split()).lower()
        if text.startswith(ON_DUCKDB_ONLY) or text.startswith("set "):
            continue
        for name, pattern in DUCKDB_ONLY.items():
            assert not re.search(pattern, text), f"{name} in: {text[:200]}"
        params = parameters if isinstance(parameters, list | tuple) else ()
        assert to_spark(query, params)
        checked += 1
    assert checked >= 20, "the assessment's statements must pass through the runner"
