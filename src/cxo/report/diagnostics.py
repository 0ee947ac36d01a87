"""The four diagnostics in words: plain text for the CLI, an HTML section, and the JSON.

A :class:`~cxo.diagnostics.result.DiagnosticResult` holds message keys with raw parameters;
this module renders them through the catalogue (``diagnostics.po``) in German or English.

* :func:`summary` — title, owner and one line per finding (``cxo diagnose …``).
* :func:`section` — the autoescaped HTML section of the board report.
* :func:`to_json` — ``result.to_dict()`` plus the English and German texts under the keys the
  JSON always had (``title``/``title_de``, findings' ``text``/``text_de``, tables' ``title``,
  ``assumptions`` in English) and ``assumptions_de``; a row whose label is a machine key
  (:data:`ROW_LABELS`: ``"outcome": "annual_churn"``) gets ``outcome_label``/``outcome_label_de``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxo.core.messages import Message
from cxo.report import format as fmt
from cxo.report import html, messages
from cxo.stats import Estimate, ProportionEstimate

if TYPE_CHECKING:
    from cxo.diagnostics import DiagnosticResult

MOMENT_ITEM = "diagnostics.marketing.moment_item"


def _item(value: Any, language: str, currency: str) -> str:
    """One element of a list parameter: a lifecycle gap (moment / segment) or a name."""
    if isinstance(value, dict) and "moment" in value:
        moment = messages.message(f"diagnostics.marketing.moment.{value['moment']}", language)
        return messages.message(
            MOMENT_ITEM, language, currency=currency, moment=moment, segment=value["segment"]
        )
    return str(value)


def say(m: Message, language: str, currency: str = "EUR") -> str:
    """The text of a diagnostic's message; list parameters are joined with ``", "``."""
    params = {
        k: ", ".join(_item(x, language, currency) for x in v) if isinstance(v, list | tuple) else v
        for k, v in m.params.items()
    }
    return messages.message(m.key, language, currency=currency, **params)


def title(result: DiagnosticResult, language: str) -> str:
    """The diagnostic's title in ``language``."""
    return messages.message(result.title_key, language)


def owner_text(owner: dict[str, str | None], language: str) -> str:
    """ "Department (Person), touchpoint" (its label in ``language`` where the result carries
    one) or the note that the charter names nobody."""
    dept, person = owner.get("department"), owner.get("accountable")
    tp = owner.get(f"touchpoint_{language}") or owner.get("touchpoint")
    if not dept and not person:
        return messages.message("common.no_owner", language)
    who = f"{dept or '?'}" + (f" ({person})" if person else "")
    return f"{who}, {tp}" if tp else who


def summary(
    result: DiagnosticResult, language: str | None = None, currency: str | None = None
) -> str:
    """A few lines of plain text: title, owner, one line per finding.

    ``language`` and ``currency`` default to the ones the diagnostic was run with.
    """
    lang = language or result.language
    cur = currency or result.currency
    lines = [
        title(result, lang),
        f"{messages.message('common.owner', lang)}: {owner_text(result.owner, lang)}",
    ]
    lines += [f"- {say(f.message, lang, cur)}" for f in result.findings]
    return "\n".join(lines)


PERCENT_COLUMNS = frozenset(
    {
        "share_paying_more",
        "naive_vs_first_band",
        "adjusted_within_product",
        "annual_churn_paying_more",
        "annual_churn_not",
        "opened_rate",
        "clicked_rate",
        "churn_rate_next_month",
        "share_reached",
        "escalation_rate",
        "first_contact_resolution",
        "success_rate",
        "switch_rate_after_failure",
        "switch_rate_after_success",
        "share_of_responses",
        "share_negative",
    }
)
"""Table columns holding shares or rates (0.151): shown as percent (``15.1 %``)."""
SMALL_PERCENT_COLUMNS = frozenset(
    {"unsubscribed_rate", "complained_rate", "unsubscribe_rate_per_send"}
)
"""Shares of a few per mille: percent with two decimals (``0.40 %``)."""
POINTS_COLUMNS = frozenset({"difference_within_bundle", "excess_switch_rate"})
"""Differences of shares: percentage points (``+2.5 pp``). (Tables whose rows hold outcomes in
different units — the loyalty association's churn and NPS — keep plain numbers.)"""


def column_kind(table: str, column: str) -> str:
    """The message spec of a table column's numbers (``sig`` unless it holds shares)."""
    if column in PERCENT_COLUMNS:
        return "pct1"
    if column in SMALL_PERCENT_COLUMNS:
        return "pct2"
    if table == "uplift" and column == "difference":  # differences of per-send rates
        return "pp2"
    if column in POINTS_COLUMNS:
        return "pp1"
    return "sig"


