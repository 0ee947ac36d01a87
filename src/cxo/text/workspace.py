"""Tag a workspace's comments: ``response_text`` and ``response_themes`` in DuckDB.

Incremental: only responses whose comment is new or changed are analysed (tracked by an MD5
of the comment, its language and the analysis setup: code frame, redaction patterns, model,
cxo version — so an edited code frame re-tags everything). The workspace may override the
code frame with ``codeframe.yaml`` and add customer-number patterns in ``cxo.toml``::

    [text]
    customer_id_patterns = ["C\\\\d{7}", "KD-\\\\d{6}"]

A sentiment model trained with ``cxo text train --workspace`` (``models/sentiment.cxomodel``)
replaces the lexicon baseline for the document sentiment when it exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Message, msg
from cxo.errors import MissingDataError
from cxo.text.analyze import Analyzer, TextAnalysis
from cxo.text.codeframe import CodeFrame
from cxo.text.redact import DEFAULT_ID_PATTERNS, Redactor

if TYPE_CHECKING:
    from cxo.text.models import SentimentModel
    from cxo.workspace import Workspace

CODEFRAME_FILE = "codeframe.yaml"
MODEL_FILE = Path("models") / "sentiment.cxomodel"

DDL = (
    """CREATE TABLE IF NOT EXISTS response_text (
  response_id VARCHAR PRIMARY KEY,
  language VARCHAR NOT NULL,
  sentiment VARCHAR NOT NULL,
  sentiment_score DOUBLE NOT NULL,
  redacted_text VARCHAR,
  skip_reason VARCHAR,
  text_hash VARCHAR
)""",
    """CREATE TABLE IF NOT EXISTS response_themes (
  response_id VARCHAR NOT NULL,
  theme VARCHAR NOT NULL,
  sentiment VARCHAR NOT NULL,
  PRIMARY KEY (response_id, theme)
)""",
)


def load_codeframe(ws: Workspace | Path | None = None) -> CodeFrame:
    """The workspace's frames (``[text] frames`` in ``cxo.toml``, default ``["cx"]``),
    overridden by ``<workspace>/codeframe.yaml`` if present."""
    from cxo.text.codeframe import workspace_frames

    if ws is None:
        return CodeFrame.load(None)
    root = ws if isinstance(ws, Path) else ws.root
    return CodeFrame.load(root / CODEFRAME_FILE, frames=workspace_frames(root))


def id_patterns(ws: Workspace) -> list[str]:
    """Customer/contract-number patterns: the defaults plus ``[text].customer_id_patterns``."""
    raw: dict[str, Any] = tomllib.loads((ws.root / "cxo.toml").read_text("utf-8"))
    extra = raw.get("text", {}).get("customer_id_patterns", [])
    return [*DEFAULT_ID_PATTERNS, *[str(p) for p in extra]]


@dataclass(frozen=True)
class TagResult:
    """What ``tag_workspace`` did."""

    analysed: int
    skipped: int
    theme_rows: int
    seconds: float
    rate_per_s: float
    model: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    def summary(self) -> Message:
        """One line, as a catalogue message (``cxo.report.messages.text`` words it)."""
        return msg(
            "platforms.text.tag_summary",
            analysed=self.analysed,
            skipped=self.skipped,
            theme_rows=self.theme_rows,
            rate=self.rate_per_s,
        )


def _analyse_chunk(args: tuple[list[str], list[str | None], str, list[str]]) -> TextAnalysis:
    texts, langs, frame_yaml, patterns = args
    frame = _worker_frame(frame_yaml)
    return Analyzer(frame, redactor=Redactor(patterns)).analyze(texts, langs)


_FRAMES: dict[str, CodeFrame] = {}


def _worker_frame(frame_yaml: str) -> CodeFrame:
    got = _FRAMES.get(frame_yaml)
    if got is None:
        got = _FRAMES[frame_yaml] = CodeFrame.from_yaml_text(frame_yaml)
    return got


def analyse_parallel(
    texts: list[str],
    languages: list[str | None],
    frame: CodeFrame,
    patterns: list[str],
    *,
    workers: int | None = None,
    chunk: int = 5000,
) -> TextAnalysis:
    """Analyse in ``workers`` processes (default: CPU count, at most 4) for big inputs."""
    workers = workers or min(4, os.cpu_count() or 1)
    if workers <= 1 or len(texts) < 4 * chunk:
        return Analyzer(frame, redactor=Redactor(patterns)).analyze(texts, languages)
    import multiprocessing as mp

    frame_yaml = frame.to_yaml()
    jobs = [
        (texts[i : i + chunk], languages[i : i + chunk], frame_yaml, patterns)
        for i in range(0, len(texts), chunk)
    ]
    # fork shares the loaded lemma dictionaries with the workers (spawn where fork is missing)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with warnings.catch_warnings():
        # Python ≥ 3.12 warns about fork in a multi-threaded process; the workers only run
        # pure-Python text analysis and never touch the parent's DuckDB connection.
        warnings.simplefilter("ignore", DeprecationWarning)
        with ctx.Pool(workers) as pool:
            parts = pool.map(_analyse_chunk, jobs)
    return TextAnalysis([r for p in parts for r in p.rows])


def tag_workspace(
    ws: Workspace,
    *,
    full: bool = False,
    model: SentimentModel | str | Path | None = None,
    batch_size: int = 100_000,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TagResult:
    """Analyse the comments of ``responses`` into ``response_text`` and ``response_themes``.

    Only new or changed comments are analysed unless ``full`` is true. ``model`` (a trained
    sentiment model or its path; default ``<workspace>/models/sentiment.cxomodel`` if present)
    replaces the lexicon baseline for the document sentiment.
    """
    from cxo.text.models import SentimentModel, load_model

    start = time.perf_counter()
    if model is None and (ws.root / MODEL_FILE).is_file():
        model = ws.root / MODEL_FILE
    model_sig = ""
    if isinstance(model, str | Path):
        model_sig = "file:" + hashlib.sha256(Path(model).read_bytes()).hexdigest()
        loaded = load_model(model)
        if not isinstance(loaded, SentimentModel):
            raise MissingDataError(f"{model} is not a sentiment model")
        model = loaded
    frame = load_codeframe(ws)
    patterns = id_patterns(ws)
    setup = _setup_fingerprint(frame, patterns, model, model_sig)
    analysed = skipped = theme_rows = 0
    with ws.connect() as con:
        if "responses" not in ws_tables(con):
            raise MissingDataError(
                "needs table `responses` (import with `cxo import responses FILE`)"
            )
        for ddl in DDL:
            con.execute(ddl)
        if full:
            con.execute("DELETE FROM response_themes")
            con.execute("DELETE FROM response_text")
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _cxo_todo AS
            SELECT r.response_id, row_number() OVER (ORDER BY r.response_id) AS rn
            FROM responses r LEFT JOIN response_text t USING (response_id)
            WHERE r.comment IS NOT NULL
              AND (t.response_id IS NULL OR t.text_hash IS DISTINCT FROM """
            + TEXT_HASH
            + ")",
            [setup],
        )
        total = con.execute("SELECT count(*) FROM _cxo_todo").fetchone()
        n_total = int(total[0]) if total else 0
        for lo in range(1, n_total + 1, batch_size):
            rows = con.execute(
                f"""SELECT r.response_id, r.comment, r.language, {TEXT_HASH}
                FROM _cxo_todo d JOIN responses r USING (response_id)
                WHERE d.rn BETWEEN ? AND ? ORDER BY d.rn""",
                [setup, lo, lo + batch_size - 1],
            ).fetchall()
            ids = [str(r[0]) for r in rows]
            texts = [str(r[1]) for r in rows]
            langs: list[str | None] = [
                str(r[2]).lower() if r[2] and str(r[2]).lower() in ("de", "en") else None
                for r in rows
            ]
            result = analyse_parallel(texts, langs, frame, patterns, workers=workers)
            if model is not None:
                result = _apply_model(result, texts, model)
            theme_rows += _write(ws, con, ids, [str(r[3]) for r in rows], result)
            analysed += len(rows)
            skipped += sum(1 for r in result if r.skip_reason in ("empty", "binary", "no_letters"))
            if progress is not None:
                progress(analysed, n_total)
        con.execute("DROP TABLE IF EXISTS _cxo_todo")
    secs = time.perf_counter() - start
    return TagResult(
        analysed=analysed,
        skipped=skipped,
        theme_rows=theme_rows,
        seconds=round(secs, 3),
        rate_per_s=round(analysed / secs, 1) if secs > 0 else 0.0,
        model=None if model is None else "trained",
    )


