"""The small, safe expression language of mapping files (``derive:`` and ``id:``).

An expression is parsed with Python's :mod:`ast` and only these nodes are allowed: names,
literals (strings, numbers, ``null``/``true``/``false``), ``+ - * /``, unary minus,
comparisons, ``and``/``or``/``not`` and calls of the whitelisted functions in
:data:`FUNCTIONS`. Nothing is ever passed to ``eval``; the tree is walked by
:func:`evaluate`. Examples::

    export_date - months(tenure)
    if(Churn == "Yes", export_date, null)
    lower(col("Gender")) == "male"

Values are ``None``, ``str``, ``float``/``int``, ``bool``, :class:`datetime.date` and the
spans :class:`Months` and :class:`datetime.timedelta` (``date ± span``). Text that looks like a
number takes part in arithmetic as a number; ``+`` of two texts concatenates them unless both
look like numbers (use ``concat(a, "-", b)`` to build ids).
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FUNCTIONS", "Expression", "ExpressionError", "Months", "evaluate", "parse_expression"]


class ExpressionError(ValueError):
    """An expression that is not allowed, or that fails on a row's values."""


@dataclass(frozen=True)
class Months:
    """A span of whole months (``months(3)``); added to a date it keeps the day where it can."""

    n: int


CONSTANTS: dict[str, Any] = {"null": None, "none": None, "true": True, "false": False}


