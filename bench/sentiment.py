"""Untrained sentiment on polar reviews and feedback (issue 16, item 1).

Run: ``uv run python -m bench.sentiment``; writes ``bench/results/sentiment.json`` and
``bench/results/sentiment.md``.

What is measured, as a polar decision (a text counts as predicted negative when its label is
``negative``) against polar gold labels — balanced accuracy (mean of negative and positive
recall) and negative recall, per data set and language:

- ``lexicon``: the built-in lexicon alone (``Analyzer(review_models=False)``).
- ``shipped``: what ``cxo text analyze`` gives without training — the lexicon plus, for
  English, the shipped review model (``cxo.text.review_model``) where the lexicon is neutral.
  On the UCI sentences the shipped file was trained on all 3,000 of them, so there
  ``shipped_loso`` stands in: the same recipe and rule, trained leave-one-site-out.
- ``model_alone``: the model's own decision (P(negative) > 0.5), no neutral class — the
  ``hybrid_candidate`` of earlier runs.
- ``tfidf_floor``: TF-IDF word 1–2 + char 2–5-grams → logistic regression trained on the
  same kind of data (never on the test items): on the UCI sentences leave-one-source-out
  (train on two review sites, test on the third), on the feedback sets 5-fold stratified CV
  (seed 0).

Neutral handling (the model never saw neutral text): the label distribution of the airline
tweets labelled neutral and of cxo's simulated English comments (negative, positive, short,
off-topic pools of ``cxo.simulate.comments``), lexicon vs shipped; and throughput.

Data (never copied into the repository; only the UCI sentences train anything):

- ``uci-sentences`` (English, openly licensed, CC BY 4.0): UCI "Sentiment Labelled Sentences"
  (Kotzias et al., KDD 2015) — 1,000 review sentences each from amazon.com (cell phones),
  yelp.com and imdb.com, half negative, half positive (labels from the reviews they come from).
  Looked for in ``$CXO_EXTDATA/uci-sentiment-labelled-sentences`` (default
  ``/work/extdata``); source recorded in ``docs/sentiment-model.md``. The yelp part served
  to develop the lexicon (its errors were read); amazon and imdb are held out (never read).
  All 3,000 train the shipped English model (``scripts/train_sentiment_model.py``); here
  the model is retrained leave-one-site-out so that every figure is on an unseen site.
- ``germeval-polar`` (German, CC BY-NC 4.0, customer feedback on Deutsche Bahn, not
  star-labelled): ``../shared/data/germeval2017-dev``, documents labelled negative or positive.
- ``airline-polar`` (English, CC BY-NC-SA 4.0, customer tweets, not star-labelled):
  ``../shared/data/twitter-airline-sentiment``, tweets labelled negative or positive.
- ``de-app-reviews-dev`` / ``de-app-reviews-test`` (German, MIT licence, star-labelled):
  Google Play reviews of public-health apps from the GitHub repository
  ``iivanoo/covid-apps-observer`` (1–2 stars negative, 4–5 positive, 3 dropped, at least
  three words, deduplicated by review id and text), looked for in
  ``$CXO_EXTDATA/de_app_reviews/{dev,test}.jsonl`` (source, commit and extraction in its
  ``SOURCE.txt`` and ``docs/sentiment-model.md``). Split by app: dev is the Austrian
  "Stopp Corona" app (its errors were read to extend the German lexicon; TF-IDF floor by
  5-fold CV), test is three German apps (Corona-Warn-App, NINA, a test-result app), read
  once at the end. On test the TF-IDF floor and the shipped English recipe
  (``recipe_dev_*``: ``cxo.text.review_model.fit`` with the German lexicon score) are
  trained on the dev app only.

German ships no model (see ``docs/sentiment-model.md``), so its ``shipped`` figure is the
lexicon's.

The two sets that the issue keeps aside for independent evaluation (Amazon Alexa reviews,
German coffee reviews from utopia.de) are not read here.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
EXTDATA = Path(os.environ.get("CXO_EXTDATA", "/work/extdata"))
UCI = EXTDATA / "uci-sentiment-labelled-sentences"
UCI_SOURCES = ("amazon_cells", "yelp", "imdb")
GERMEVAL = DATA / "germeval2017-dev" / "dev_documents.csv"
DE_APPS = EXTDATA / "de_app_reviews"
TWEETS = DATA / "twitter-airline-sentiment" / "Tweets.csv"
RESULTS = Path(__file__).resolve().parent / "results"
NEUTRAL_BAND = 0.2
LABELS = ("negative", "neutral", "positive")

Item = tuple[str, int, str]  # text, gold (1 = negative, 0 = positive), group


def load_uci() -> list[Item]:
    """UCI sentences as (text, is_negative, source)."""
    out: list[Item] = []
    for src in UCI_SOURCES:
        path = UCI / f"{src}_labelled.txt"
        if not path.is_file():
            return []
        for line in path.read_text(encoding="utf-8").splitlines():
            text, _, lab = line.rstrip().rpartition("\t")
            if text and lab in ("0", "1"):
                out.append((text.strip(), 1 if lab == "0" else 0, src))
    return out


def load_germeval() -> list[Item]:
    """GermEval 2017 dev documents labelled negative or positive."""
    if not GERMEVAL.is_file():
        return []
    with GERMEVAL.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["sentiment"] in ("negative", "positive")]
    return [(r["text"], int(r["sentiment"] == "negative"), "germeval") for r in rows]


def load_de_app_reviews(split: str) -> list[Item]:
    """German app reviews (``dev`` or ``test``) as (text, is_negative, app)."""
    path = DE_APPS / f"{split}.jsonl"
    if not path.is_file():
        return []
    out: list[Item] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            stars = int(r["stars"])
            if stars != 3:
                out.append((str(r["text"]), int(stars <= 2), str(r["app"])))
    return out


def load_tweets() -> list[Item]:
    """Airline tweets labelled negative or positive."""
    if not TWEETS.is_file():
        return []
    with TWEETS.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["airline_sentiment"] in ("negative", "positive")]
    return [(r["text"], int(r["airline_sentiment"] == "negative"), "airline") for r in rows]


def polar_scores(gold: Sequence[int], pred: Sequence[int]) -> dict[str, float | int | None]:
    """Balanced accuracy, negative/positive recall, accuracy (1 = negative)."""
    g = np.asarray(gold)
    p = np.asarray(pred)
    neg_rec = float((p[g == 1] == 1).mean()) if (g == 1).any() else None
    pos_rec = float((p[g == 0] == 0).mean()) if (g == 0).any() else None
    # a group with one class only (an app with 1-star reviews alone) has no balanced accuracy
    bal = (neg_rec + pos_rec) / 2 if neg_rec is not None and pos_rec is not None else None
    return {
        "n": len(g),
        "n_negative": int((g == 1).sum()),
        "balanced_accuracy": _r4(bal),
        "negative_recall": _r4(neg_rec),
        "positive_recall": _r4(pos_rec),
        "accuracy": round(float((g == p).mean()), 4),
    }


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _f3(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def lexicon_only(texts: Sequence[str], language: str) -> list[int]:
    """1 where the lexicon alone labels the text negative."""
    from cxo.text.analyze import Analyzer

    rows = Analyzer(review_models=False).analyze(list(texts), language=language)
    return [int(s == "negative") for s in rows["sentiment"]]


def shipped(texts: Sequence[str], language: str) -> list[int]:
    """1 where ``cxo.text.analyze`` (no training, as shipped) labels the text negative."""
    from cxo.text import analyze

    return [int(s == "negative") for s in analyze(list(texts), language=language)["sentiment"]]


def _tfidf_fit_predict(train: Sequence[str], y: Sequence[int], test: Sequence[str]) -> list[int]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    feats = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    )
    clf = make_pipeline(feats, LogisticRegression(C=10.0, max_iter=3000))
    clf.fit(list(train), list(y))
    return [int(v) for v in clf.predict(list(test))]


def _lexicon_scores(texts: Sequence[str], language: str) -> np.ndarray:
    from cxo.text.analyze import Analyzer

    rows = Analyzer(review_models=False).analyze(list(texts), language=language)
    return np.asarray(rows["sentiment_score"], dtype=float)


def _fit_apply(
    train: Sequence[str], y: Sequence[int], test: Sequence[str], language: str
) -> tuple[np.ndarray, np.ndarray]:
    """The shipped recipe trained on ``train``: (P(negative), lexicon score) for ``test``."""
    from cxo.text.review_model import ReviewModel, fit

    arrays = fit(list(train), list(y), _lexicon_scores(train, language))
    model = ReviewModel(arrays, info={"language": language})
    lex = _lexicon_scores(test, language)
    return model.p_negative(list(test), lex), lex


def _loso(items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-source-out P(negative) and lexicon scores on the UCI sentences."""
    p = np.zeros(len(items))
    lex = np.zeros(len(items))
    for grp in sorted({g for _, _, g in items}):
        tr = [i for i, it in enumerate(items) if it[2] != grp]
        te = [i for i, it in enumerate(items) if it[2] == grp]
        pp, ll = _fit_apply(
            [items[i][0] for i in tr], [items[i][1] for i in tr], [items[i][0] for i in te], "en"
        )
        p[te], lex[te] = pp, ll
    return p, lex