TEXT_HASH = "md5(coalesce(r.language, '') || chr(31) || r.comment || chr(31) || ?)"
"""What a comment was analysed from: its text, its language column and the setup (``?``)."""


def _setup_fingerprint(
    frame: CodeFrame, patterns: Any, model: SentimentModel | None, model_sig: str
) -> str:
    """A hash of everything besides the comment that decides its tags: code frame, redaction
    patterns, sentiment model, cxo version. When it changes (an edited ``codeframe.yaml``, an
    accepted theme, a new model, a new release) every comment is analysed again."""
    from cxo import __version__

    digest = hashlib.md5(usedforsecurity=False)
    digest.update(frame.to_yaml().encode())
    digest.update(json.dumps(patterns, default=str, sort_keys=True).encode())
    digest.update(__version__.encode())
    if model is not None:
        # A model object passed in memory: identified by its pickled state.
        digest.update(model_sig.encode() if model_sig else pickle.dumps(model))
    return digest.hexdigest()


def ws_tables(con: Any) -> set[str]:
    """Tables of the main schema."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema='main'"
    ).fetchall()
    return {r[0] for r in rows}


def _apply_model(result: TextAnalysis, texts: list[str], model: SentimentModel) -> TextAnalysis:
    from cxo.text.analyze import MAX_ANALYSED_CHARS, TextRow

    ok = [i for i, r in enumerate(result) if r.skip_reason not in ("empty", "binary", "no_letters")]
    if not ok:
        return result
    labels, scores = model.predict_with_score([texts[i][:MAX_ANALYSED_CHARS] for i in ok])
    rows = list(result.rows)
    for i, lab, sc in zip(ok, labels, scores, strict=True):
        r = rows[i]
        rows[i] = TextRow(
            r.language, lab, sc, r.themes, r.redacted_text, r.theme_sentiments, r.skip_reason
        )
    return TextAnalysis(rows)


def _write(ws: Workspace, con: Any, ids: list[str], hashes: list[str], result: TextAnalysis) -> int:
    import pyarrow as pa

    text_tbl = pa.table(
        {
            "response_id": pa.array(ids, pa.string()),
            "language": pa.array(result["language"], pa.string()),
            "sentiment": pa.array(result["sentiment"], pa.string()),
            "sentiment_score": pa.array(result["sentiment_score"], pa.float64()),
            "redacted_text": pa.array(result["redacted_text"], pa.string()),
            "skip_reason": pa.array(result["skip_reason"], pa.string()),
            "text_hash": pa.array(hashes, pa.string()),
        }
    )
    t_ids: list[str] = []
    t_theme: list[str] = []
    t_sent: list[str] = []
    for rid, row in zip(ids, result, strict=True):
        for th in row.themes:
            t_ids.append(rid)
            t_theme.append(th)
            t_sent.append(row.theme_sentiments.get(th, row.sentiment))
    theme_tbl = pa.table(
        {
            "response_id": pa.array(t_ids, pa.string()),
            "theme": pa.array(t_theme, pa.string()),
            "sentiment": pa.array(t_sent, pa.string()),
        }
    )
    con.register("_cxo_text_batch", text_tbl)
    con.register("_cxo_theme_batch", theme_tbl)
    try:
        con.execute("BEGIN")
        con.execute(
            "DELETE FROM response_themes WHERE response_id IN "
            "(SELECT response_id FROM _cxo_text_batch)"
        )
        con.execute(
            "DELETE FROM response_text WHERE response_id IN "
            "(SELECT response_id FROM _cxo_text_batch)"
        )
        con.execute("INSERT INTO response_text SELECT * FROM _cxo_text_batch")
        con.execute("INSERT INTO response_themes SELECT * FROM _cxo_theme_batch")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_cxo_text_batch")
        con.unregister("_cxo_theme_batch")
    return len(t_ids)
