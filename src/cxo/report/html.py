"""HTML rendering: one Jinja2 environment with autoescape and the locale's formatting filters.

Every section template of the report and the web app renders through :func:`render`. User
content (comments, labels, names from the charter) is escaped by autoescape; numbers go
through :mod:`cxo.report.format`, words through :mod:`cxo.report.messages`.

Filters (all take the locale from the render context): ``num(d)``, ``signed(d)``, ``int``,
``sig(digits)``, ``pct(d)``, ``pp(d)``, ``money``, ``date``, ``est(kind)`` for an estimate with
its interval; globals ``t(key, **params)``, ``say(message)`` and ``column(name)`` (a result table's
column heading).
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from cxo.core.messages import Message
from cxo.report import format as fmt
from cxo.report import messages


def _lang(ctx: Context) -> str:
    return str(ctx.get("language", "en"))


def _currency(ctx: Context) -> str:
    return str(ctx.get("currency", "EUR"))


def estimate_text(est: Any, kind: str, language: str, currency: str = "EUR") -> str:
    """An estimate as ``value [low; high]`` with the numbers in ``kind`` (a message spec)."""
    if est is None:
        return fmt.MISSING
    if isinstance(est, dict):
        value, low, high = est.get("value"), est.get("ci_low"), est.get("ci_high")
    else:
        value, low, high = est.value, est.ci_low, est.ci_high
    parts = [messages.format_value(v, kind, language, currency) for v in (value, low, high)]
    return f"{parts[0]} [{parts[1]}; {parts[2]}]"


@functools.cache
def environment() -> Environment:
    """The shared environment (templates in ``cxo/report/templates``)."""
    env = Environment(
        loader=PackageLoader("cxo.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    @pass_context
    def num(ctx: Context, v: Any, decimals: int = 1) -> str:
        return fmt.number(v, decimals, _lang(ctx))

    @pass_context
    def signed(ctx: Context, v: Any, decimals: int = 1) -> str:
        return fmt.signed(v, decimals, _lang(ctx))

    @pass_context
    def integer(ctx: Context, v: Any) -> str:
        return fmt.integer(v, _lang(ctx))

    @pass_context
    def sig(ctx: Context, v: Any, digits: int = 3) -> str:
        return fmt.significant(v, digits, _lang(ctx))

    @pass_context
    def pct(ctx: Context, v: Any, decimals: int = 1) -> str:
        return fmt.percent(v, decimals, _lang(ctx))

    @pass_context
    def pp(ctx: Context, v: Any, decimals: int = 1) -> str:
        return fmt.points(v, decimals, _lang(ctx))

    @pass_context
    def money(ctx: Context, v: Any) -> str:
        return fmt.money(v, _currency(ctx), _lang(ctx))

    @pass_context
    def date(ctx: Context, v: Any) -> str:
        return fmt.date(v, _lang(ctx))

    @pass_context
    def est(ctx: Context, v: Any, kind: str = "sig") -> str:
        return estimate_text(v, kind, _lang(ctx), _currency(ctx))

    @pass_context
    def t(ctx: Context, key: str, **params: Any) -> str:
        return messages.message(key, _lang(ctx), currency=_currency(ctx), **params)

    @pass_context
    def say(ctx: Context, m: Message | dict[str, Any]) -> str:
        if isinstance(m, dict):
            m = Message(m["message"], dict(m.get("params") or {}))
        return messages.text(m, _lang(ctx), currency=_currency(ctx))

    env.filters.update(
        num=num, signed=signed, int=integer, sig=sig, pct=pct, pp=pp, money=money, date=date,
        est=est, say=say,
    )  # fmt: skip

    @pass_context
    def column(ctx: Context, name: str) -> str:
        return messages.column_label(name, _lang(ctx))

    env.globals.update(t=t, say=say, column=column)
    return env


def render(template: str, *, language: str = "en", currency: str = "EUR", **context: Any) -> str:
    """Render ``templates/<template>`` in ``language``."""
    tpl = environment().get_template(template)
    return tpl.render(language=language, currency=currency, **context)
