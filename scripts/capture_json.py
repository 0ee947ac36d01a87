"""Capture the ``--json`` output of the analytic commands on a demo workspace.

Used to prove a refactor leaves results unchanged: run it before and after, then
``python scripts/capture_json.py --compare BEFORE AFTER``. Volatile values (timestamps,
paths, run numbers) are dropped before the comparison.

    uv run python scripts/capture_json.py --out /tmp/before --customers 20000
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMANDS: dict[str, list[str]] = {
    "scorecard": ["scorecard", "--by", "touchpoint,quarter", "--compare", "previous", "--json"],
    "scorecard_segment": ["scorecard", "--by", "segment", "--json"],
    "assess": ["assess", "--json", "--boot", "50"],
    "diagnose_all": ["diagnose", "all", "--json"],
    "initiative_rank": ["initiative", "rank", "--json"],
    "followup_report": ["followup", "report", "--json"],
    "drivers": ["drivers", "--json"],
}
VOLATILE = {
    "created_at", "generated", "generated_at", "path", "json_path", "html_path", "run", "at", "now"
}  # fmt: skip


def capture(out: Path, customers: int, company_type: str, language: str) -> None:
    """Build a demo workspace and write one JSON file per command into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    ws = out / "ws"
    cxo = [str(Path(sys.executable).parent / "cxo")]
    subprocess.run(
        [
            *cxo,
            "demo",
            "--workspace",
            str(ws),
            "--no-serve",
            "--type",
            company_type,
            "--customers",
            str(customers),
        ],
        check=True,
    )
    settings = ws / "cxo.toml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace('language = "de"', f'language = "{language}"'), "utf-8")
    for name, args in COMMANDS.items():
        proc = subprocess.run(
            [*cxo, *args, "--workspace", str(ws)], capture_output=True, text=True, check=False
        )
        (out / f"{name}.json").write_text(proc.stdout, "utf-8")
        (out / f"{name}.rc").write_text(str(proc.returncode), "utf-8")


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def diff(a: Any, b: Any, where: str = "$", superset: bool = True) -> list[str]:
    """Differences between ``a`` (before) and ``b`` (after); with ``superset`` new keys in
    ``b`` are allowed (additions are not changes)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in a:
            if k not in b:
                out.append(f"{where}.{k}: missing after")
            else:
                out += diff(a[k], b[k], f"{where}.{k}", superset)
        if not superset:
            out += [f"{where}.{k}: new after" for k in b if k not in a]
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in diff(x, y, f"{where}[{i}]", superset)
        ]
    close = isinstance(a, float) and isinstance(b, float | int)
    if close and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return []
    if a != b:
        return [f"{where}: {a!r} != {b!r}"]
    return []


def compare(before: Path, after: Path) -> list[str]:
    """All differences between two captures."""
    problems: list[str] = []
    for name in COMMANDS:
        rc_a = (before / f"{name}.rc").read_text().strip()
        rc_b = (after / f"{name}.rc").read_text().strip()
        if rc_a != rc_b:
            problems.append(f"{name}: exit code {rc_a} != {rc_b}")
        text_a = (before / f"{name}.json").read_text("utf-8")
        text_b = (after / f"{name}.json").read_text("utf-8")
        if not text_a.strip():
            continue
        a, b = _strip(json.loads(text_a)), _strip(json.loads(text_b))
        problems += [f"{name}: {d}" for d in diff(a, b)]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--type", default="service")
    parser.add_argument("--language", default="de")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        problems = compare(*args.compare)
        for p in problems[:200]:
            print(p)
        print(f"{len(problems)} difference(s)")
        return 1 if problems else 0
    capture(args.out, args.customers, args.type, args.language)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
