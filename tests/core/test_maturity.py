"""The maturity self-check: question keys, answer validation, scores per dimension."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxo.core import maturity as mat
from cxo.errors import InputError, UsageError


def test_every_question_belongs_to_a_dimension_and_keys_are_unique() -> None:
    assert len(set(mat.QUESTION_KEYS)) == len(mat.QUESTIONS) == 18
    assert {q.dimension for q in mat.QUESTIONS} == set(mat.DIMENSIONS)
    assert mat.question("proof_board").dimension == "proof"
    with pytest.raises(KeyError):
        mat.question("nonsense")


def test_scores_are_means_per_dimension_then_over_dimensions() -> None:
    answers = mat.validate_answers(
        {"definition_written": 3, "definition_shared": "5", "proof_board": 2}
    )
    scores = mat.score(answers)
    assert scores["definition"] == 4.0
    assert scores["proof"] == 2.0
    assert scores["ownership"] is None
    assert scores["overall"] == 3.0  # mean of 4 and 2, not of the three answers


def test_bad_answers_are_usage_or_input_errors(tmp_path: Path) -> None:
    for bad in ({"nonsense": 3}, {"proof_board": 6}, {"proof_board": "viel"}, {}):
        with pytest.raises(UsageError):
            mat.validate_answers(bad)
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  proof_board: 4\n", "utf-8")
    assert mat.read_answers(path) == {"proof_board": 4.0}
    path.write_text("- 1\n- 2\n", "utf-8")
    with pytest.raises(InputError):
        mat.read_answers(path)
