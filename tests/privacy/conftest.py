"""Fixtures of the data-protection tests: the planted workspace, built once and copied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxo.workspace import Workspace
from tests.privacy.support import build
from tests.web.conftest import app, base, browsers, ws  # noqa: F401  (the web fixtures)


@pytest.fixture(scope="session")
def planted_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted workspace, built once per test session (imports, tagging, the lake)."""
    return build(tmp_path_factory.mktemp("planted") / "ws").root


@pytest.fixture
def planted(planted_template: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of the planted workspace."""
    target = tmp_path / "ws"
    shutil.copytree(planted_template, target)
    return Workspace(target)
