"""Shared pieces of the four diagnostics: result object, data checks, owners, intervals.

Every diagnostic reads the contract tables from the workspace DuckDB, aggregates there (SQL),
and does its statistics on the aggregates with numpy/scipy/statsmodels. The result object
(:class:`DiagnosticResult`) is the same for all four: headline findings, tables, the owner of
the touchpoint from the charter, and the assumptions the figures rest on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from jinja2 import Environment, select_autoescape

from cxo.errors import MissingDataError

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

Z95 = 1.959963984540054

IMPORT_HINT = "cxo import {table} FILE"


# --- data checks -----------------------------------------------------------------------
def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Columns of ``table`` in the workspace database (empty set if the table is absent)."""
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def require(
    con: duckdb.DuckDBPyConnection,
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


def has_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether ``table.column`` exists and holds at least one non-null value."""
    if column not in table_columns(con, table):
        return False
    row = con.execute(f'select count("{column}") from "{table}"').fetchone()
    return bool(row and row[0])


def first_owner(charter: Charter, candidates: tuple[str, ...]) -> dict[str, str | None]:
    """Owner of the first touchpoint in ``candidates`` the charter defines."""
    keys = charter.keys("touchpoint")
    for tp in candidates:
        if tp in keys:
            return charter.owner_of(tp)
    return {"touchpoint": None, "department": None, "accountable": None}


# --- intervals -------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """A point estimate with a (95 %) interval."""

    value: float
    low: float
    high: float
    n: int | None = None

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies entirely on one side of zero."""
        return self.low > 0 or self.high < 0

    def covers(self, x: float) -> bool:
        """Whether ``x`` lies in the interval (inclusive)."""
        return self.low <= x <= self.high

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "value": _clean(self.value),
            "ci_low": _clean(self.low),
            "ci_high": _clean(self.high),
        }
        if self.n is not None:
            out["n"] = self.n
        return out


def _clean(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def wilson(successes: float, n: float, z: float = Z95) -> Estimate:
    """Wilson score interval for a proportion (``statsmodels`` ``method="wilson"``)."""
    if n <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), int(n))


def newcombe_diff(x1: float, n1: float, x2: float, n2: float, z: float = Z95) -> Estimate:
    """Difference p1 − p2 with Newcombe's hybrid score interval (method 10, 1998).

    Matches ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``.
    """
    if n1 <= 0 or n2 <= 0:
        return Estimate(math.nan, math.nan, math.nan, int(n1 + n2))
    a, b = wilson(x1, n1, z), wilson(x2, n2, z)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    lo = d - math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2)
    hi = d + math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    return Estimate(d, lo, hi, int(n1 + n2))


def mean_ci(total: float, total_sq: float, n: float, z: float = Z95) -> Estimate:
    """Mean with a normal-approximation interval from the sufficient statistics."""
    if n <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    m = total / n
    var = max(total_sq / n - m * m, 0.0) * n / max(n - 1, 1)
    se = math.sqrt(var / n)
    return Estimate(m, m - z * se, m + z * se, int(n))


