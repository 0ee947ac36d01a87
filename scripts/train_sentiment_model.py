"""Train the built-in English review sentiment model (issue 16, item 1) at development time.

Run: ``uv run python scripts/train_sentiment_model.py`` (reads
``$CXO_EXTDATA/uci-sentiment-labelled-sentences``, default ``/work/extdata``; writes
``src/cxo/text/data/sentiment_review_en.npz``). Deterministic: the same data, scikit-learn
version and this script give the same file (no random numbers are drawn: lbfgs on a fixed
matrix). ``--check`` rebuilds in memory and fails if the shipped file differs.

Data: UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015; CC BY 4.0): 3,000
review sentences from amazon.com, yelp.com and imdb.com, half negative. The card is
``docs/sentiment-model.md``. The two sets that issue 16 keeps aside (Amazon Alexa reviews,
German coffee reviews from utopia.de) are never read.

Recipe (the ``hybrid_candidate`` of ``bench/sentiment.py``): hashed word 1–2-gram and char_wb
2–5-gram counts (2**18 buckets each, lower-cased), sublinear tf, smoothed idf, L2 norm; plus
the lexicon score ``s`` of :func:`cxo.text.analyze` as ``2·[s, s < -0.2, s > 0.2]``;
logistic regression (C=10, balanced class weights), class 1 = negative. Only the columns
seen in training are stored (index, document frequency, coefficient).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cxo" / "text" / "data" / "sentiment_review_en.npz"
EXTDATA = Path(os.environ.get("CXO_EXTDATA", "/work/extdata"))
UCI = EXTDATA / "uci-sentiment-labelled-sentences"
SOURCES = ("amazon_cells", "yelp", "imdb")


def load_uci() -> tuple[list[str], list[int], list[str]]:
    """Texts, labels (1 = negative) and source of the UCI sentences."""
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    for src in SOURCES:
        path = UCI / f"{src}_labelled.txt"
        if not path.is_file():
            sys.exit(f"missing {path}: see docs/sentiment-model.md for the source")
        for line in path.read_text(encoding="utf-8").splitlines():
            text, _, lab = line.rstrip().rpartition("\t")
            if text.strip() and lab in ("0", "1"):
                texts.append(text.strip())
                labels.append(1 if lab == "0" else 0)
                groups.append(src)
    return texts, labels, groups


def fit(texts: list[str], labels: list[int]) -> dict[str, Any]:
    """Fit the model; returns the arrays that are stored."""
    from cxo.text.review_model import fit as fit_arrays

    return fit_arrays(texts, labels, _lexicon_scores(texts))


def _lexicon_scores(texts: list[str]) -> np.ndarray:
    from cxo.text.analyze import Analyzer

    rows = Analyzer(review_models=False).analyze(texts, language="en")
    return np.asarray(rows["sentiment_score"], dtype=float)


def meta(texts: list[str]) -> dict[str, Any]:
    """What the file says about itself."""
    import sklearn

    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    return {
        "format": "cxo-review-sentiment",
        "version": 1,
        "language": "en",
        "classes": ["positive", "negative"],
        "data": "UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015), "
        "amazon_cells + yelp + imdb, 3,000 sentences",
        "data_licence": "CC BY 4.0",
        "data_sha256": digest,
        "recipe": "hashed word 1-2 + char_wb 2-5 counts (2**18 each), sublinear tf, "
        "smoothed idf, l2; lexicon score features; LogisticRegression C=10 balanced",
        "sklearn": sklearn.__version__,
        "script": "scripts/train_sentiment_model.py",
    }


def to_bytes(arrays: dict[str, Any], info: dict[str, Any]) -> bytes:
    """The .npz file content (compressed, fixed member order)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(info, sort_keys=True)), **arrays)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args(argv)
    texts, labels, _ = load_uci()
    arrays = fit(texts, labels)
    info = meta(texts)
    if args.check:
        with np.load(args.out) as have:
            same = all(np.array_equal(have[k], v) for k, v in arrays.items())
        print("identical" if same else "DIFFERENT")
        sys.exit(0 if same else 1)
    Path(args.out).write_bytes(to_bytes(arrays, info))
    print(
        f"wrote {args.out}: {len(arrays['index'])} columns, {Path(args.out).stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
