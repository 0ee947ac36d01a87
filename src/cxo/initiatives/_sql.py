"""Named parameters for the initiatives' SQL, on either engine.

The measurement's SQL names its parameters (``$launch``, ``$treated``) so that one predicate can
appear twice in a statement; :class:`cxo.engine.sql.SparkRunner` binds positional ``?`` only.
:func:`bind` turns the names into ``?`` in order of appearance, a list into ``?, ?, …`` (write
``in ($treated)``), so the same text runs on a DuckDB connection and on Spark.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cxo.errors import UsageError

if TYPE_CHECKING:
    from cxo.engine.sql import Cursor, Runner

_NAME = re.compile(r"\$([A-Za-z_]\w*)")


def bind(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` with every ``$name`` as ``?`` (a list or tuple as ``?, ?, …``) and the values in
    order.

    >>> bind("select $a, x in ($b), $a", {"a": 1, "b": ["p", "q"]})
    ('select ?, x in (?, ?), ?', [1, 'p', 'q', 1])
    """
    values: list[Any] = []

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise UsageError(f"SQL parameter ${name} is not given")
        value = params[name]
        if isinstance(value, list | tuple):
            if not value:
                raise UsageError(f"SQL parameter ${name} is an empty list")
            values.extend(value)
            return ", ".join("?" * len(value))
        values.append(value)
        return "?"

    return _NAME.sub(one, sql), values


def run(con: Runner, sql: str, params: Mapping[str, Any] | None = None) -> Cursor:
    """Execute ``sql`` with named parameters (see :func:`bind`)."""
    text, values = bind(sql, params or {})
    return con.execute(text, values)


@contextlib.contextmanager
def one_thread(con: Runner) -> Iterator[None]:
    """On DuckDB, run the enclosed statements on one thread: the clustered variances add
    floating-point products per customer, and a parallel sum's last digits depend on the order
    the threads finish — the same measurement twice must give the same numbers. On Spark
    nothing changes (a plan adds its partitions in a fixed order)."""
    from cxo.engine.sql import SparkRunner

    if isinstance(con, SparkRunner):
        yield
        return
    row = con.execute("select current_setting('threads')").fetchone()
    threads = int(row[0]) if row else 1
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {threads}")


__all__ = ["bind", "one_thread", "run"]