ROW_LABELS: dict[tuple[str, str], str] = {
    ("association", "outcome"): "diagnostics.row.outcome",
    ("effects", "outcome"): "diagnostics.row.outcome",
    ("uplift", "outcome"): "diagnostics.row.outcome",
    ("rates_by_kind", "kind"): "diagnostics.row.kind",
    ("rates_by_stage", "kind"): "diagnostics.row.kind",
    ("lifecycle_moments", "moment"): "diagnostics.marketing.moment",
}
"""(table, column) → catalogue prefix: the column holds machine keys (``annual_churn``,
``personalised``) whose label is ``<prefix>.<key>`` in the reader's language."""
PLACEHOLDERS = {
    ("segment", "(none)"): "diagnostics.row.no_segment",
    ("segment", "(all)"): "diagnostics.row.all_segments",
    ("lifecycle_stage", "(none)"): "diagnostics.row.no_stage",
    ("task", "(no session)"): "diagnostics.row.no_session",
    ("reason", "(all)"): "diagnostics.row.all_reasons",
}
"""(column, placeholder) the diagnostics' SQL puts where a group has no name (no segment, no
segments at all, no lifecycle stage, a response without a session; the total over reasons)
→ its catalogue key."""


def row_label(table: str, column: str, value: Any, language: str) -> str | None:
    """The words for a row's label cell in ``language``; ``None`` when the cell is a number or
    user data (shown as it is)."""
    if not isinstance(value, str):
        return None
    prefix = ROW_LABELS.get((table, column))
    key = f"{prefix}.{value}" if prefix is not None else PLACEHOLDERS.get((column, value))
    if key is None:
        return None
    return messages.catalogue(language).get(key) or value  # a key without words: the key


def cell(value: Any, language: str, currency: str = "EUR", kind: str = "sig") -> str:
    """A table cell for people: estimates as ``value [low; high]``, decimals in ``kind`` (a
    message spec: ``sig`` three significant digits, ``pct1`` percent …), separators for
    counts. Shares (:class:`ProportionEstimate`) are always percent."""
    if isinstance(value, ProportionEstimate) and kind == "sig":
        kind = "pct1"
    if isinstance(value, Estimate):
        return html.estimate_text(value, kind, language, currency)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if kind != "sig":
            return messages.format_value(value, kind, language, currency)
        return fmt.significant(value, 3, language)
    if isinstance(value, int):
        return fmt.integer(value, language)
    return "" if value is None else str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float | Estimate) and not isinstance(value, bool)


def section(
    result: DiagnosticResult, language: str | None = None, currency: str | None = None
) -> str:
    """The autoescaped HTML section of the board report."""
    lang = language or result.language
    cur = currency or result.currency
    tables = [
        {
            "title": say(t.title, lang, cur),
            "columns": t.columns,
            "rows": [
                [
                    (
                        row_label(t.key, c, v, lang) or cell(v, lang, cur, column_kind(t.key, c)),
                        _numeric(v),
                    )
                    for c, v in zip(t.columns, row, strict=True)
                ]
                for row in t.rows
            ],
        }
        for t in result.tables
    ]
    return html.render(
        "diagnostic.html",
        language=lang,
        currency=cur,
        name=result.name,
        title=title(result, lang),
        owner=owner_text(result.owner, lang),
        findings=[(f.evidence, say(f.message, lang, cur)) for f in result.findings],
        tables=tables,
        assumptions=[say(a, lang, cur) for a in result.assumptions],
    )


def to_json(result: DiagnosticResult) -> dict[str, Any]:
    """``result.to_dict()`` with the texts in English and German (the CLI's ``--json``)."""
    cur = result.currency
    out = result.to_dict()
    out["title"] = title(result, "en")
    out["title_de"] = title(result, "de")
    for f, fd in zip(result.findings, out["findings"], strict=True):
        fd["text"] = say(f.message, "en", cur)
        fd["text_de"] = say(f.message, "de", cur)
    for t in result.tables:
        td = out["tables"][t.key]
        td["title"] = say(t.title, "en", cur)
        td["title_de"] = say(t.title, "de", cur)
        for row, record in zip(t.rows, td["rows"], strict=True):
            for c, v in zip(t.columns, row, strict=True):  # a machine key keeps its label
                if (t.key, c) in ROW_LABELS and isinstance(v, str):
                    record[f"{c}_label"] = row_label(t.key, c, v, "en")
                    record[f"{c}_label_de"] = row_label(t.key, c, v, "de")
    out["assumptions"] = [say(a, "en", cur) for a in result.assumptions]
    out["assumptions_de"] = [say(a, "de", cur) for a in result.assumptions]
    return out
