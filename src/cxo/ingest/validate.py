"""Validation per the data contract, as one vectorised DuckDB query over the staging table.

Every contract column is parsed from text (types, German and English number and date
formats, booleans), checked (required, range, allowed values, charter keys, foreign keys)
and given a reason when it fails. A row with several failures gets one quarantine row whose
``reason`` lists every failure (``"nps: '11' is out of range 0–10; csat: …"``) and whose
``field`` names the first failing column; it is counted once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cxo.core.contract import Column, Table
from cxo.ingest.detect import BAD_BYTES_MARK
from cxo.ingest.limits import max_field_chars
from cxo.ingest.schema import SQL_TYPES

TRUE_WORDS = ("true", "t", "1", "1.0", "yes", "y", "ja", "j", "wahr", "x", "on")
FALSE_WORDS = ("false", "f", "0", "0.0", "no", "n", "nein", "falsch", "off")
# Two-digit years first: '%d.%m.%Y' would read '01.02.24' as the year 24.
DATE_FORMATS = (
    "%d.%m.%y",
    "%d.%m.%y %H:%M",
    "%d.%m.%y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
)
MIN_YEAR, MAX_YEAR = 1900, 2100
ALLOWED_ALIASES: dict[str, dict[str, str]] = {
    "language": {
        "deutsch": "de",
        "german": "de",
        "ger": "de",
        "deu": "de",
        "englisch": "en",
        "english": "en",
        "eng": "en",
        "andere": "other",
        "sonstige": "other",
    },
    "resolution": {
        "gelöst": "resolved",
        "geloest": "resolved",
        "erledigt": "resolved",
        "abgelehnt": "refused",
        "kulanz": "goodwill",
        "ersatz": "replacement",
        "austausch": "replacement",
        "erstattung": "refund",
        "rückerstattung": "refund",
        "offen": "open",
    },
}
TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "date": "a date (expected dd.mm.yyyy, dd.mm.yy or yyyy-mm-dd)",
    "timestamp": "a date/time (expected dd.mm.yyyy [hh:mm[:ss]] or yyyy-mm-dd[Thh:mm:ss])",
    "boolean": "a yes/no value (true/false, 1/0, yes/no, ja/nein, wahr/falsch, x)",
}


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def key_norm_sql(expr: str) -> str:
    """How raw charter-key values are folded before the alias lookup (see :func:`key_norm`)."""
    return f"replace(replace(lower({expr}), ' ', '_'), '-', '_')"


def key_norm(value: str) -> str:
    """Python twin of :func:`key_norm_sql`."""
    return value.strip().lower().replace(" ", "_").replace("-", "_")


@dataclass
class Plan:
    """Everything the validation query needs to know about one import."""

    table: Table
    mapping: dict[str, str]
    """canonical column → staging column (``c3``) for the columns the source has."""
    decimal_comma: bool = False
    x_booleans: set[str] = field(default_factory=set)
    marked_encoding: str | None = None
    charter_tables: dict[str, str] = field(default_factory=dict)
    """canonical column → temp table ``(raw, key)`` of the charter's keys and aliases."""
    foreign: dict[str, tuple[str, str]] = field(default_factory=dict)
    """canonical column → (referenced table, column), only where that table has rows."""


def _num_sql(x: str, decimal_comma: bool) -> str:
    if decimal_comma:
        return (
            f"CASE WHEN NOT contains({x}, '.') THEN TRY_CAST(replace({x}, ',', '.') AS DOUBLE) "
            f"WHEN regexp_full_match({x}, '[+-]?\\d{{1,3}}(\\.\\d{{3}})+(,\\d*)?') "
            f"THEN TRY_CAST(replace(replace({x}, '.', ''), ',', '.') AS DOUBLE) "
            f"ELSE TRY_CAST({x} AS DOUBLE) END"
        )
    return (
        f"coalesce(TRY_CAST({x} AS DOUBLE), CASE WHEN regexp_full_match({x}, "
        f"'[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
        f"THEN TRY_CAST(replace({x}, ',', '') AS DOUBLE) END)"
    )


