"""``cxo text ...``: analyse, train, tag, frames, themes, discover, accept, impact, emerging,
verbatims."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cxo.cli.common import (
    EngineOption,
    JsonOption,
    WorkspaceOption,
    console,
    echo,
    handle_errors,
    print_json,
    safe_frame,
    workspace,
)
from cxo.errors import InputError, MissingDataError, UsageError

text_app = typer.Typer(
    name="text",
    help="Voice of the customer (German and English, offline): redaction, themes, sentiment.",
    no_args_is_help=True,
)

InputOpt = Annotated[Path | None, typer.Option("--input", "-i", help="CSV, Parquet or JSONL file.")]
TextColOpt = Annotated[str, typer.Option("--text-column", help="Column with the comment text.")]
FrameOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--frame",
        help="Built-in code frame to use (repeat to combine: --frame cx --frame product_review); "
        "default: the workspace's [text] frames, else cx. See `cxo text frames`.",
    ),
]


def _codeframe(ws: Any, frames: list[str] | None) -> Any:
    """The code frame for a command: ``--frame`` choices (plus the workspace's own
    ``codeframe.yaml``), else the workspace's frames, else the built-in CX frame."""
    from cxo.text.codeframe import CodeFrame
    from cxo.text.workspace import CODEFRAME_FILE, load_codeframe

    if frames:
        return CodeFrame.load(ws.root / CODEFRAME_FILE if ws is not None else None, frames=frames)
    return load_codeframe(ws)


def _untagged_line(theme_sets: Any, skip_reasons: Any, language: str) -> str:
    from cxo.report.messages import message
    from cxo.text.codeframe import untagged

    n, total = untagged(theme_sets, skip_reasons)
    return message(
        "codeframes.untagged", language, untagged=n, total=total, share=n / total if total else 0.0
    )


def _untagged_dict(theme_sets: Any, skip_reasons: Any = None) -> dict[str, Any]:
    from cxo.text.codeframe import untagged

    n, total = untagged(theme_sets, skip_reasons)
    return {
        "analysable": total,
        "untagged": n,
        "untagged_share": round(n / total, 4) if total else None,
    }