def percentile_interval(draws: np.ndarray[Any, Any], level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of 1-d ``draws`` (NaNs ignored)."""
    alpha = (1 - level) / 2
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return math.nan, math.nan
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return float(lo), float(hi)


def moment_sql(stats: list[str]) -> str:
    """SQL select list: Σ of each statistic and Σ of each pairwise product (for
    :func:`poisson_boot_normal`). Columns are ``s{i}`` and ``c{i}_{j}`` (i ≤ j)."""
    parts = [f"sum({e}) as s{i}" for i, e in enumerate(stats)]
    for i, a in enumerate(stats):
        for j in range(i, len(stats)):
            parts.append(f"sum(({a}) * ({stats[j]})) as c{i}_{j}")
    return ", ".join(parts)


def poisson_boot_normal(
    rows: list[dict[str, Any]], k: int, n_boot: int, rng: np.random.Generator
) -> np.ndarray[Any, Any]:
    """Poisson bootstrap of per-group sums over units, vectorised, from the groups' moments.

    Resampling units with Poisson(1) weights makes a group's resampled sum vector Σ Wᵢ vᵢ have
    mean Σ vᵢ and covariance Σ vᵢ vᵢ' exactly; with thousands of units per group it is normal
    to a very good approximation, so each resample draws it from that normal. ``rows`` hold
    ``s{i}`` and ``c{i}_{j}`` from :func:`moment_sql`; returns ``n_boot × G × k`` draws.
    """
    out = np.zeros((n_boot, len(rows), k))
    for g, r in enumerate(rows):
        mean = np.array([float(r[f"s{i}"] or 0.0) for i in range(k)])
        cov = np.zeros((k, k))
        for i in range(k):
            for j in range(i, k):
                cov[i, j] = cov[j, i] = float(r[f"c{i}_{j}"] or 0.0)
        # eigen-decomposition tolerates the singular covariances of constant statistics
        vals, vecs = np.linalg.eigh(cov)
        root = vecs * np.sqrt(np.clip(vals, 0.0, None))
        out[:, g, :] = mean + rng.standard_normal((n_boot, k)) @ root.T
    return out


@dataclass(frozen=True)
class GroupedOLS:
    """OLS fitted on grouped data; exactly the row-level fit (coefficients and HC1 errors)."""

    names: list[str]
    coef: np.ndarray[Any, Any]
    se: np.ndarray[Any, Any]
    n: int

    def estimate(self, name: str, z: float = Z95) -> Estimate:
        """Coefficient ``name`` with its 95 % interval."""
        i = self.names.index(name)
        b, s = float(self.coef[i]), float(self.se[i])
        return Estimate(b, b - z * s, b + z * s, self.n)


def grouped_ols(
    x: np.ndarray[Any, Any],
    n: np.ndarray[Any, Any],
    sum_y: np.ndarray[Any, Any],
    sum_y2: np.ndarray[Any, Any],
    names: list[str],
) -> GroupedOLS:
    """Row-level OLS with HC1 standard errors, computed from per-group sufficient statistics.

    Each row of ``x`` is one group of observations sharing the same regressors; ``n`` counts
    them, ``sum_y``/``sum_y2`` are Σy and Σy² within the group. Because x is constant within a
    group, X'X, X'y and the HC meat Σ x x' e² are all exact functions of these sums, so the
    result equals ``statsmodels.OLS(y, X).fit(cov_type="HC1")`` on the expanded rows.
    """
    w = n.astype(float)
    xtx = (x * w[:, None]).T @ x
    xty = x.T @ sum_y
    coef = np.linalg.lstsq(xtx, xty, rcond=None)[0]
    fitted = x @ coef
    rss_g = sum_y2 - 2 * fitted * sum_y + w * fitted**2
    rss_g = np.maximum(rss_g, 0.0)
    bread = np.linalg.pinv(xtx)
    meat = (x * rss_g[:, None]).T @ x
    total = int(w.sum())
    k = x.shape[1]
    cov = bread @ meat @ bread * total / max(total - k, 1)
    return GroupedOLS(names, coef, np.sqrt(np.maximum(np.diag(cov), 0.0)), total)


def design(
    levels: dict[str, list[Any]], rows: list[dict[str, Any]], numeric: list[str]
) -> tuple[np.ndarray[Any, Any], list[str]]:
    """A design matrix: intercept, ``numeric`` columns, and treatment dummies for ``levels``.

    The first level of each categorical variable is the reference.
    """
    names = ["Intercept", *numeric]
    for var, lv in levels.items():
        names += [f"{var}[{v}]" for v in lv[1:]]
    x = np.zeros((len(rows), len(names)))
    x[:, 0] = 1.0
    for j, col in enumerate(numeric, start=1):
        x[:, j] = [float(r[col]) for r in rows]
    offset = 1 + len(numeric)
    for var, lv in levels.items():
        index = {v: i for i, v in enumerate(lv[1:])}
        for i, r in enumerate(rows):
            k = index.get(r[var])
            if k is not None:
                x[i, offset + k] = 1.0
        offset += len(lv) - 1
    return x, names


# --- result object ---------------------------------------------------------------------
@dataclass
class Table:
    """A small result table (already aggregated) with German/English titles."""

    key: str
    title_en: str
    title_de: str
    columns: list[str]
    rows: list[list[Any]]

    def to_dict(self) -> dict[str, Any]:
        """Records form for JSON."""
        return {
            "title": self.title_en,
            "columns": self.columns,
            "rows": [
                dict(zip(self.columns, [_jsonable(v) for v in r], strict=True)) for r in self.rows
            ],
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, Estimate):
        return v.to_dict()
    if isinstance(v, float):
        return _clean(v)
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


@dataclass
class Finding:
    """One headline sentence, in English and German, with the figure behind it."""

    key: str
    en: str
    de: str
    evidence: bool
    """True when the interval excludes the null ("evidence of"), False for "no evidence of"."""
    estimate: Estimate | None = None
    unit: str = ""

    def text(self, language: str) -> str:
        """The sentence in ``language``."""
        return self.de if language == "de" else self.en

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "key": self.key,
            "text": self.en,
            "text_de": self.de,
            "evidence": self.evidence,
            "unit": self.unit,
        }
        if self.estimate is not None:
            out["estimate"] = self.estimate.to_dict()
        return out


@dataclass
class DiagnosticResult:
    """What a diagnostic found: findings, tables, owner, figures and assumptions."""

    name: str
    title_en: str
    title_de: str
    owner: dict[str, str | None]
    findings: list[Finding] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    language: str = "de"
    currency: str = "EUR"

    def finding(self, key: str) -> Finding:
        """The finding called ``key``."""
        for f in self.findings:
            if f.key == key:
                return f
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table called ``key``."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def title(self) -> str:
        """Title in the result's language."""
        return self.title_de if self.language == "de" else self.title_en

    def owner_text(self) -> str:
        """ "Department (Person), touchpoint x" or a note that the charter names nobody."""
        dept, person, tp = self.owner.get("department"), self.owner.get("accountable"), None
        tp = self.owner.get("touchpoint")
        if not dept and not person:
            return (
                "kein Verantwortlicher im Charter"
                if self.language == "de"
                else "no owner in the charter"
            )
        who = f"{dept or '?'}" + (f" ({person})" if person else "")
        return f"{who}, {tp}" if tp else who

    def summary(self) -> str:
        """A few lines of plain text."""
        owner_label = "Verantwortlich" if self.language == "de" else "Owner"
        lines = [self.title, f"{owner_label}: {self.owner_text()}"]
        lines += [f"- {f.text(self.language)}" for f in self.findings]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "diagnostic": self.name,
            "title": self.title_en,
            "title_de": self.title_de,
            "owner": self.owner,
            "currency": self.currency,
            "findings": [f.to_dict() for f in self.findings],
            "figures": _jsonable(self.figures),
            "tables": {t.key: t.to_dict() for t in self.tables},
            "assumptions": self.assumptions,
        }

    def to_html(self) -> str:
        """An autoescaped HTML section for the board report."""
        de = self.language == "de"
        return _SECTION.render(
            r=self,
            de=de,
            owner_label="Verantwortlich" if de else "Owner",
            assumptions_label="Annahmen" if de else "Assumptions",
            tables=[
                (
                    t.title_de if de else t.title_en,
                    t.columns,
                    [[_cell(v, de) for v in r] for r in t.rows],
                )
                for t in self.tables
            ],
        )