def number_sql(v: str, decimal_comma: bool) -> str:
    """Parse a number; currency signs and spaces are stripped on a second try."""
    stripped = f"regexp_replace({v}, '[\\s€$£\u00a0]|EUR', '', 'g')"
    return (
        f"(CASE WHEN {v} IS NULL THEN NULL ELSE coalesce({_num_sql(v, decimal_comma)}, "
        f"{_num_sql(stripped, decimal_comma)}) END)"
    )


def _typed(col: Column, plan: Plan) -> tuple[str, str | None]:
    """(typed expression, its double helper or None) for ``col`` over ``v_<col>``."""
    v = ident("v_" + col.name)
    d = ident("d_" + col.name)
    if col.type == "number":
        return f"CASE WHEN isfinite({d}) THEN {d} END", number_sql(v, plan.decimal_comma)
    if col.type == "integer":
        return (
            f"CASE WHEN isfinite({d}) AND {d} = trunc({d}) AND abs({d}) < 9e15 "
            f"THEN CAST({d} AS BIGINT) END",
            number_sql(v, plan.decimal_comma),
        )
    if col.type in ("date", "timestamp"):
        fmts = "[" + ", ".join(lit(f) for f in DATE_FORMATS) + "]"
        ts = f"coalesce(TRY_CAST({v} AS TIMESTAMP), try_strptime({v}, {fmts}))"
        ts = f"(CASE WHEN {v} IS NULL THEN NULL ELSE {ts} END)"
        return (f"CAST({ts} AS DATE)" if col.type == "date" else ts), None
    if col.type == "boolean":
        # A simple CASE, not ``IN (…)``: DuckDB plans an IN list of 10+ words as a hash
        # join, one per boolean column (sends has six); the CASE is the same mapping.
        words = [*((w, "true") for w in TRUE_WORDS), *((w, "false") for w in FALSE_WORDS)]
        expr = f"CASE lower({v}) {' '.join(f'WHEN {lit(w)} THEN {b}' for w, b in words)} END"
        if col.name in plan.x_booleans:
            expr = f"CASE WHEN {v} IS NULL THEN false ELSE {expr} END"
        return expr, None
    if col.name in plan.charter_tables:
        return ident("k_" + col.name), None
    if col.allowed:
        aliases = ALLOWED_ALIASES.get(col.name, {})
        low = f"lower({v})"
        if aliases:
            cases = " ".join(f"WHEN {lit(a)} THEN {lit(k)}" for a, k in aliases.items())
            return f"CASE {low} {cases} ELSE {low} END", None
        return low, None
    return v, None


