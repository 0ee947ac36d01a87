"""Mapping files: how the columns of someone else's export become contract tables, as data.

A mapping lives in the workspace as ``mappings/NAME.yaml`` (versioned like any file) and is
used by ``cxo import TABLE FILE --map NAME``. Example (a telco CRM export)::

    let:                        # named values for expressions
      export_date: 2026-11-30
    tables:
      customers:
        rename:                 # source header: contract column
          customerID: customer_id
        constants:              # contract column: fixed value
          lifecycle_stage: active
        values:                 # contract column: {source value: contract value}
          segment: {Month-to-month: flex, One year: annual, Two year: annual}
        date_formats:           # contract column: strptime format of the source text
          signup_date: "%m/%d/%Y"
        derive:                 # contract column: expression (cxo.ingest.mapping_expr)
          signup_date: export_date - months(tenure)
          churn_date: if(Churn == "Yes", export_date, null)
      ratings:                  # wide → long: one rating column per aspect
        from_columns: {"Seat comfort": seat_comfort, Food: food}
        id: id                  # expression giving the response id of each row
        scale: [0, 5]

Source headers the mapping does not name still reach the contract by the usual header
aliases. Every mapped row then goes through the ordinary validation; rejected rows go to
the quarantine. Errors in the file name its line and key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cxo.core.contract import TABLES, get_table
from cxo.errors import InputError
from cxo.ingest.mapping_expr import Expression, ExpressionError, parse_expression

__all__ = [
    "MAPPINGS_DIR",
    "Mapping",
    "TableMap",
    "Wide",
    "find_mapping",
    "load_mapping",
    "parse_mapping",
    "table_order",
]

MAPPINGS_DIR = "mappings"
TABLE_KEYS = ("rename", "constants", "values", "date_formats", "derive")
WIDE_KEYS = ("from_columns", "id", "scale", "values")
WIDE_COLUMNS = ("response_id", "attribute", "score", "scale_min", "scale_max")


@dataclass(frozen=True)
class Wide:
    """Wide → long: one source column per rated aspect becomes one row per aspect."""

    columns: dict[str, str]
    """source header → attribute name"""
    id: Expression
    scale: tuple[float, float]


@dataclass(frozen=True)
class TableMap:
    """How one contract table is filled from the source."""

    table: str
    rename: dict[str, str] = field(default_factory=dict)
    """contract column → source header"""
    constants: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    derive: dict[str, Expression] = field(default_factory=dict)
    wide: Wide | None = None

    def source_names(self) -> set[str]:
        """Every source header or expression name this table reads."""
        names = set(self.rename.values())
        for expr in self.derive.values():
            names |= expr.names
        if self.wide is not None:
            names |= set(self.wide.columns) | self.wide.id.names
        return names


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    name: str
    source: str
    """Where it was read from (shown in errors)."""
    let: dict[str, Any]
    tables: dict[str, TableMap]
    text: str

    def fingerprint(self, table: str) -> str:
        """A short hash of what the mapping does for ``table`` (part of an import's identity)."""
        tmap = self.tables[table]
        data = {
            "let": self.let,
            "table": table,
            "rename": tmap.rename,
            "constants": tmap.constants,
            "values": tmap.values,
            "date_formats": tmap.date_formats,
            "derive": {k: e.text for k, e in tmap.derive.items()},
            "wide": None
            if tmap.wide is None
            else [tmap.wide.columns, tmap.wide.id.text, list(tmap.wide.scale)],
        }
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


class _Located:
    """Line numbers of keys in the YAML text."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        try:
            self.node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError):
            self.node = None

    def error(self, path: tuple[str | int, ...], problem: str) -> InputError:
        line = self._line(path)
        where = ".".join(str(p) for p in path) or "(root)"
        return InputError(
            f"{self.source}:{line} {where}: {problem}",
            hint="see docs/import.md for the keys a mapping file takes",
        )

    def _line(self, path: tuple[str | int, ...]) -> int:
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for part in path:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if str(k.value) == str(part)), None)
                if nxt is not None:
                    key = next(k for k, v in node.value if v is nxt)
                    line = key.start_mark.line + 1
            if nxt is None:
                break
            node = nxt
        return line


def parse_mapping(text: str, *, name: str = "mapping", source: str = "mapping.yaml") -> Mapping:
    """Parse and check mapping YAML; errors name ``source:line`` and the key."""
    loc = _Located(text, source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or exc
        raise InputError(f"{source}:{line}: invalid YAML: {problem}") from None
    except RecursionError:
        raise InputError(f"{source}:1: invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise loc.error((), "a mapping file is a YAML mapping with `tables:` (and `let:`)")
    unknown = sorted(set(map(str, data)) - {"let", "tables", "version"})
    if unknown:
        raise loc.error((unknown[0],), "unknown key; a mapping has `let:` and `tables:`")
    let = data.get("let") or {}
    if not isinstance(let, dict):
        raise loc.error(("let",), "must be a mapping of name: value")
    tables_raw = data.get("tables")
    if not isinstance(tables_raw, dict) or not tables_raw:
        raise loc.error(("tables",), "must map contract tables (customers, responses, …)")
    tables: dict[str, TableMap] = {}
    for table, body in tables_raw.items():
        if str(table) not in TABLES:
            raise loc.error(
                ("tables", str(table)),
                f"unknown table; the data contract has: {', '.join(TABLES)}",
            )
        tables[str(table)] = _table_map(str(table), body, loc)
    return Mapping(name=name, source=source, let={str(k): v for k, v in let.items()},
                   tables=tables, text=text)  # fmt: skip


def _table_map(table: str, body: Any, loc: _Located) -> TableMap:
    where: tuple[str, ...] = ("tables", table)
    if body is None:
        return TableMap(table)
    if not isinstance(body, dict):
        raise loc.error(where, "must be a mapping (rename:, constants:, values:, derive:, …)")
    if "from_columns" in body:
        return _wide_map(table, body, loc)
    unknown = sorted(set(map(str, body)) - set(TABLE_KEYS))
    if unknown:
        raise loc.error((*where, unknown[0]), f"unknown key; allowed: {', '.join(TABLE_KEYS)}")
    columns = set(get_table(table).column_names)
    sections: dict[str, dict[str, Any]] = {}
    for key in TABLE_KEYS:
        raw = body.get(key) or {}
        if not isinstance(raw, dict):
            raise loc.error((*where, key), "must be a mapping")
        sections[key] = {str(k): v for k, v in raw.items()}
    rename: dict[str, str] = {}
    for src, target in sections["rename"].items():
        if str(target) not in columns:
            raise loc.error((*where, "rename", src), _not_a_column(table, str(target)))
        if str(target) in rename:
            raise loc.error((*where, "rename", src), f"{target} is already renamed from "
                            f"{rename[str(target)]!r}")  # fmt: skip
        rename[str(target)] = src
    for key in ("constants", "values", "date_formats", "derive"):
        for col in sections[key]:
            if col not in columns:
                raise loc.error((*where, key, col), _not_a_column(table, col))
    values: dict[str, dict[str, Any]] = {}
    for col, vmap in sections["values"].items():
        if not isinstance(vmap, dict):
            raise loc.error((*where, "values", col), "must map source values to contract values")
        values[col] = {_key_text(k): v for k, v in vmap.items()}
    derive: dict[str, Expression] = {}
    for col, text in sections["derive"].items():
        try:
            derive[col] = parse_expression(str(text))
        except ExpressionError as exc:
            raise loc.error((*where, "derive", col), str(exc)) from None
    return TableMap(
        table,
        rename=rename,
        constants=sections["constants"],
        values=values,
        date_formats={k: str(v) for k, v in sections["date_formats"].items()},
        derive=derive,
    )


def _wide_map(table: str, body: dict[Any, Any], loc: _Located) -> TableMap:
    where: tuple[str, ...] = ("tables", table)
    if table != "ratings":
        raise loc.error((*where, "from_columns"), "wide → long (from_columns) fills `ratings`")
    unknown = sorted(set(map(str, body)) - set(WIDE_KEYS))
    if unknown:
        raise loc.error((*where, unknown[0]), f"unknown key; allowed: {', '.join(WIDE_KEYS)}")
    cols = body.get("from_columns")
    if isinstance(cols, list):
        cols = {str(c): str(c) for c in cols}
    if not isinstance(cols, dict) or not cols:
        raise loc.error((*where, "from_columns"), 'must map source headers to attributes, e.g. '
                        '{"Seat comfort": seat_comfort}')  # fmt: skip
    if "id" not in body:
        raise loc.error(where, "`id:` is missing: the expression or column giving the response id")
    try:
        ident = parse_expression(str(body["id"]))
    except ExpressionError as exc:
        raise loc.error((*where, "id"), str(exc)) from None
    scale = body.get("scale")
    if (
        not isinstance(scale, list)
        or len(scale) != 2
        or not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scale)
        or scale[0] >= scale[1]
    ):
        raise loc.error((*where, "scale"), "must be [lowest, highest], e.g. [1, 5]")
    values: dict[str, dict[str, Any]] = {}
    raw_values = body.get("values") or {}
    if not isinstance(raw_values, dict) or set(map(str, raw_values)) - {"score"}:
        raise loc.error((*where, "values"), "wide ratings take `values: {score: {...}}` only")
    if raw_values.get("score") is not None:
        if not isinstance(raw_values["score"], dict):
            raise loc.error((*where, "values", "score"), "must map source values to scores")
        values["score"] = {_key_text(k): v for k, v in raw_values["score"].items()}
    wide = Wide({str(k): str(v) for k, v in cols.items()}, ident, (scale[0], scale[1]))
    return TableMap(table, values=values, wide=wide)


def _key_text(key: Any) -> str:
    """A value-map key as the text a file holds (YAML reads ``Yes`` as text, ``1`` as int)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, dt.date):
        return key.isoformat()
    return str(key)