def _number(value: Any) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip().replace("\u00a0", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        num = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        num = math.nan
    if not math.isfinite(num):
        raise ExpressionError(f"'{value}' is not a number")
    return num


def _whole(value: Any, what: str) -> int | None:
    num = _number(value)
    if num is None:
        return None
    if float(num) != int(num):
        raise ExpressionError(f"{what}() needs a whole number, not '{value}'")
    return int(num)


def _date(value: Any, fmt: Any = None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    if not text:
        return None
    try:
        if fmt is not None:
            return dt.datetime.strptime(text, str(fmt)).date()
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        shown = f" (format {fmt})" if fmt is not None else " (expected yyyy-mm-dd)"
        raise ExpressionError(f"'{text}' is not a date{shown}") from None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ExpressionError(f"cannot add {months} months to {day}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _span(factory: Callable[[int], Any], what: str) -> Callable[[Any], Any]:
    def make(value: Any) -> Any:
        n = _whole(value, what)
        return None if n is None else factory(n)

    return make


def _concat(*values: Any) -> str | None:
    parts = [_text(v) for v in values]
    return None if all(p is None for p in parts) else "".join(p or "" for p in parts)


def _if(cond: Any, then: Any, other: Any = None) -> Any:
    return then if cond else other


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


def _lower(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else text.lower()


def _upper(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else text.upper()


def _trim(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else text.strip()


def _round(value: Any, digits: Any = 0) -> float | int | None:
    num = _number(value)
    if num is None:
        return None
    places = _whole(digits, "round") or 0
    return round(num, places) if places else round(num)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "months": _span(Months, "months"),
    "years": _span(lambda n: Months(12 * n), "years"),
    "days": _span(lambda n: dt.timedelta(days=n), "days"),
    "if": _if,
    "lower": _lower,
    "upper": _upper,
    "trim": _trim,
    "date": _date,
    "number": _number,
    "text": _text,
    "round": _round,
    "coalesce": _coalesce,
    "concat": _concat,
}
"""The whitelist. ``col("Header with spaces")`` is resolved by the evaluator, not here."""


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression and the source names it reads."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    """Bare names and ``col("...")`` headers, except constants."""


_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_CMPOPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def parse_expression(text: str) -> Expression:
    """Parse ``text``; anything outside the small language raises :class:`ExpressionError`."""
    source = str(text).strip()
    # ``if`` is a Python keyword; the language spells the function ``if(...)``.
    source = _rename_if(source)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree, names)
    return Expression(str(text), tree, frozenset(names))


def _rename_if(source: str) -> str:
    out, i, quote = [], 0, ""
    while i < len(source):
        ch = source[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(source):
                out.append(source[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif (
            source.startswith("if", i)
            and (i == 0 or not (source[i - 1].isalnum() or source[i - 1] == "_"))
            and source[i + 2 :].lstrip().startswith("(")
        ):
            out.append("if_")
            i += 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool) and node.value is not None:
            raise ExpressionError(f"literal {node.value!r} is not allowed")
        return
    if isinstance(node, ast.Name):
        if node.id.lower() not in CONSTANTS:
            names.add(node.id)
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        _check(node.left, names)
        _check(node.right, names)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        _check(node.operand, names)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, names)
        return
    if isinstance(node, ast.Compare) and all(isinstance(op, _CMPOPS) for op in node.ops):
        for part in (node.left, *node.comparators):
            _check(part, names)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fname = "if" if node.func.id == "if_" else node.func.id
        if fname == "col":
            arg = node.args[0] if len(node.args) == 1 else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise ExpressionError('col() takes one quoted header, e.g. col("Seat comfort")')
            names.add(arg.value)
            return
        if fname not in FUNCTIONS:
            allowed = ", ".join(sorted([*FUNCTIONS, "col"]))
            raise ExpressionError(f"unknown function {fname}(); allowed: {allowed}")
        for arg in node.args:
            _check(arg, names)
        return
    raise ExpressionError(f"'{ast.unparse(node)}' is not allowed in a mapping expression")


def evaluate(expr: Expression, lookup: Mapping[str, Any]) -> Any:
    """The value of ``expr`` for one row; names come from ``lookup``."""
    try:
        return _eval(expr.tree, lookup)
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError) as exc:  # e.g. a date beyond the year 9999
        raise ExpressionError(f"{expr.text}: {exc}") from None


def _eval(node: ast.AST, env: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        low = node.id.lower()
        if low in CONSTANTS:
            return CONSTANTS[low]
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return _binop(node.op, _eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return not value
        num = _number(value)
        return None if num is None else -num
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, env) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, env)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    assert isinstance(node, ast.Call)
    assert isinstance(node.func, ast.Name)
    fname = "if" if node.func.id == "if_" else node.func.id
    if fname == "col":
        arg = node.args[0]
        assert isinstance(arg, ast.Constant)
        return env[str(arg.value)]
    if fname == "if":
        if len(node.args) not in (2, 3):
            raise ExpressionError("if() takes a condition, a value and an optional other value")
        cond = _eval(node.args[0], env)
        branch = node.args[1] if cond else (node.args[2] if len(node.args) == 3 else None)
        return None if branch is None else _eval(branch, env)
    try:
        return FUNCTIONS[fname](*[_eval(a, env) for a in node.args])
    except TypeError:
        raise ExpressionError(f"{fname}(): wrong number of arguments") from None


def _binop(op: ast.operator, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if isinstance(left, dt.date) and isinstance(right, Months | dt.timedelta):
        sign = -1 if isinstance(op, ast.Sub) else 1
        if not isinstance(op, ast.Add | ast.Sub):
            raise ExpressionError("dates can only be added to or subtracted from")
        if isinstance(right, Months):
            return _add_months(left, sign * right.n)
        return left + sign * right
    if isinstance(left, dt.date) and isinstance(right, dt.date) and isinstance(op, ast.Sub):
        return (left - right).days
    if (
        isinstance(op, ast.Add)
        and isinstance(left, str)
        and isinstance(right, str)
        and (_looks_text(left) or _looks_text(right))
    ):
        return left + right
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if b == 0:
        raise ExpressionError("division by zero")
    return a / b


def _looks_text(value: str) -> bool:
    try:
        _number(value)
    except ExpressionError:
        return True
    return not value.strip()


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq | ast.NotEq):
        same = _equal(left, right)
        return same if isinstance(op, ast.Eq) else not same
    if left is None or right is None:
        return False
    a, b = _ordered(left, right)
    if isinstance(op, ast.Lt):
        return bool(a < b)
    if isinstance(op, ast.LtE):
        return bool(a <= b)
    if isinstance(op, ast.Gt):
        return bool(a > b)
    return bool(a >= b)


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, str) and isinstance(right, str):
        return left.strip() == right.strip()
    try:
        a, b = _ordered(left, right)
    except ExpressionError:
        return str(left).strip() == str(right).strip()
    return bool(a == b)


def _ordered(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        return _date(left), _date(right)
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return _number(left), _number(right)