def _reasons(col: Column, plan: Plan) -> list[tuple[str, str]]:
    """(condition, message expression) pairs for ``col``, in order of precedence."""
    name = col.name
    v = ident("v_" + name)
    t = ident("t_" + name)
    shown = f"'''' || left({v}, 60) || ''''"
    out: list[tuple[str, str]] = []
    longest = max_field_chars()
    out.append(
        (
            f"length({v}) > {longest}",
            f"{lit(name + ': a value of ')} || length({v}) || "
            f"{lit(f' characters is longer than the limit of {longest}')}",
        )
    )
    if plan.marked_encoding:
        out.append(
            (
                f"contains({v}, {lit(BAD_BYTES_MARK)})",
                lit(f"{name}: bytes that are not valid {plan.marked_encoding} (shown as ")
                + f" || {lit(BAD_BYTES_MARK)} || 'NN)'",
            )
        )
    if col.required and name not in plan.x_booleans:
        out.append((f"{v} IS NULL", lit(f"{name}: required value is empty")))
    if col.type in TYPE_WORDS:
        if col.type == "integer":
            d = ident("d_" + name)
            out.append(
                (
                    f"{v} IS NOT NULL AND NOT coalesce(isfinite({d}), false)",
                    f"{lit(name + ': ')} || {shown} || ' is not a number'",
                )
            )
            out.append(
                (
                    f"{v} IS NOT NULL AND {t} IS NULL",
                    f"{lit(name + ': ')} || {shown} || ' is not a whole number'",
                )
            )
        elif not (col.type == "boolean" and name in plan.x_booleans):
            out.append(
                (
                    f"{v} IS NOT NULL AND {t} IS NULL",
                    f"{lit(name + ': ')} || {shown} || {lit(' is not ' + TYPE_WORDS[col.type])}",
                )
            )
        else:
            out.append(
                (
                    f"{t} IS NULL",
                    f"{lit(name + ': ')} || {shown} || {lit(' is not ' + TYPE_WORDS[col.type])}",
                )
            )
        if col.type in ("date", "timestamp"):
            out.append(
                (
                    f"{t} IS NOT NULL AND ({t} < {lit(f'{MIN_YEAR}-01-01')} "
                    f"OR {t} >= {lit(f'{MAX_YEAR + 1}-01-01')})",
                    f"{lit(name + ': ')} || {shown} || "
                    + lit(f" is outside the years {MIN_YEAR}–{MAX_YEAR}"),
                )
            )
    if col.min is not None or col.max is not None:
        conds = []
        if col.min is not None:
            conds.append(f"{t} < {col.min!r}")
        if col.max is not None:
            conds.append(f"{t} > {col.max!r}")
        lo = _fmt(col.min)
        hi = _fmt(col.max)
        rng = (
            f"range {lo}–{hi}"
            if col.min is not None and col.max is not None
            else (f"minimum {lo}" if col.min is not None else f"maximum {hi}")
        )
        out.append(
            (
                f"{t} IS NOT NULL AND ({' OR '.join(conds)})",
                f"{lit(name + ': ')} || {shown} || {lit(' is out of ' + rng)}",
            )
        )
    if col.allowed and name not in plan.charter_tables:
        out.append(
            (
                f"{t} IS NOT NULL AND {t} NOT IN ({', '.join(lit(a) for a in col.allowed)})",
                f"{lit(name + ': ')} || {shown} || "
                + lit(" is not one of " + ", ".join(col.allowed)),
            )
        )
    if name in plan.charter_tables:
        kind = col.charter_key or "key"
        out.append(
            (
                f"{v} IS NOT NULL AND {t} IS NULL",
                f"{lit(name + ': unknown ' + kind + ' ')} || {shown} || "
                f"{lit(' (not in the charter; add it or an alias under aliases.' + kind + ')')}",
            )
        )
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def validation_sql(
    plan: Plan,
    staging: str,
    all_staging_cols: list[str],
    raw_expr: str,
) -> str:
    """``SELECT`` producing ``__ord, __line, __reason, __field, __maybe_dup, __rawtext`` and typed
    columns.

    ``__rawtext`` (the row's text, ``raw_expr`` over the staging columns) is filled only for
    rejected rows and rows flagged ``__maybe_dup`` (a boolean column of ``staging``). Foreign
    keys and duplicates are checked afterwards over the whole batch.
    """
    spec = plan.table
    vcols = []
    for col in spec.columns:
        src = plan.mapping.get(col.name)
        expr = f"NULLIF(trim({ident(src)}), '')" if src else "NULL::VARCHAR"
        vcols.append(f"{expr} AS {ident('v_' + col.name)}")
    nonempty = (
        "NOT ("
        + " AND ".join(f"({ident(c)} IS NULL OR {ident(c)} = '')" for c in all_staging_cols)
        + ")"
        if all_staging_cols
        else "false"
    )
    p = f"SELECT *, {', '.join(vcols)} FROM {staging} WHERE __err IS NOT NULL OR {nonempty}"
    joins = []
    for name, tbl in plan.charter_tables.items():
        v = ident("v_" + name)
        joins.append(
            f"LEFT JOIN (SELECT raw AS {ident('a_' + name)}, key AS {ident('k_' + name)} "
            f"FROM {tbl}) ON {ident('a_' + name)} = {key_norm_sql(v)}"
        )
    typed = []
    doubles = []
    for col in spec.columns:
        expr, dbl = _typed(col, plan)
        if dbl is not None:
            doubles.append(f"{dbl} AS {ident('d_' + col.name)}")
        typed.append(f"{expr} AS {ident('t_' + col.name)}")
    q1 = f"SELECT *{''.join(', ' + d for d in doubles)} FROM ({p}) p {' '.join(joins)}"
    q2 = f"SELECT *, {', '.join(typed)} FROM ({q1}) q1"
    rcols = []
    for col in spec.columns:
        pairs = _reasons(col, plan)
        if pairs:
            whens = " ".join(f"WHEN {c} THEN {m}" for c, m in pairs)
            rcols.append((col.name, f"CASE {whens} END AS {ident('r_' + col.name)}"))
    rnames = [ident("r_" + n) for n, _ in rcols]
    reason = (
        f"coalesce(__err, NULLIF(concat_ws('; ', {', '.join(rnames)}), ''))" if rcols else "__err"
    )
    whens = " ".join(f"WHEN {ident('r_' + n)} IS NOT NULL THEN {lit(n)}" for n, _ in rcols)
    fld = f"CASE WHEN __err IS NOT NULL THEN NULL {whens} END" if rcols else "NULL"
    q3 = f"SELECT *{''.join(', ' + e for _, e in rcols)} FROM ({q2}) q2"
    q4 = f"SELECT *, {reason} AS __reason, {fld}::VARCHAR AS __field FROM ({q3}) q3"
    outs = ", ".join(
        f"CAST({ident('t_' + c.name)} AS {SQL_TYPES[c.type]}) AS {ident(c.name)}"
        for c in spec.columns
    )
    return (
        f"SELECT __ord, __line, __reason, __field, __maybe_dup, "
        f"CASE WHEN __reason IS NOT NULL OR __maybe_dup THEN coalesce(__raw, {raw_expr}) END "
        f"AS __rawtext, {outs} FROM ({q4}) q4"
    )


