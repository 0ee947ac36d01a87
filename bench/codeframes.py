"""Precision and recall of the built-in code frames on labelled real data (issue 16).

Run: ``uv run python -m bench.codeframes [--scale quick|full]``; writes
``bench/results/codeframes.json`` and ``bench/results/codeframes.md``. Real data are read from
``../shared/data`` (evaluation only, never copied); a data set that is missing is reported as
skipped.

Data and labels:
- GermEval 2017 dev (German, Deutsche Bahn feedback; CC BY-NC 4.0): documents with at least one
  aspect; gold label = aspect family (``Zugfahrt``, ``Ticketkauf``, …). A family is predicted
  when the built-in CX frame tags any theme mapped to it (``FAMILY_MAP`` of ``bench.text_eval``).
- Twitter US airline sentiment (English; CC BY-NC-SA 4.0): negative tweets whose negative
  reason is known (not "Can't Tell"); one gold reason per tweet, mapped by ``REASON_MAP``.

The floor beside each figure (no keywords, the code frame must beat it to be worth having):
- ``always``: predict the label for every document (precision = prevalence, recall = 1; F1 =
  2p/(1+p)). A rule that is no better than this carries no information.
- ``tfidf_ovr``: a supervised TF-IDF (word 1–2-grams, sublinear tf) one-vs-rest logistic
  regression (balanced class weights, C=10), 5-fold stratified cross-validation (seed 0), out-
  of-fold predictions. It is trained on the labels it is scored on, so it is a demanding floor:
  the code frame gets no training at all.
The untagged share of each frame (and of the CX + product-review combination) is reported per
data set. No openly licensed product-review set with aspect labels was used (see ``PRODUCT``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.text_eval import FAMILY_MAP, GERMEVAL, REASON_MAP, RESULTS, TWEETS

PRODUCT = (
    "not evaluated: the SemEval-2016 ABSA laptop reviews (aspect categories such as "
    "LAPTOP#PRICE, SHIPPING#GENERAL, SUPPORT#QUALITY) fit the product-review frame, but no "
    "open licence could be confirmed for them; the Amazon Alexa and utopia.de coffee reviews "
    "are held aside for independent evaluation and were not used"
)


def _prf(hit: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    tp = int((hit & truth).sum())
    p = tp / int(hit.sum()) if hit.sum() else 0.0
    r = tp / int(truth.sum()) if truth.sum() else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def _tfidf_oof(texts: list[str], truth: dict[str, np.ndarray], folds: int) -> dict[str, np.ndarray]:
    """Out-of-fold one-vs-rest predictions of a TF-IDF logistic regression per label."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    out = {k: np.zeros(len(texts), dtype=bool) for k in truth}
    for label, y in truth.items():
        if y.sum() < folds or (~y).sum() < folds:
            continue
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, y):
            vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
            xtr = vec.fit_transform([texts[i] for i in tr])
            clf = LogisticRegression(C=10, class_weight="balanced", max_iter=2000)
            clf.fit(xtr, y[tr])
            out[label][te] = clf.predict(vec.transform([texts[i] for i in te])).astype(bool)
    return out


def evaluate(
    name: str,
    texts: list[str],
    gold: list[set[str]],
    mapping: dict[str, tuple[str, ...]],
    language: str,
    folds: int = 5,
) -> dict[str, Any]:
    """Per label: support, the frame's precision/recall/F1, and both floors; micro averages."""
    import cxo.text as text
    from cxo.text.codeframe import CodeFrame, untagged

    t0 = time.perf_counter()
    rows = text.analyze(texts, language=language)
    seconds = time.perf_counter() - t0
    themes = [set(r.themes) for r in rows]
    truth = {k: np.array([k in g for g in gold]) for k in mapping}
    hits = {k: np.array([bool(t & set(v)) for t in themes]) for k, v in mapping.items()}
    t1 = time.perf_counter()
    oof = _tfidf_oof(texts, truth, folds)
    tfidf_seconds = time.perf_counter() - t1
    per: dict[str, Any] = {}
    for k in mapping:
        prev = float(truth[k].mean())
        per[k] = {
            "support": int(truth[k].sum()),
            "predicted": int(hits[k].sum()),
            "themes": list(mapping[k]),
            "frame": _prf(hits[k], truth[k]),
            "floor_always": {
                "precision": round(prev, 3),
                "recall": 1.0,
                "f1": round(2 * prev / (1 + prev), 3),
            },
            "floor_tfidf_ovr": _prf(oof[k], truth[k]),
        }
        per[k]["frame_beats_always"] = per[k]["frame"]["f1"] > per[k]["floor_always"]["f1"]
    all_hit = np.concatenate([hits[k] for k in mapping])
    all_truth = np.concatenate([truth[k] for k in mapping])
    all_oof = np.concatenate([oof[k] for k in mapping])
    shares: dict[str, float] = {}
    for frames in (("cx",), ("product_review",), ("cx", "product_review")):
        frame = CodeFrame.combined(frames)
        res = text.analyze(texts, language=language, codeframe=frame)
        n, total = untagged(res["themes"], res["skip_reason"])
        shares["+".join(frames)] = round(n / total, 3) if total else 0.0
    return {
        "bench": "codeframes",
        "case": name,
        "documents": len(texts),
        "seconds_frame": round(seconds, 2),
        "seconds_tfidf_cv": round(tfidf_seconds, 2),
        "per_label": per,
        "micro": {
            "frame": _prf(all_hit, all_truth),
            "floor_tfidf_ovr": _prf(all_oof, all_truth),
        },
        "labels_frame_beats_always": sum(v["frame_beats_always"] for v in per.values()),
        "labels": len(per),
        "untagged_share": shares,
    }


