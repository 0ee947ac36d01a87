"""The German app-review source of bench/sentiment.py: read when present, skipped with a
message when absent, 3-star reviews dropped, single-class groups without a balanced figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import sentiment as bench


def test_loader_reads_polar_reviews_and_drops_three_stars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {"id": "a:1", "app": "a", "text": "Stürzt ständig ab, unbrauchbar.", "stars": 1},
        {"id": "a:2", "app": "a", "text": "Geht so, mal gut, mal nicht.", "stars": 3},
        {"id": "a:3", "app": "a", "text": "Tut was sie soll, prima.", "stars": 5},
    ]
    (tmp_path / "dev.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    monkeypatch.setattr(bench, "DE_APPS", tmp_path)
    got = bench.load_de_app_reviews("dev")
    assert got == [
        ("Stürzt ständig ab, unbrauchbar.", 1, "a"),
        ("Tut was sie soll, prima.", 0, "a"),
    ]
    assert bench.load_de_app_reviews("test") == []


def test_absent_set_is_reported_in_the_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    md = bench.to_markdown({"skipped": ["de-app-reviews-dev", "de-app-reviews-test"]})
    assert "Skipped (data not present): de-app-reviews-dev, de-app-reviews-test" in md
    assert str(bench.DE_APPS) in md


def test_single_class_group_has_no_balanced_accuracy() -> None:
    s = bench.polar_scores([1, 1, 1], [1, 0, 1])
    assert s["balanced_accuracy"] is None
    assert s["positive_recall"] is None
    assert s["negative_recall"] == pytest.approx(0.6667)
    md = bench.to_markdown(
        {"x": {"language": "de", "methods": {"lexicon": {"all": {"n": 3, **s}}}}}
    )
    assert "| lexicon | all | 3 | – | 0.667 | – |" in md
