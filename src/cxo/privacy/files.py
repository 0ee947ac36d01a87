"""Erase one customer from the files of a workspace (Parquet, CSV, JSON, HTML, text).

* Parquet (source files, the published lake's partitions): rows whose id columns (``*_id``)
  hold one of the customer's ids are dropped; the customer id and e-mail addresses inside other
  text columns become ``[erased]``; the file is rewritten (zstd) and swapped in with a rename.
* Line files (``.csv``, ``.tsv``, ``.jsonl``, ``.ndjson``): lines naming one of the customer's
  ids or e-mail addresses are dropped.
* Other text (``.json``, ``.html``, ``.md``, ``.txt``, ``.yaml``, ``.xml`` …): the id, the
  e-mail addresses and the comment texts — raw, HTML- and JSON-escaped — become ``[erased]``.
* Anything else (a trained model): searched byte by byte; a file that holds a needle is
  reported as not erased (the caller says so and fails), never silently kept. Archives
  (``.tar.gz``, ``.zip`` …, e.g. a backup kept in the workspace) cannot be searched and are
  always reported.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxo.privacy.needles import ERASED, MIN_COMMENT, Needles

LINE_FILES = (".csv", ".tsv", ".jsonl", ".ndjson")
TEXT_FILES = (".json", ".html", ".htm", ".md", ".txt", ".yaml", ".yml", ".xml", ".toml", ".log")
COMPRESSED = (".gz", ".tgz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tar")
"""Archives (a backup kept in the workspace): their content cannot be searched, so they are
always reported as not erased."""


@dataclass(frozen=True)
class FileChange:
    """What erasure did to one file."""

    path: Path
    kind: str
    """``parquet``, ``lines``, ``text`` or ``unhandled``."""
    rows_removed: int = 0
    values_replaced: int = 0

    def to_dict(self, root: Path) -> dict[str, Any]:
        """JSON-ready dict with the path relative to ``root`` where possible."""
        try:
            shown = str(self.path.relative_to(root))
        except ValueError:
            shown = str(self.path)
        return {
            "path": shown,
            "kind": self.kind,
            "rows_removed": self.rows_removed,
            "values_replaced": self.values_replaced,
        }


def _swap(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".cxo-erase-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _replace_text(text: str, needles: Needles) -> tuple[str, int]:
    import html
    import json

    count = 0
    for comment in sorted(needles.comments, key=len, reverse=True):
        if len(comment) < MIN_COMMENT:
            continue
        forms = {
            comment,
            html.escape(comment),
            json.dumps(comment)[1:-1],
            json.dumps(comment, ensure_ascii=False)[1:-1],
        }
        for form in forms:
            hits = text.count(form)
            if hits:
                text = text.replace(form, ERASED)
                count += hits
    text, ids = needles.text_regex().subn(ERASED, text)  # after the comments that hold them
    return text, count + ids


def _lines(path: Path, text: str, needles: Needles) -> FileChange | None:
    ids = "|".join(
        re.escape(x) for x in sorted(needles.ids | needles.emails, key=len, reverse=True)
    )
    pattern = re.compile(f"(?<![0-9A-Za-z])(?:{ids})(?![0-9A-Za-z])", re.IGNORECASE)
    lines = text.splitlines(keepends=True)
    kept = [line for i, line in enumerate(lines) if i == 0 or not pattern.search(line)]
    removed = len(lines) - len(kept)
    rest, replaced = _replace_text("".join(kept), needles)
    if not removed and not replaced:
        return None
    _swap(path, rest.encode("utf-8"))
    return FileChange(path, "lines", removed, replaced)


def _text(path: Path, text: str, needles: Needles) -> FileChange | None:
    rest, replaced = _replace_text(text, needles)
    if not replaced:
        return None
    _swap(path, rest.encode("utf-8"))
    return FileChange(path, "text", 0, replaced)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parquet(path: Path, needles: Needles) -> FileChange | None:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        source = (
            f"read_parquet('{str(path).replace(chr(39), chr(39) * 2)}', hive_partitioning=false)"
        )
        columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        strings = [str(c[0]) for c in columns if str(c[1]) == "VARCHAR"]
        id_cols = [c for c in strings if c == "id" or c.endswith("_id")]
        text_cols = [c for c in strings if c not in id_cols]
        con.execute("CREATE TEMP TABLE _ids (id VARCHAR)")
        con.executemany("INSERT INTO _ids VALUES (?)", [[x] for x in sorted(needles.ids)])
        pattern = needles.id_pattern()
        keep = " AND ".join(
            f"({_quote(c)} IS NULL OR {_quote(c)} NOT IN (SELECT id FROM _ids))" for c in id_cols
        )
        where = f"WHERE {keep}" if keep else ""
        total = con.execute(f"SELECT count(*) FROM {source}").fetchone()
        kept_row = con.execute(f"SELECT count(*) FROM {source} {where}").fetchone()
        removed = int(total[0] if total else 0) - int(kept_row[0] if kept_row else 0)
        replaced = 0
        if text_cols:
            sums = ", ".join(
                f"coalesce(sum(CASE WHEN regexp_matches({_quote(c)}, $p) THEN 1 ELSE 0 END), 0)"
                for c in text_cols
            )
            row = con.execute(f"SELECT {sums} FROM {source} {where}", {"p": pattern}).fetchone()
            replaced = sum(int(v) for v in (row or ()))
        if not removed and not replaced:
            return None
        select = ", ".join(
            f"regexp_replace({_quote(c)}, $p, '\\1{ERASED}\\3', 'g') AS {_quote(c)}"
            if c in text_cols
            else _quote(c)
            for c in (str(col[0]) for col in columns)
        )
        fd, tmp = tempfile.mkstemp(prefix=".cxo-erase-", suffix=".parquet", dir=path.parent)
        os.close(fd)
        try:
            con.execute(
                f"COPY (SELECT {select} FROM {source} {where}) TO '{tmp}' "
                "(FORMAT parquet, COMPRESSION zstd)",
                {"p": pattern} if text_cols else None,
            )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return FileChange(path, "parquet", removed, replaced)
    finally:
        con.close()


def erase_file(path: Path, needles: Needles) -> FileChange | None:
    """Erase the customer from ``path``; ``None`` when the file holds nothing of theirs."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet(path, needles)
    if suffix in COMPRESSED:
        return FileChange(path, "unhandled")
    data = path.read_bytes()
    if not needles.found_in(data):
        return None
    if suffix in LINE_FILES + TEXT_FILES:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return FileChange(path, "unhandled")
        return _lines(path, text, needles) if suffix in LINE_FILES else _text(path, text, needles)
    return FileChange(path, "unhandled")


def remaining(path: Path, needles: Needles) -> list[str]:
    """The needles still in ``path`` (Parquet: the rows and values; other files: the bytes)."""
    if path.suffix.lower() in COMPRESSED:
        return ["(an archive: its content cannot be searched)"]
    if path.suffix.lower() == ".parquet":
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            literal = str(path).replace("'", "''")
            columns = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{literal}', hive_partitioning=false)"
            ).fetchall()
            strings = [str(c[0]) for c in columns if str(c[1]) == "VARCHAR"]
            if not strings:
                return []
            cond = " OR ".join(f"regexp_matches({_quote(c)}, $p)" for c in strings)
            row = con.execute(
                f"SELECT count(*) FROM read_parquet('{literal}', hive_partitioning=false) "
                f"WHERE {cond}",
                {"p": needles.id_pattern()},
            ).fetchone()
            return [needles.customer_id] if row and row[0] else []
        finally:
            con.close()
    return needles.found_in(path.read_bytes())