def germeval(scale: str) -> dict[str, Any]:
    """GermEval 2017 dev: aspect families vs the CX frame (German)."""
    import pandas as pd

    df = pd.read_csv(GERMEVAL)
    texts = [str(t) for t in df["text"].fillna("")]
    fams = [
        {a.split("#")[0] for a in str(s).split()} if isinstance(s, str) and s.strip() else set()
        for s in df["aspects"]
    ]
    keep = [i for i, f in enumerate(fams) if f]
    if scale == "quick":
        keep = keep[:600]
    out = evaluate(
        "germeval2017_dev_families",
        [texts[i] for i in keep],
        [fams[i] for i in keep],
        FAMILY_MAP,
        "de",
    )
    out["data"] = "germeval2017-dev/dev_documents.csv (CC BY-NC 4.0), documents with an aspect"
    return out


def twitter(scale: str) -> dict[str, Any]:
    """Twitter airline sentiment: negative reasons vs the CX frame (English)."""
    import pandas as pd

    df = pd.read_csv(TWEETS)
    mask = (
        (df["airline_sentiment"] == "negative")
        & df["negativereason"].notna()
        & (df["negativereason"] != "Can't Tell")
    )
    sub = df[mask]
    if scale == "quick":
        sub = sub.iloc[:1500]
    texts = [str(t) for t in sub["text"]]
    gold = [{str(r)} for r in sub["negativereason"]]
    out = evaluate("twitter_airline_negative_reasons", texts, gold, REASON_MAP, "en")
    out["data"] = "twitter-airline-sentiment/Tweets.csv (CC BY-NC-SA 4.0), negative, known reason"
    return out


def to_markdown(results: list[dict[str, Any]]) -> str:
    """The results as Markdown tables: the frame's figures with the floors beside them."""
    lines = ["# Built-in code frames on labelled real data", ""]
    for res in results:
        if "per_label" not in res:
            lines += [f"## {res['case']}", "", str(res.get("notes", "")), ""]
            continue
        lines += [
            f"## {res['case']} ({res['documents']:,} documents)",
            "",
            f"Data: {res['data']}. Untagged share: "
            + ", ".join(f"{k} {v:.1%}" for k, v in res["untagged_share"].items())
            + ".",
            "",
            "| label | support | frame P | frame R | frame F1 | floor always F1 "
            "| floor TF-IDF OvR P / R / F1 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, v in res["per_label"].items():
            f, a, s = v["frame"], v["floor_always"], v["floor_tfidf_ovr"]
            lines.append(
                f"| {label} | {v['support']:,} | {f['precision']:.3f} | {f['recall']:.3f} "
                f"| **{f['f1']:.3f}** | {a['f1']:.3f} "
                f"| {s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f} |"
            )
        m, ms = res["micro"]["frame"], res["micro"]["floor_tfidf_ovr"]
        lines += [
            f"| micro | | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** | "
            f"| {ms['precision']:.3f} / {ms['recall']:.3f} / {ms['f1']:.3f} |",
            "",
            f"The frame beats the `always` floor on {res['labels_frame_beats_always']} of "
            f"{res['labels']} labels.",
            "",
        ]
    return "\n".join(lines)


def run(scale: str = "quick") -> list[dict[str, Any]]:
    """All cases; a missing data set is reported as skipped."""
    out: list[dict[str, Any]] = []
    for path, fn in ((GERMEVAL, germeval), (TWEETS, twitter)):
        if path.exists():
            out.append(fn(scale))
        else:
            out.append({"bench": "codeframes", "case": path.name, "notes": f"skipped: {path}"})
    out.append({"bench": "codeframes", "case": "product_reviews", "notes": PRODUCT})
    return out


def main() -> None:
    """CLI: ``python -m bench.codeframes [--scale quick|full]``."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="full", choices=["quick", "full"])
    args = ap.parse_args()
    res = run(args.scale)
    RESULTS.mkdir(exist_ok=True)
    stem = "codeframes" if args.scale == "full" else "codeframes-quick"
    Path(RESULTS / f"{stem}.json").write_text(
        json.dumps(res, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    Path(RESULTS / f"{stem}.md").write_text(to_markdown(res), "utf-8")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
