"""``cxo drivers``: key-driver analysis (relative weights, LMG) on a workspace or a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxo.cli.common import (
    EngineOption,
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    print_json,
    workspace,
)
from cxo.errors import InputError, UsageError

if TYPE_CHECKING:
    from cxo.workspace import Workspace


def register(app: typer.Typer) -> None:
    """Add ``drivers`` to ``app``."""
    app.command("drivers")(drivers_command)


def _read_file(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True)
        with path.open("r", encoding="utf-8-sig") as fh:
            head = fh.readline()
        sep = ";" if head.count(";") > head.count(",") else ","
        return pd.read_csv(path, sep=sep, decimal="," if sep == ";" else ".", encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


def text_columns(frame: Any, columns: list[str]) -> list[str]:
    """The columns of ``frame`` that hold text rather than numbers (most values no number)."""
    import pandas as pd

    out = []
    for name in columns:
        col = frame[name]
        if getattr(col.dtype, "kind", "O") in "biuf":
            continue
        given = col.dropna()
        given = given[given.astype(str).str.strip() != ""]
        if given.empty:
            continue
        text = given.astype(str).str.strip().str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text, errors="coerce").notna().mean()
        if numbers < 0.5:
            out.append(name)
    return out


def _example(frame: Any, name: str) -> str:
    values = frame[name].dropna().astype(str)
    return values.iloc[0][:40] if len(values) else ""


def _file_drivers(
    frame: Any, path: Path, target: str, names: list[str] | None, language: str
) -> list[str]:
    """The drivers to use from a raw file; text target or text drivers said in a sentence."""
    if text_columns(frame, [target]):
        raise UsageError(
            f"{path}: the target column {target!r} holds text (e.g. {_example(frame, target)!r}), "
            "not numbers; key drivers need a numeric target such as an NPS score (0–10) or "
            "a rating",
            hint="recode it into numbers first, or pick a numeric column with --target",
        )
    chosen = names or [c for c in frame.columns if c != target]
    absent = [n for n in chosen if n not in frame.columns]
    if absent:
        raise UsageError(f"{path} has no column(s) {', '.join(absent)}")
    texts = text_columns(frame, chosen)
    if texts and names:
        raise UsageError(
            f"{path}: driver column(s) {', '.join(repr(t) for t in texts)} hold text, not "
            "numbers; key drivers need numeric ratings",
            hint="leave them out of --drivers, or recode them into numbers first",
        )
    if texts:
        from cxo.report.messages import message

        err_console.print(
            message("platforms.drivers.text_skipped", language, columns=", ".join(texts)),
            highlight=False,
            markup=False,
        )
        chosen = [c for c in chosen if c not in texts]
    if not chosen:
        raise UsageError(
            f"{path}: no numeric driver columns left besides the target {target!r}",
            hint="drivers are numeric ratings, one column per attribute",
        )
    return [str(c) for c in chosen]


@handle_errors
def drivers_command(
    target: Annotated[
        str, typer.Option("--target", help="Target column (nps, csat, ces).")
    ] = "nps",
    drivers: Annotated[
        str | None,
        typer.Option("--drivers", help="Comma-separated drivers (default: every rated attribute)."),
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="CSV/XLSX/Parquet with one column per driver and the target."),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="relative_weights, lmg or both.")
    ] = "both",
    missing: Annotated[
        str, typer.Option("--missing", help="listwise (complete rows) or pairwise.")
    ] = "listwise",
    na: Annotated[
        str | None,
        typer.Option("--na", help="Comma-separated 'not applicable' codes, e.g. 0."),
    ] = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap resamples (0 = none).")] = 200,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
) -> None:
    """Which attributes drive the target: shares of R² with bootstrap intervals (a
    workspace's data on DuckDB or Spark, or a file given with --input, read with pandas)."""
    from cxo.assess.drivers import DriverSums, drivers_from_sums
    from cxo.stats.drivers import drivers_from_array, prepare

    if method not in ("relative_weights", "lmg", "both"):
        raise UsageError("--method must be relative_weights, lmg or both")
    if missing not in ("listwise", "pairwise"):
        raise UsageError("--missing must be listwise or pairwise")
    names = [d.strip() for d in drivers.split(",") if d.strip()] if drivers else None
    try:
        na_codes = (
            [float(x.replace(",", ".")) for x in na.split(";" if ";" in na else ",")]
            if na
            else None
        )
    except ValueError:
        raise UsageError(f"--na must list numbers, got {na!r}") from None
    ws: Workspace | None = None
    sums: DriverSums | None = None
    if input_file is not None and engine not in (None, "duckdb"):
        raise UsageError(
            f"--engine {engine} reads a workspace's data; a file given with --input is read "
            "with pandas",
            hint="leave out --engine, or drop --input to analyse the workspace",
        )
    if input_file is not None:
        frame = _read_file(input_file)
        if target not in frame.columns:
            raise UsageError(f"{input_file} has no column {target!r}")
        lang = workspace(path).settings.language if path is not None else "en"
        names = _file_drivers(frame, input_file, target, names, lang)
        data, names, _ = prepare(frame[names], frame[target].rename(target), na_values=na_codes)
    else:  # a workspace: the engine returns sums, never rows (cxo.assess.drivers)
        from cxo.assess.drivers import driver_sums
        from cxo.engine.runner import open_runner

        ws = workspace(path)
        with open_runner(ws, engine, "the key drivers") as con:
            sums = driver_sums(con, target, names, missing=missing, na_values=na_codes)  # type: ignore[arg-type]
        names = sums.attributes
    results = []
    for m in ("relative_weights", "lmg") if method == "both" else (method,):
        if m == "lmg" and len(names) > 15 and method == "both":
            continue
        if sums is not None:
            results.append(drivers_from_sums(sums, target=target, method=m, n_boot=boot, seed=seed))
            continue
        results.append(
            drivers_from_array(
                data,
                names,
                target=target,
                method=m,
                missing=missing,  # type: ignore[arg-type]
                n_boot=boot,
                seed=seed,
            )
        )
    from cxo.report.drivers import summary, to_json

    if as_json:
        print_json([to_json(r) for r in results])
        return
    language = ws.settings.language if ws is not None else "en"
    for r in results:
        console.print(summary(r, language), highlight=False, markup=False)
