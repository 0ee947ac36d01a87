"""Pains name their theme in words, for the product-review frame's themes too."""

from __future__ import annotations

from pathlib import Path

from cxo.assess.pains import theme_label
from cxo.workspace import Workspace


def test_product_review_themes_have_labels_in_both_languages(tmp_path: Path) -> None:
    charter = Workspace.create(tmp_path / "ws", "retail").charter()
    assert theme_label("review_quality", charter, "de") == "Qualität und Verarbeitung"
    assert theme_label("review_quality", charter, "en") == "Quality and build"
    assert theme_label("price_billing", charter, "en") == "Price and billing"
