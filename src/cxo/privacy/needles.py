"""What identifies one customer in the data (their ids, e-mail addresses, comments) and where
files that may hold it live.

:class:`Needles` is collected from the analytical tables before an erasure or an export: the
customer id, the keys of every row that belongs to them (responses, contracts, cases, sends,
sessions), the e-mail addresses found in their comments and rejected raw rows (plus those the
caller names) and their comment texts. :func:`workspace_files` lists every file under the
workspace — and the published Parquet lake when it lives elsewhere — except the two databases,
which are handled table by table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.contract import TABLES

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
WORD = "0-9A-Za-z"
"""Characters that continue an id: ``C0000123`` is not found inside ``C00001234``."""
MIN_COMMENT = 12
"""Comment texts shorter than this are too common to look for outside the customer's rows."""
ERASED = "[erased]"

OWNED_KEYS: dict[str, str] = {
    t.name: t.key[0]
    for t in TABLES.values()
    if "customer_id" in t.column_names and len(t.key) == 1 and t.key[0] != "customer_id"
}
"""Contract tables with rows of one customer and their key column (responses → response_id)."""

DATABASE_FILES = ("cxo.duckdb", "cxo.duckdb.wal", "app.db", "app.db-journal", "app.db-wal")
"""Files of ``data/`` handled as databases, not as files."""
SKIPPED = ("import.lock", "app.db-shm")


@dataclass
class Needles:
    """Everything that identifies one customer."""

    customer_id: str
    owned: dict[str, set[str]] = field(default_factory=dict)
    """Key column → the keys of the customer's rows (``response_id`` → {...})."""
    emails: set[str] = field(default_factory=set)
    comments: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        """The customer id and the keys of all their rows."""
        out = {self.customer_id}
        for keys in self.owned.values():
            out |= keys
        return out

    @property
    def identifiers(self) -> list[str]:
        """What is searched for inside text (id and e-mail addresses), longest first."""
        return sorted({self.customer_id, *self.emails}, key=len, reverse=True)

    def id_pattern(self) -> str:
        """An RE2/Python pattern: the id or an e-mail address as a whole word (group 2)."""
        alternatives = "|".join(re.escape(x) for x in self.identifiers)
        return f"(^|[^{WORD}])({alternatives})($|[^{WORD}])"

    def text_regex(self) -> re.Pattern[str]:
        """:meth:`id_pattern` compiled for Python (case-insensitive for e-mail addresses)."""
        alternatives = "|".join(re.escape(x) for x in self.identifiers)
        return re.compile(f"(?<![{WORD}])(?:{alternatives})(?![{WORD}])", re.IGNORECASE)

    def byte_patterns(self) -> list[bytes]:
        """Every needle as UTF-8 and in the escaped forms JSON and HTML write."""
        import html
        import json

        out: set[bytes] = set()
        for value in [*self.identifiers, *(c for c in self.comments if len(c) >= MIN_COMMENT)]:
            for form in (value, html.escape(value), json.dumps(value)[1:-1]):
                out.add(form.encode("utf-8"))
            out.add(json.dumps(value, ensure_ascii=False)[1:-1].encode("utf-8"))
        return sorted(out, key=len, reverse=True)

    def found_in(self, data: bytes) -> list[str]:
        """The needles ``data`` contains (ids and e-mails as whole words; comment texts)."""
        hits: list[str] = []
        lowered = data.lower()
        for needle in self.byte_patterns():
            start = 0
            probe = needle.lower()
            while (at := lowered.find(probe, start)) >= 0:
                before = data[at - 1 : at]
                after = data[at + len(needle) : at + len(needle) + 1]
                if not (_word(before) or _word(after)) or len(needle) >= MIN_COMMENT:
                    hits.append(needle.decode("utf-8", "replace"))
                    break
                start = at + 1
        return hits

    def to_dict(self) -> dict[str, Any]:
        """How much was found (never the values: this goes into the audit log)."""
        return {
            "owned": {k: len(v) for k, v in sorted(self.owned.items())},
            "emails": len(self.emails),
            "comments": len(self.comments),
        }


def _word(byte: bytes) -> bool:
    return bool(byte) and (byte.isalnum())


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    }


def collect(
    con: duckdb.DuckDBPyConnection, customer_id: str, emails: Iterable[str] = ()
) -> Needles:
    """The needles of ``customer_id`` from the analytical tables on ``con``."""
    found = Needles(customer_id, emails={e.strip() for e in emails if e.strip()})
    present = _tables(con)
    for table, key in OWNED_KEYS.items():
        if table in present:
            rows = con.execute(
                f'SELECT "{key}" FROM "{table}" WHERE customer_id = ?', [customer_id]
            ).fetchall()
            found.owned.setdefault(key, set()).update(str(r[0]) for r in rows)
    if "responses" in present:
        texts = con.execute(
            "SELECT comment FROM responses WHERE customer_id = ? AND comment IS NOT NULL",
            [customer_id],
        ).fetchall()
        found.comments.update(str(r[0]) for r in texts if str(r[0]).strip())
    sources = list(found.comments)
    if "quarantine" in present:
        pattern = f"(^|[^{WORD}]){re.escape(customer_id)}($|[^{WORD}])"
        raws = con.execute(
            "SELECT raw FROM quarantine WHERE regexp_matches(raw, ?)", [pattern]
        ).fetchall()
        sources += [str(r[0]) for r in raws if r[0] is not None]
    for text in sources:
        found.emails.update(EMAIL.findall(text))
    return found


def lake_root(ws: Workspace) -> Path | None:
    """The published Parquet lake (``cxo publish``, ``[lake] path``), if the workspace has one."""
    configured = getattr(ws.settings, "lake_path", None)
    path = Path(configured) if configured else Path("lake")
    if not path.is_absolute():
        path = ws.root / path
    return path if path.exists() else None


def workspace_files(ws: Workspace) -> Iterator[Path]:
    """Every regular file under the workspace and the lake, except the databases in ``data/``."""
    roots = [ws.root]
    lake = lake_root(ws)
    if lake is not None and not lake.resolve().is_relative_to(ws.root):
        roots.append(lake)
    data = ws.data_dir.resolve()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            if path.parent.resolve() == data and path.name in (*DATABASE_FILES, *SKIPPED):
                continue
            yield path