def _read_table(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suffix == ".json":
            return pd.read_json(path, dtype=False)
        if suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()[:65536]
            enc = "utf-8-sig"
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                enc = "cp1252"
            sample = raw.decode(enc, errors="replace")
            sep = (
                "\t"
                if suffix == ".tsv"
                else (";" if sample.count(";") > sample.count(",") else ",")
            )
            return pd.read_csv(path, sep=sep, encoding=enc, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    raise InputError(f"{path}: unknown format {suffix!r}", hint="use .csv, .parquet or .jsonl")


def _write_table(df: Any, path: Path) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".parquet", ".pq"):
        df.to_parquet(path, index=False)
    elif suffix in (".jsonl", ".ndjson"):
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".csv":
        safe_frame(df).to_csv(path, index=False)
    else:
        raise UsageError(f"{path}: output must be .csv, .parquet or .jsonl")


def _column(df: Any, name: str, path: Path) -> list[Any]:
    if name not in df.columns:
        raise UsageError(
            f"{path}: no column {name!r}", hint="columns: " + ", ".join(map(str, df.columns))
        )
    return list(df[name])


@text_app.command("analyze")
@handle_errors
def analyze_cmd(
    input: InputOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file.")] = None,
    text_column: TextColOpt = "text",
    model: Annotated[Path | None, typer.Option("--model", help="Trained sentiment model.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Force de or en.")] = None,
    frame_names: FrameOpt = None,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Language, sentiment, themes and redacted text for each row of a file; the share of
    comments no theme of the code frame fits (untagged)."""
    from cxo.text import Analyzer, load_model
    from cxo.text.models import SentimentModel
    from cxo.text.redact import Redactor
    from cxo.text.workspace import id_patterns

    if input is None:
        raise UsageError("give --input FILE (or use `cxo text tag` for the workspace)")
    df = _read_table(input)
    texts = _column(df, text_column, input)
    frame = redactor = ws = None
    if ws_path is not None:
        ws = workspace(ws_path)
        redactor = Redactor(id_patterns(ws))
    if ws is not None or frame_names:
        frame = _codeframe(ws, frame_names)
    m = None
    if model is not None:
        loaded = load_model(model)
        if not isinstance(loaded, SentimentModel):
            raise UsageError(f"{model} is a theme model; analyze needs a sentiment model")
        m = loaded
    result = Analyzer(frame, redactor=redactor, model=m).analyze(texts, language)
    res = result.to_pandas()
    res["themes"] = [";".join(t) for t in res["themes"]]
    res["theme_sentiments"] = [json.dumps(d, ensure_ascii=False) for d in res["theme_sentiments"]]
    extra = df.drop(columns=[text_column]).reset_index(drop=True)
    # Input columns named like a result column (a contract ``language`` column) keep their
    # values under ``input_<name>``; the result's columns are what analyze found.
    extra = extra.rename(columns={c: f"input_{c}" for c in extra.columns if c in res.columns})
    full = extra.join(res)
    if out is not None:
        _write_table(full, out)
    summary = {
        "rows": len(result),
        "languages": full["language"].value_counts().to_dict(),
        "sentiment": full["sentiment"].value_counts().to_dict(),
        "frames": list(frame.frames) if frame is not None else ["cx"],
        **_untagged_dict(result["themes"], result["skip_reason"]),
        "out": str(out) if out else None,
    }
    lang = ws.settings.language if ws is not None else "en"
    if as_json:
        print_json(summary if out else {**summary, "rows_data": result.to_dicts()})
        return
    if out is None:
        for r in result:
            console.print(
                f"{r.language}\t{r.sentiment}\t{','.join(r.themes)}\t{r.redacted_text[:80]}",
                highlight=False,
                markup=False,
            )
    else:
        from cxo.report.messages import message

        echo(message("platforms.text.analyzed", lang, rows=len(result), out=str(out)))
    echo(_untagged_line(result["themes"], result["skip_reason"], lang))


@text_app.command("train")
@handle_errors
def train_cmd(
    input: InputOpt = None,
    text_column: TextColOpt = "text",
    label_column: Annotated[
        str, typer.Option("--label-column", help="Label column (for themes: ';'-separated sets).")
    ] = "label",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Model file to write.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="sentiment or themes.")] = "sentiment",
    embeddings: Annotated[
        bool | None,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Use sentence embeddings (default: when the extra is installed).",
        ),
    ] = None,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train a sentiment (or theme) model on labelled comments.

    With --workspace and no --input, trains on the workspace's scored comments
    (NPS 0–6 negative, 7–8 neutral, 9–10 positive) and saves models/sentiment.cxomodel.
    """
    from cxo.text import train_sentiment, train_themes
    from cxo.text.workspace import MODEL_FILE

    if kind not in ("sentiment", "themes"):
        raise UsageError("--kind must be sentiment or themes")
    if input is None:
        if kind != "sentiment":
            raise UsageError("theme models need --input with a label column")
        ws = workspace(ws_path)
        with ws.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT comment, nps FROM responses WHERE comment IS NOT NULL AND nps IS NOT NULL"
            ).fetchall()
        if not rows:
            raise MissingDataError(
                "needs scored comments in table `responses` (import with "
                "`cxo import responses FILE`)"
            )
        texts = [r[0] for r in rows]
        labels = ["negative" if r[1] <= 6 else "positive" if r[1] >= 9 else "neutral" for r in rows]
        out = out or ws.root / MODEL_FILE
    else:
        df = _read_table(input)
        texts = _column(df, text_column, input)
        labels = _column(df, label_column, input)
        if out is None:
            raise UsageError("give --out MODEL")
    if kind == "sentiment":
        model: Any = train_sentiment(texts, labels, embeddings=embeddings)
    else:
        sets = [{s.strip() for s in str(v).split(";") if s.strip()} for v in labels]
        model = train_themes(texts, sets, embeddings=embeddings)
    model.save(out)
    info = {"out": str(out), "kind": kind, **model.info}
    if as_json:
        print_json(info)
    else:
        from cxo.report.messages import message

        lang = workspace(ws_path).settings.language if ws_path is not None else "en"
        key = (
            "platforms.text.trained_embeddings"
            if model.info["embeddings"]
            else "platforms.text.trained"
        )
        echo(message(key, lang, kind=kind, n=model.info["n"], out=str(out)))


@text_app.command("tag")
@handle_errors
def tag_cmd(
    ws_path: WorkspaceOption = None,
    full: Annotated[bool, typer.Option("--full", help="Re-analyse every comment.")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Trained sentiment model.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Analyse the workspace's comments into response_text and response_themes."""
    from cxo.report.messages import text
    from cxo.text import tag_workspace

    ws = workspace(ws_path)
    res = tag_workspace(ws, full=full, model=model)
    if ws.settings.publish_after_import:
        from cxo.lake import publish

        publish(ws)  # [lake] publish_after_import: the lake gets the analysed comments too
    if as_json:
        print_json(res.to_dict())
    else:
        echo(text(res.summary(), ws.settings.language))


def _tagged(ws_path: Path | None) -> tuple[Any, Any]:
    ws = workspace(ws_path)
    with ws.connect(read_only=True) as con:
        from cxo.text.workspace import ws_tables

        if "response_text" not in ws_tables(con):
            raise MissingDataError("needs table `response_text`", hint="run `cxo text tag` first")
        df = con.execute(
            """SELECT r.response_id, r.nps, r.responded_at, r.touchpoint, t.redacted_text,
                      t.sentiment_score,
                      coalesce(list(th.theme) FILTER (WHERE th.theme IS NOT NULL), []) AS themes
               FROM responses r JOIN response_text t USING (response_id)
               LEFT JOIN response_themes th USING (response_id)
               GROUP BY ALL ORDER BY r.response_id"""
        ).df()
    return ws, df


@text_app.command("accept")
@handle_errors
def accept_cmd(
    proposals: Annotated[Path, typer.Argument(help="YAML written by `cxo text discover --out`.")],
    key: Annotated[str, typer.Argument(help="The proposed theme to accept.")],
    as_key: Annotated[
        str | None, typer.Option("--as", help="Key for the new theme (a-z, 0-9, _).")
    ] = None,
    label_de: Annotated[str | None, typer.Option("--label-de", help="German label.")] = None,
    label_en: Annotated[str | None, typer.Option("--label-en", help="English label.")] = None,
    touchpoint: Annotated[
        list[str] | None,
        typer.Option("--touchpoint", "-t", help="Touchpoint (charter key) whose owner owns it."),
    ] = None,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a discovered theme into the workspace code frame (codeframe.yaml)."""
    from cxo.text.discovery import accept_theme

    ws = workspace(ws_path)
    path = accept_theme(
        ws.root,
        proposals,
        key,
        as_key=as_key,
        label_de=label_de,
        label_en=label_en,
        touchpoints=touchpoint or (),
        known_touchpoints=sorted(ws.charter().keys("touchpoint")),
    )
    new_key = as_key or key
    if as_json:
        print_json({"theme": new_key, "codeframe": str(path)})
        return
    from cxo.report.messages import message

    echo(message("platforms.text.accepted", ws.settings.language, theme=new_key, path=str(path)))


@text_app.command("themes")
@handle_errors
def themes_cmd(
    ws_path: WorkspaceOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Label language (de/en).")] = "en",
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the effective code frame as YAML.")
    ] = None,
    frame_names: FrameOpt = None,
    as_json: JsonOption = False,
) -> None:
    """The code frame's themes with owners; counts when the workspace is tagged."""
    from cxo.text.workspace import ws_tables

    ws = None
    try:
        ws = workspace(ws_path)
    except Exception:
        if ws_path is not None:
            raise
    frame = _codeframe(ws, frame_names)
    if export is not None:
        export.write_text(frame.to_yaml(), "utf-8")
    owners = frame.owners(ws.charter()) if ws is not None else {}
    counts: dict[str, int] = {}
    if ws is not None:
        with ws.connect(read_only=True) as con:
            if "response_themes" in ws_tables(con):
                counts = dict(
                    con.execute("SELECT theme, count(*) FROM response_themes GROUP BY 1").fetchall()
                )
    rows: list[dict[str, Any]] = [
        {
            "theme": t.key,
            "label": t.label_de if lang == "de" else t.label_en,
            "mentions": counts.get(t.key, 0),
            "owners": list(owners.get(t.key, [])),
        }
        for t in frame.themes
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        own = ", ".join(str(o["department"]) for o in r["owners"] if o.get("department"))
        console.print(
            f"{r['theme']:<26} {r['mentions']:>7}  {r['label']}  [{own}]",
            markup=False,
            highlight=False,
        )


@text_app.command("frames")
@handle_errors
def frames_cmd(
    ws_path: WorkspaceOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Label language (de/en).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The built-in code frames; which ones the workspace uses ([text] frames in cxo.toml)."""
    from cxo.text.codeframe import DEFAULT_FRAMES, FRAMES, frame_info, workspace_frames

    ws = None
    try:
        ws = workspace(ws_path)
    except Exception:
        if ws_path is not None:
            raise
    chosen = workspace_frames(ws.root) if ws is not None else DEFAULT_FRAMES
    language = lang or (ws.settings.language if ws is not None else "en")
    rows = [
        {**frame_info(key).to_dict(), "used": key in chosen, "order": _order(chosen, key)}
        for key in FRAMES
    ]
    if as_json:
        print_json({"frames": rows, "workspace_frames": list(chosen)})
        return
    from cxo.report.messages import message

    for r in rows:
        echo(
            message(
                "codeframes.frame_line" + ("_used" if r["used"] else ""),
                language,
                key=r["key"],
                label=r["label_de"] if language == "de" else r["label_en"],
                themes=len(r["themes"]),
                description=r["description_de"] if language == "de" else r["description_en"],
            )
        )
    echo(message("codeframes.frames_hint", language))


def _order(chosen: tuple[str, ...], key: str) -> int | None:
    return chosen.index(key) + 1 if key in chosen else None


@text_app.command("discover")
@handle_errors
def discover_cmd(
    input: InputOpt = None,
    text_column: TextColOpt = "text",
    ws_path: WorkspaceOption = None,
    clusters: Annotated[int | None, typer.Option("--clusters", "-k")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write proposals as codeframe YAML.")
    ] = None,
    embeddings: Annotated[
        bool, typer.Option("--embeddings/--no-embeddings", help="Cluster e5 embeddings.")
    ] = False,
    method: Annotated[
        str, typer.Option("--method", help="nmf (topics, default) or kmeans (clusters).")
    ] = "nmf",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    frame_names: FrameOpt = None,
    as_json: JsonOption = False,
) -> None:
    """Propose new themes from comments the code frame does not assign (TF-IDF + NMF topics
    by default): name, size, top terms and example comments; the untagged share."""
    from cxo.text import discover_themes
    from cxo.text.discovery import proposals_to_yaml

    ws = None
    if input is not None:
        from cxo.text import Analyzer

        if ws_path is not None:
            ws = workspace(ws_path)
        texts = [str(t) for t in _column(_read_table(input), text_column, input)]
        res = Analyzer(_codeframe(ws, frame_names) if ws or frame_names else None).analyze(texts)
        texts, sets, reasons = res["redacted_text"], res["themes"], res["skip_reason"]
    else:
        if frame_names:
            raise UsageError("--frame applies to --input; the workspace uses its tagged themes")
        ws, df = _tagged(ws_path)
        texts, sets = list(df["redacted_text"].fillna("")), list(df["themes"])
        reasons = None
    if method not in ("nmf", "kmeans"):
        raise UsageError("--method must be nmf or kmeans")
    if embeddings and method == "nmf":
        method = "kmeans"  # embeddings are clustered; NMF needs non-negative term weights
    props = discover_themes(
        texts, sets, n_clusters=clusters, embeddings=embeddings, method=method, seed=seed
    )
    if out is not None:
        out.write_text(proposals_to_yaml(props), "utf-8")
    if as_json:
        print_json({**_untagged_dict(sets, reasons), "proposals": [p.to_dict() for p in props]})
        return
    lang = ws.settings.language if ws is not None else "en"
    echo(_untagged_line(sets, reasons, lang))
    for p in props:
        echo(f"{p.key} ({p.size}): {', '.join(p.top_terms)}")
        for ex in p.examples:
            echo(f"   “{ex[:140]}”")


@text_app.command("impact")
@handle_errors
def impact_cmd(
    ws_path: WorkspaceOption = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap replicates.")] = 1000,
    as_json: JsonOption = False,
    engine: EngineOption = None,
) -> None:
    """Theme impact on NPS (all minus without the theme) with bootstrap intervals."""
    from cxo.engine.spark import check_engine
    from cxo.text import theme_impact
    from cxo.text.impact_data import impact_inputs, impact_patterns

    ws = workspace(ws_path)
    chosen = check_engine(engine, ws, "theme impact", on_spark=True)
    res = theme_impact(**impact_inputs(impact_patterns(ws, chosen)), n_boot=boot)
    if as_json:
        print_json([r.to_dict() for r in res])
        return
    from cxo.report.messages import message

    for r in res:
        echo(
            message(
                "platforms.text.impact_line",
                ws.settings.language,
                theme=r.theme,
                n=r.mentions,
                impact=r.impact,
                low=r.ci_low,
                high=r.ci_high,
                adjusted=r.adjusted_impact,
                adj_low=r.adjusted_ci_low,
                adj_high=r.adjusted_ci_high,
            )
        )


@text_app.command("emerging")
@handle_errors
def emerging_cmd(
    ws_path: WorkspaceOption = None,
    freq: Annotated[str, typer.Option("--freq", help="Period: M, W or Q.")] = "M",
    as_json: JsonOption = False,
) -> None:
    """Themes rising in the last period against the baseline (BH-controlled)."""
    from cxo.text import emerging_themes

    ws, df = _tagged(ws_path)
    res = emerging_themes(list(df["responded_at"]), list(df["themes"]), freq=freq)
    if as_json:
        print_json([r.to_dict() for r in res])
        return
    from cxo.report.messages import message

    for r in res:
        key = "platforms.text.emerging_line" + ("_flag" if r.emerging else "")
        echo(
            message(
                key,
                ws.settings.language,
                theme=r.theme,
                baseline=r.baseline_share,
                last=r.last_share,
                p=r.p_adjusted,
            )
        )


@text_app.command("verbatims")
@handle_errors
def verbatims_cmd(
    ws_path: WorkspaceOption = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Only this theme.")] = None,
    k: Annotated[int, typer.Option("-k", help="Quotes per kind.")] = 3,
    as_json: JsonOption = False,
) -> None:
    """Representative and extreme redacted quotes per theme."""
    from cxo.text import verbatims

    _, df = _tagged(ws_path)
    res = verbatims(
        list(df["redacted_text"].fillna("")),
        list(df["themes"]),
        list(df["sentiment_score"]),
        k=k,
        themes=[theme] if theme else None,
    )
    if as_json:
        print_json(res)
        return
    for key, kinds in res.items():
        console.print(f"[bold]{key}[/]")
        for kind, quotes in kinds.items():
            for q in quotes:
                console.print(f"  {kind:<15} “{q[:160]}”", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``cxo text ...`` to ``app``."""
    app.add_typer(text_app, name="text")