def raw_sql(style: str, delimiter: str, headers: list[str]) -> str:
    """Expression rebuilding a row's text from the staging columns ``c0 …``."""
    cols = [f"c{i}" for i in range(len(headers))]
    if not cols:
        return "NULL"
    if style == "csv":
        d = lit(delimiter)
        parts = [
            f"CASE WHEN {c} IS NULL THEN '' WHEN contains({c}, {d}) OR contains({c}, '\"') "
            f"OR contains({c}, chr(10)) OR contains({c}, chr(13)) "
            f"THEN '\"' || replace({c}, '\"', '\"\"') || '\"' ELSE {c} END"
            for c in cols
        ]
        return f"concat_ws({d}, {', '.join(parts)})"
    pairs = ", ".join(
        f"{lit(h or f'column {i + 1}')}, {c}"
        for i, (h, c) in enumerate(zip(headers, cols, strict=True))
    )
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def detection_sql(
    staging: str, number_cols: Mapping[str, str], bool_cols: Mapping[str, str]
) -> str:
    """Counts on the first 200k staged rows that decide decimal comma and x-style booleans."""
    parts = ["count(*) AS n"]
    comma = "'[+-]?(\\d{1,3}(\\.\\d{3})+|\\d+),(\\d{1,2}|\\d{4,})|[+-]?\\d{1,3}(\\.\\d{3})+,\\d+'"
    dot = "'[+-]?\\d+\\.\\d+|[+-]?\\d{1,3}(,\\d{3})+\\.\\d+'"
    cterms = []
    dterms = []
    for src in number_cols.values():
        x = f"trim({ident(src)})"
        cterms.append(f"CAST(regexp_full_match({x}, {comma}) AS INT)")
        dterms.append(f"CAST(regexp_full_match({x}, {dot}) AS INT)")
    parts.append(f"sum({' + '.join(cterms) or '0'}) AS comma")
    parts.append(f"sum({' + '.join(dterms) or '0'}) AS dot")
    for name, src in bool_cols.items():
        parts.append(f"bool_or(lower(trim({ident(src)})) = 'x') AS {ident('x_' + name)}")
    return f"SELECT {', '.join(parts)} FROM {staging} WHERE __err IS NULL"