def _cell(v: Any, de: bool) -> str:
    if isinstance(v, Estimate):
        return f"{fmt(v.value, de)} [{fmt(v.low, de)}; {fmt(v.high, de)}]"
    if isinstance(v, float):
        return fmt(v, de)
    if isinstance(v, int) and not isinstance(v, bool):
        return fmt_int(v, de)
    return "" if v is None else str(v)


def fmt(x: float | None, de: bool = False, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, German or English separators."""
    if x is None or not math.isfinite(x):
        return "–"
    if abs(x) >= 1000:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.{digits}g}" if x != 0 else "0"
        if "e" in s:
            s = f"{x:.4f}"
    if de:
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_int(x: int, de: bool = False) -> str:
    """An integer with thousands separators."""
    s = f"{x:,}"
    return s.replace(",", ".") if de else s


def money(x: float, currency: str, de: bool = False) -> str:
    """A currency amount, e.g. ``12.345 EUR`` (German) or ``12,345 EUR``."""
    if not math.isfinite(x):
        return "–"
    s = f"{x:,.0f}"
    if de:
        s = s.replace(",", ".")
    return f"{s} {currency}"


def pct(x: float, de: bool = False, digits: int = 1) -> str:
    """A share as a percentage."""
    if x is None or not math.isfinite(x):
        return "–"
    s = f"{100 * x:.{digits}f} %"
    return s.replace(".", ",") if de else s


_SECTION = Environment(
    autoescape=select_autoescape(default=True, default_for_string=True)
).from_string(
    """<section class="diagnostic" id="diagnostic-{{ r.name }}">
<h3>{{ r.title }}</h3>
<p class="meta">{{ owner_label }}: {{ r.owner_text() }}</p>
<ul>
{% for f in r.findings %}<li class="{{ 'flag' if f.evidence else 'good' }}">
{{- f.text(r.language) }}</li>
{% endfor %}</ul>
{% for title, cols, rows in tables %}<h4>{{ title }}</h4>
<table><thead><tr>{% for c in cols %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% endfor %}{% if r.assumptions %}<details><summary>{{ assumptions_label }}</summary><ul>
{% for a in r.assumptions %}<li>{{ a }}</li>{% endfor %}</ul></details>{% endif %}
</section>
"""
)
