"""Lazy command modules: ``cxo --help`` lists the commands without importing them.

Importing every command module (and with them pydantic, the charter, Rich tables …) made
``cxo --help`` take seconds. :class:`LazyGroup` reads each module's ``register(app)`` from
its source instead (``ast``: the command names, the docstrings or ``help=`` texts) and imports
a module only when one of its commands runs. A module whose ``register`` it cannot read is
imported up front, so nothing is ever missing.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer import _click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    """One command as ``register`` adds it: its module, name, help text, group or not."""

    module: str
    name: str
    help: str
    group: bool


def _source(module: str) -> str | None:
    spec = find_spec(f"cxo.cli.{module}")
    if spec is None or spec.origin is None:
        return None
    try:
        return Path(spec.origin).read_text("utf-8")
    except OSError:
        return None


def _keyword(call: ast.Call, name: str) -> str | None:
    for kw in call.keywords:
        if (
            kw.arg == name
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, str)
        ):
            return kw.value.value
    return None


def _first_str(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def read_entries(module: str) -> list[Entry] | None:
    """The commands ``cxo.cli.<module>.register`` adds, read from the source (None: unsure)."""
    text = _source(module)
    if text is None:
        return None
    tree = ast.parse(text)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    typers: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            typers[node.targets[0].id] = _keyword(node.value, "help") or ""
    register = functions.get("register")
    if register is None:
        return None
    entries: list[Entry] = []
    for stmt in register.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        entry = _entry(module, stmt, functions, typers)
        if entry is None:
            return None
        entries.append(entry)
    return entries or None


def _entry(
    module: str, stmt: ast.stmt, functions: dict[str, ast.FunctionDef], typers: dict[str, str]
) -> Entry | None:
    """``app.command("x")(func)`` or ``app.add_typer(sub, name="x")``; None otherwise."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return None
    call = stmt.value
    inner = call.func
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
        if inner.func.attr != "command" or len(call.args) != 1:
            return None
        target = call.args[0]
        name = _first_str(inner)
        if not isinstance(target, ast.Name) or target.id not in functions or name is None:
            return None
        doc = _keyword(inner, "help") or ast.get_docstring(functions[target.id]) or ""
        return Entry(module, name, inspect.cleandoc(doc), group=False)
    if isinstance(inner, ast.Attribute) and inner.attr == "add_typer" and call.args:
        sub, name = call.args[0], _keyword(call, "name")
        if not isinstance(sub, ast.Name) or sub.id not in typers or name is None:
            return None
        return Entry(module, name, _keyword(call, "help") or typers[sub.id], group=True)
    return None


class LazyGroup(TyperGroup):
    """The root group: commands of lazy modules are loaded when they are run."""

    modules: tuple[str, ...] = ()
    entries: dict[str, Entry] = {}  # noqa: RUF012 - set once by :func:`install`
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        """Plain commands first, then groups (as Typer orders them), eager ones included."""
        lazy = [e for e in self.entries.values() if e.name not in self.commands]
        eager = list(super().list_commands(ctx))
        names = [e.name for e in lazy if not e.group] + [e.name for e in lazy if e.group]
        return names + [n for n in eager if n not in names]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command; while help is listed, a stand-in with the command's help text."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            cls = TyperGroup if entry.group else TyperCommand
            return cls(name=entry.name, help=entry.help)
        self._load(entry.module)
        return self.commands.get(cmd_name)

    def _load(self, module: str) -> None:
        sub = typer.Typer()
        importlib.import_module(f"cxo.cli.{module}").register(sub)
        for name, command in typer.main.get_group(sub).commands.items():
            self.commands[name] = command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Plain help (Rich's help renderer alone takes longer to import than the 0.5 s
        ``cxo --help`` may take), commands listed from their stand-ins."""
        type(self)._listing = True
        try:
            _click.Command.format_help(self, ctx, formatter)
        finally:
            type(self)._listing = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """``cxo`` alone prints the (plain) help and exits 2, as before."""
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            _click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(2)
        return list(super().parse_args(ctx, args))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Every command with the first paragraph of its help, untruncated."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            first = inspect.cleandoc(command.help or "").split("\n\n")[0]
            rows.append((name, " ".join(first.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def say_waiting(data_dir: Path, pid: int | None) -> None:
    """An import waits for another one: one line on stderr in the workspace's language."""
    import sys

    from cxo.report.messages import message
    from cxo.workspace import resolve_workspace

    try:
        language = resolve_workspace(data_dir.parent).settings.language
    except Exception:
        language = "en"
    holder = f"PID {pid}" if pid else "?"
    # The real stderr: a progress display may be capturing ``sys.stderr`` right now.
    stream = sys.__stderr__ or sys.stderr
    stream.write(message("platforms.lock.waiting", language, holder=holder) + "\n")
    stream.flush()


def install(app: typer.Typer, modules: tuple[str, ...]) -> None:
    """Register ``modules`` on ``app``: lazily where their ``register`` can be read.

    Also makes a waiting import (:mod:`cxo.ingest.lock`) say so in the user's language.
    """
    from cxo.ingest.lock import set_notifier

    set_notifier(say_waiting)
    entries: dict[str, Entry] = {}
    for module in modules:
        found = read_entries(module)
        if found is None:
            importlib.import_module(f"cxo.cli.{module}").register(app)
            continue
        for entry in found:
            entries[entry.name] = entry
    LazyGroup.modules = modules
    LazyGroup.entries = entries
