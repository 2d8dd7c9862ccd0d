"""Shared fixtures: the real corpus, ingested once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyqa.ingest import IngestResult, ingest
from policyqa.settings import PROJECT_ROOT

CORPUS_DIR = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus() -> IngestResult:
    return ingest(CORPUS_DIR)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private, writable copy of the real corpus directory."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, target)
    return target