def shipped_loso(items: Sequence[Item]) -> list[int]:
    """The shipped recipe and lexicon rule, model trained leave-one-source-out."""
    from cxo.text.review_model import combine, word_counts

    p, lex = _loso(items)
    final = combine(lex, p, word_counts([t for t, _, _ in items]))
    return [int(v < -NEUTRAL_BAND) for v in final]


def model_alone_loso(items: Sequence[Item]) -> list[int]:
    """The model's own decision (P(negative) > 0.5), trained leave-one-source-out."""
    p, _ = _loso(items)
    return [int(v > 0.5) for v in p]


def model_alone(texts: Sequence[str], language: str) -> list[int]:
    """The shipped model's own decision (P(negative) > 0.5) on another source."""
    from cxo.text.review_model import builtin_review_model

    model = builtin_review_model(language)
    if model is None:
        return []
    p = model.p_negative(list(texts), _lexicon_scores(texts, language))
    return [int(v > 0.5) for v in p]


def floor_by_group(items: Sequence[Item]) -> list[int]:
    """TF-IDF floor: leave-one-group-out predictions."""
    pred = [0] * len(items)
    for grp in sorted({g for _, _, g in items}):
        tr = [i for i, it in enumerate(items) if it[2] != grp]
        te = [i for i, it in enumerate(items) if it[2] == grp]
        out = _tfidf_fit_predict(
            [items[i][0] for i in tr], [items[i][1] for i in tr], [items[i][0] for i in te]
        )
        for i, v in zip(te, out, strict=True):
            pred[i] = v
    return pred