def _not_a_column(table: str, name: str) -> str:
    return (
        f"`{name}` is not a column of {table}; columns: {', '.join(get_table(table).column_names)}"
    )


def find_mapping(workspace_root: Path | None, name: str) -> Path:
    """The file of mapping ``name``: a path, or ``mappings/NAME.yaml`` in the workspace."""
    as_path = Path(name)
    if as_path.is_file():
        return as_path
    if workspace_root is not None:
        folder = workspace_root / MAPPINGS_DIR
        for candidate in (folder / name, folder / f"{name}.yaml", folder / f"{name}.yml"):
            if candidate.is_file():
                return candidate
        known = sorted(p.stem for p in folder.glob("*.y*ml")) if folder.is_dir() else []
        hint = (
            f"mappings in this workspace: {', '.join(known)}"
            if known
            else "propose one with: cxo map suggest TABLE FILE --out NAME"
        )
        raise InputError(f"mapping {name!r} not found (looked in {folder})", hint=hint)
    raise InputError(f"mapping file {name!r} not found")


def load_mapping(workspace_root: Path | None, name: str) -> Mapping:
    """Find and parse mapping ``name`` (a name in ``mappings/`` or a path)."""
    path = find_mapping(workspace_root, name)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the mapping: {exc}") from None
    return parse_mapping(text, name=path.stem, source=str(path))


def table_order(tables: list[str] | set[str]) -> list[str]:
    """``tables`` in dependency order (a referenced table before the tables referring to it)."""
    wanted = set(tables)
    return [t for t in TABLES if t in wanted]
