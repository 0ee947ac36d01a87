"""Fuzzing the charter parser (:func:`cxo.core.charter.parse_charter`).

Valid charters (the templates with labels, aliases and targets rewritten by hypothesis)
parse, and survive a dump/parse round trip unchanged. Corrupted YAML (lines dropped,
doubled, values replaced, bytes inserted) either parses or fails with a
:class:`~cxo.errors.CharterError` naming the file and a line; nothing else escapes.
Hostile YAML (deep nesting, an alias bomb) fails the same way, quickly.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cxo.core.charter import COMPANY_TYPES, dump_charter, parse_charter, template_text
from cxo.errors import CharterError
from tests.fuzz.support import FUZZ

pytestmark = pytest.mark.slow
SOURCE = "fuzzed.yaml"
ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    + "journey: *h\n"
)
"""Nine to the eighth power references to one list (the "billion laughs")."""
label = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "\x00" not in s)


def relabel(node: Any, draw: Any) -> Any:
    """The charter's data with every ``de``/``en`` label replaced by hypothesis text."""
    if isinstance(node, dict):
        return {
            k: (draw(label) if k in ("de", "en") and isinstance(v, str) else relabel(v, draw))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [relabel(v, draw) for v in node]
    return node


def named_error(exc: CharterError) -> None:
    text = str(exc)
    assert re.search(rf"{re.escape(SOURCE)}:\d+", text), text
    assert exc.code
    assert exc.exit_code


@FUZZ
@given(kind=st.sampled_from(COMPANY_TYPES), data=st.data())
def test_a_valid_charter_parses_and_round_trips(kind: str, data: st.DataObject) -> None:
    raw = yaml.safe_load(template_text(kind))
    text = yaml.safe_dump(relabel(raw, data.draw), allow_unicode=True, sort_keys=False)
    charter = parse_charter(text, source=SOURCE)
    assert parse_charter(dump_charter(charter), source=SOURCE) == charter


@FUZZ
@given(
    kind=st.sampled_from(COMPANY_TYPES),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["drop", "double", "value", "insert", "indent"]),
            st.floats(0, 1, exclude_max=True),
            st.text(max_size=20),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_a_corrupted_charter_fails_naming_file_and_line(
    kind: str, edits: list[tuple[str, float, str]]
) -> None:
    lines = template_text(kind).splitlines()
    for op, where, text in edits:
        i = int(where * len(lines))
        if op == "drop":
            del lines[i]
        elif op == "double":
            lines.insert(i, lines[i])
        elif op == "value" and ":" in lines[i]:
            lines[i] = lines[i].split(":", 1)[0] + ": " + text
        elif op == "insert":
            lines.insert(i, text)
        else:
            lines[i] = " " + lines[i]
    try:
        parse_charter("\n".join(lines), source=SOURCE)
    except CharterError as exc:
        named_error(exc)


@pytest.mark.parametrize(
    "text",
    [
        "company: " + "[" * 5000 + "]" * 5000,
        "company: " + "{a: " * 3000 + "1" + "}" * 3000,
        ALIAS_BOMB,
        "\x00\x01\x02",
        "- just\n- a list\n",
        "company: {name: x}\n---\ncompany: {name: y}\n",
    ],
    ids=["deep-list", "deep-map", "alias-bomb", "binary", "list", "two-documents"],
)
def test_hostile_yaml_fails_quickly_with_a_charter_error(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(CharterError) as caught:
        parse_charter(text, source=SOURCE)
    named_error(caught.value)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("text", ["tables: " + "[" * 5000 + "]" * 5000, "\x00\x01", "[1, 2]"])
def test_hostile_mapping_yaml_fails_with_an_input_error(text: str) -> None:
    """The mapping file's parser: the same YAML, the same answer."""
    from cxo.errors import InputError
    from cxo.ingest.mapping import parse_mapping

    with pytest.raises(InputError, match=r"fuzzed\.yaml:\d+"):
        parse_mapping(text, source=SOURCE)