def floor_trained_on(train: Sequence[Item]) -> Callable[[Sequence[Item]], list[int]]:
    """TF-IDF floor trained on ``train`` (another app), applied to the items."""

    def floor(items: Sequence[Item]) -> list[int]:
        return _tfidf_fit_predict(
            [t for t, _, _ in train], [g for _, g, _ in train], [t for t, _, _ in items]
        )

    return floor


def recipe_trained_on(
    train: Sequence[Item], language: str
) -> dict[str, Callable[[Sequence[Item]], list[int]]]:
    """The shipped English recipe trained on ``train``: hybrid rule and model alone."""
    from cxo.text.review_model import combine, word_counts

    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def fitted(items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        if id(items) not in cache:
            cache[id(items)] = _fit_apply(
                [t for t, _, _ in train],
                [g for _, g, _ in train],
                [t for t, _, _ in items],
                language,
            )
        return cache[id(items)]

    def hybrid(items: Sequence[Item]) -> list[int]:
        p, lex = fitted(items)
        final = combine(lex, p, word_counts([t for t, _, _ in items]))
        return [int(v < -NEUTRAL_BAND) for v in final]

    def alone(items: Sequence[Item]) -> list[int]:
        p, _ = fitted(items)
        return [int(v > 0.5) for v in p]

    return {"recipe_dev_hybrid": hybrid, "recipe_dev_alone": alone}


def floor_cv(items: Sequence[Item], folds: int = 5) -> list[int]:
    """TF-IDF floor: stratified k-fold predictions (seed 0)."""
    from sklearn.model_selection import StratifiedKFold

    y = np.array([it[1] for it in items])
    pred = np.zeros(len(items), dtype=int)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for tr, te in skf.split(np.zeros(len(y)), y):
        pred[te] = _tfidf_fit_predict(
            [items[i][0] for i in tr], y[tr].tolist(), [items[i][0] for i in te]
        )
    return pred.tolist()


def evaluate(
    name: str,
    language: str,
    items: Sequence[Item],
    floor: Callable[[Sequence[Item]], list[int]],
    extra: dict[str, Callable[[Sequence[str], str], list[int]]] | None = None,
    grouped: dict[str, Callable[[Sequence[Item]], list[int]]] | None = None,
) -> dict[str, Any]:
    """All methods on one data set, overall and per group."""
    texts = [t for t, _, _ in items]
    gold = [g for _, g, _ in items]
    methods: dict[str, list[int]] = {}
    timing: dict[str, float] = {}
    t0 = time.perf_counter()
    methods["lexicon"] = lexicon_only(texts, language)
    timing["lexicon"] = round(time.perf_counter() - t0, 2)
    for key, fn in (extra or {}).items():
        t0 = time.perf_counter()
        methods[key] = fn(texts, language)
        timing[key] = round(time.perf_counter() - t0, 2)
    for key, gfn in (grouped or {}).items():
        t0 = time.perf_counter()
        methods[key] = gfn(items)
        timing[key] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    methods["tfidf_floor"] = floor(items)
    timing["tfidf_floor"] = round(time.perf_counter() - t0, 2)
    groups = sorted({g for _, _, g in items})
    res: dict[str, Any] = {"language": language, "seconds": timing, "methods": {}}
    for key, pred in methods.items():
        entry: dict[str, Any] = {"all": polar_scores(gold, pred)}
        if len(groups) > 1:
            for grp in groups:
                idx = [i for i, it in enumerate(items) if it[2] == grp]
                entry[grp] = polar_scores([gold[i] for i in idx], [pred[i] for i in idx])
        res["methods"][key] = entry
    return {name: res}


def run(quick: bool = False) -> dict[str, Any]:
    """Evaluate on every data set that is present."""
    out: dict[str, Any] = {"skipped": []}
    de_dev = load_de_app_reviews("dev")
    de_test = load_de_app_reviews("test") if de_dev else []
    sets: list[tuple[str, str, list[Item], Callable[[Sequence[Item]], list[int]]]] = [
        ("uci-sentences", "en", load_uci(), floor_by_group),
        ("germeval-polar", "de", load_germeval(), floor_cv),
        ("airline-polar", "en", load_tweets(), floor_cv),
        ("de-app-reviews-dev", "de", de_dev, floor_cv),
        ("de-app-reviews-test", "de", de_test, floor_trained_on(de_dev)),
    ]
    rng = np.random.default_rng(0)
    for name, lang, items, floor in sets:
        if not items:
            out["skipped"].append(name)
            continue
        if quick and len(items) > 600:
            keep = sorted(rng.choice(len(items), 600, replace=False).tolist())
            items = [items[i] for i in keep]
        extra: dict[str, Callable[[Sequence[str], str], list[int]]] = {}
        grouped: dict[str, Callable[[Sequence[Item]], list[int]]] = {}
        if name == "uci-sentences":
            grouped["shipped_loso"] = shipped_loso
            grouped["model_alone_loso"] = model_alone_loso
        else:
            extra["shipped"] = shipped
            if lang == "en":
                extra["model_alone"] = model_alone
        if name == "de-app-reviews-test":
            grouped.update(recipe_trained_on(de_dev, "de"))
        out.update(evaluate(name, lang, items, floor, extra=extra, grouped=grouped))
    out["neutral"] = neutral_check()
    out["throughput"] = throughput(2_000 if quick else 20_000)
    return out


def _label_shares(labels: Sequence[str]) -> dict[str, float]:
    n = max(len(labels), 1)
    return {k: round(sum(lab == k for lab in labels) / n, 4) for k in LABELS}


def neutral_check() -> dict[str, Any]:
    """Label shares, lexicon vs shipped, on texts that are not polar reviews."""
    from cxo.core.themes import THEME_KEYS
    from cxo.simulate.comments import SENTIMENTS, pools
    from cxo.simulate.vocab import OFFTOPIC
    from cxo.text.analyze import Analyzer

    pool = pools()
    sets: dict[str, list[str]] = {
        f"simulated {sent} (en)": [t for th in THEME_KEYS for t in pool.phrasings(th, "en", sent)]
        for sent in SENTIMENTS
    }
    sets["simulated off-topic (en)"] = list(OFFTOPIC["en"])
    if TWEETS.is_file():
        with TWEETS.open(encoding="utf-8") as f:
            rows = [r["text"] for r in csv.DictReader(f) if r["airline_sentiment"] == "neutral"]
        sets["airline tweets labelled neutral (en)"] = rows
    out: dict[str, Any] = {}
    for name, texts in sets.items():
        out[name] = {"n": len(texts)}
        for key, flag in (("lexicon", False), ("shipped", True)):
            labels = Analyzer(review_models=flag).analyze(texts, language="en")["sentiment"]
            out[name][key] = _label_shares(labels)
    return out


def throughput(n: int = 20_000) -> dict[str, Any]:
    """Comments per second of ``analyze`` on simulated English comments, lexicon vs shipped."""
    from cxo.core.themes import THEME_KEYS
    from cxo.simulate.comments import SENTIMENTS, pools
    from cxo.text.analyze import Analyzer

    pool = pools()
    base = [t for th in THEME_KEYS for s in SENTIMENTS for t in pool.phrasings(th, "en", s)]
    rng = np.random.default_rng(0)
    texts = [f"{base[i]} {base[j]}" for i, j in rng.integers(0, len(base), size=(n, 2)).tolist()]
    out: dict[str, Any] = {"n": n}
    for key, flag in (("lexicon", False), ("shipped", True)):
        an = Analyzer(review_models=flag)
        an.analyze(texts[:50], language="en")  # warm caches and imports
        t0 = time.perf_counter()
        an.analyze(texts, language="en")
        out[key] = round(n / (time.perf_counter() - t0))
    return out


def to_markdown(res: dict[str, Any]) -> str:
    """A table per data set."""
    lines = ["# Untrained sentiment on polar reviews and feedback", ""]
    for name, r in res.items():
        if name in ("skipped", "neutral", "throughput"):
            continue
        lines += [
            f"## {name} ({r['language']})",
            "",
            "| method | group | n | balanced acc. | neg. recall | pos. recall |",
            "|---|---|---|---|---|---|",
        ]
        for key, entry in r["methods"].items():
            for grp, s in entry.items():
                lines.append(
                    f"| {key} | {grp} | {s['n']} | {_f3(s['balanced_accuracy'])} | "
                    f"{_f3(s['negative_recall'])} | {_f3(s['positive_recall'])} |"
                )
        lines.append("")
    if res.get("neutral"):
        lines += [
            "## Neutral handling: label shares, lexicon vs shipped",
            "",
            "| texts | n | lexicon neg / neu / pos | shipped neg / neu / pos |",
            "|---|---|---|---|",
        ]
        for name, r in res["neutral"].items():
            cells = [
                " / ".join(f"{r[k][lab]:.3f}" for lab in LABELS) for k in ("lexicon", "shipped")
            ]
            lines.append(f"| {name} | {r['n']} | {cells[0]} | {cells[1]} |")
        lines.append("")
    if res.get("throughput"):
        t = res["throughput"]
        lines += [
            f"Throughput ({t['n']:,} simulated English comments, one process): lexicon "
            f"{t['lexicon']:,}/s, shipped {t['shipped']:,}/s.",
            "",
        ]
    if res.get("skipped"):
        lines.append("Skipped (data not present): " + ", ".join(res["skipped"]))
        if any(n.startswith("de-app-reviews") for n in res["skipped"]):
            lines.append(
                f"(German app reviews: put dev.jsonl and test.jsonl in {DE_APPS}; "
                "see docs/sentiment-model.md for the source and how they were extracted.)"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="600 items per data set")
    ap.add_argument("--out", default=str(RESULTS / "sentiment"))
    args = ap.parse_args(argv)
    res = run(quick=args.quick)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(to_markdown(res), encoding="utf-8")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
