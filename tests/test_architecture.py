"""The shape of the package, pinned: layers, private seams, presentation, module size.

* ``cxo.stats`` imports nothing of cxo but ``cxo.errors``; ``cxo.core`` nothing above stats.
* Analyses (everything but ``cxo.report``, ``cxo.web``, ``cxo.cli`` and the demo) never import
  the CLI, the web app or the renderer: results are data, words come from ``cxo.report``.
* Nothing imports another package's ``_private`` module.
* Only ``cxo.report`` and ``cxo.web`` use Jinja2/MarkupSafe; nobody makes German decimals by
  swapping characters.
* No module over 700 lines (declarative data excepted), no function over 100 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cxo"
PRESENTATION = ("cxo.report", "cxo.web", "cxo.cli", "cxo.demo")
DECLARATIVE = {"simulate/vocab.py", "core/contract.py"}
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 100


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """Absolute names of everything ``module`` imports (``from x import y`` gives ``x.y``)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_layers(module: str, path: Path) -> None:
    imported = {n for n in _imports(module, path) if _within(n, "cxo")}
    if _within(module, "cxo.stats"):
        allowed = ("cxo.errors", "cxo.stats")
        assert all(any(_within(n, a) for a in allowed) for n in imported), sorted(imported)
    if _within(module, "cxo.core"):
        allowed = ("cxo.errors", "cxo.stats", "cxo.core")
        assert all(any(_within(n, a) for a in allowed) for n in imported), sorted(imported)
    if not any(_within(module, p) for p in PRESENTATION) and module != "cxo":
        upward = sorted(n for n in imported if any(_within(n, p) for p in PRESENTATION))
        assert not upward, f"{module} imports presentation: {upward}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_foreign_private_imports(module: str, path: Path) -> None:
    own_package = module.split(".")[:2]
    for name in _imports(module, path):
        if not _within(name, "cxo"):
            continue
        parts = name.split(".")
        private = [p for p in parts if p.startswith("_") and not p.startswith("__")]
        if private and parts[:2] != own_package:
            pytest.fail(f"{module} imports {name}, a private part of another package")


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_presentation_stays_in_report(module: str, path: Path) -> None:
    if _within(module, "cxo.report") or _within(module, "cxo.web"):
        return
    names = _imports(module, path)
    assert not any(_within(n, "jinja2") or _within(n, "markupsafe") for n in names), module
    text = path.read_text("utf-8")
    assert '.replace(".", ",")' not in text, f"{module} makes German decimals by hand"
    assert 'maketrans({","' not in text, f"{module} makes German decimals by hand"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_module_and_function_size(module: str, path: Path) -> None:
    text = path.read_text("utf-8")
    rel = path.relative_to(SRC).as_posix()
    if rel not in DECLARATIVE:
        lines = text.count("\n")
        assert lines <= MAX_MODULE_LINES, f"{rel} has {lines} lines (at most {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{rel}:{node.lineno} {node.name}: {length} lines"
