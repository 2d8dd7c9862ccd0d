"""Bring a Milvus collection in line with a corpus and open the Milvus backend over it.

The corpus (manifest, clause table, rule table) is read from the corpus directory, which every
replica shares; Milvus holds the vectors and the BM25 weights, and a manifest whose
`corpus_hash` names the corpus version it was built from. Opening compares that hash with the
corpus read here: equal → open at once (nothing embedded); different → upsert every clause
(reusing the stored vector of each clause whose passage text is unchanged, embedding the rest),
delete clauses that are gone, and record the new manifest last, so a replica that sees the new
version sees the whole of it.

Owns that synchronisation; never ranks and never writes the corpus directory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from policyqa.corpus.ingest import IngestResult
from policyqa.search.backend import BackendError
from policyqa.search.embed import Embedder
from policyqa.search.index import (
    FORMAT_VERSION,
    IndexManifest,
    build_bm25,
    build_manifest,
    encode_clauses,
    passage_text,
)
from policyqa.search.milvus_backend import (
    LAYOUT,
    MilvusBackend,
    bm25_rows,
    create_collection,
    delete_clauses,
    passage_sha,
    read_manifest,
    read_vectors,
    write_clauses,
    write_manifest,
)
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.settings import is_server_uri


def _reusable(manifest: IndexManifest | None, embedder: Embedder) -> bool:
    return (
        manifest is not None
        and manifest.format_version == FORMAT_VERSION
        and manifest.files.get("layout") == LAYOUT
        and manifest.embedder == embedder.name
        and manifest.dim == embedder.dim
    )


def open_milvus(
    corpus: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    client: Any,
    collection: str,
    uri: str,
    known: Mapping[str, tuple[str, np.ndarray]] | None = None,
) -> MilvusBackend:
    """The Milvus backend over `corpus`, synchronising the collection first when it lags.

    `known` offers vectors already computed elsewhere ({clause id: (passage sha, vector)}, e.g.
    read back from the FAISS backend), used like stored ones: moving an index to Milvus then
    embeds nothing.
    """
    started = dt.datetime.now(dt.UTC)
    regions = {d.id: d.region for d in corpus.manifest.documents}
    passages = [passage_text(c, regions[c.doc_id]) for c in corpus.clauses]
    # BM25 weights are a function of the whole corpus; every replica recomputes them (jieba
    # over the corpus is cheap next to embedding) so the vocabulary and IDF are local.
    bm25 = build_bm25([tokenizer.tokens(p) for p in passages])
    manifest = read_manifest(client, collection)
    fresh = not _reusable(manifest, embedder)
    if fresh or manifest is None or manifest.corpus_hash != corpus.corpus_hash:
        if fresh:
            create_collection(client, collection, embedder.dim, server=is_server_uri(uri))
            stored: dict[str, tuple[str, np.ndarray]] = {}
        else:
            stored = read_vectors(client, collection)
        vectors, embedded = _reuse_or_embed(corpus, passages, {**(known or {}), **stored}, embedder)
        write_clauses(
            client,
            collection,
            corpus.clauses,
            corpus.manifest,
            vectors,
            bm25_rows(bm25, len(corpus.clauses)),
            passages,
        )
        current = {c.clause_id for c in corpus.clauses}
        delete_clauses(client, collection, sorted(set(stored) - current))
        client.flush(collection)
        files = {
            "backend": "milvus",
            "layout": LAYOUT,
            "collection": collection,
            "embedded": str(embedded),
        }
        manifest = build_manifest(corpus, embedder, tokenizer, started, files)
        # The manifest last: a replica that sees the new corpus hash sees every clause of it.
        write_manifest(client, collection, manifest)
    if manifest.n_clauses != len(corpus.clauses):
        raise BackendError(
            f"Milvus 集合 {collection} 记录 {manifest.n_clauses} 条条款，语料有 "
            f"{len(corpus.clauses)} 条；请删除该集合（或换一个 POLICYQA_MILVUS_COLLECTION）"
            "后重启，服务会从语料重新同步"
        )
    client.load_collection(collection)
    return MilvusBackend(client, collection, manifest, corpus.clauses, corpus.manifest, bm25, uri)


def _reuse_or_embed(
    corpus: IngestResult,
    passages: list[str],
    reusable: Mapping[str, tuple[str, np.ndarray]],
    embedder: Embedder,
) -> tuple[np.ndarray, int]:
    """Each clause's vector: the reusable one when its passage text is unchanged (same sha),
    else embedded now; returns (the vectors in clause order, how many were embedded)."""
    vectors = np.zeros((len(corpus.clauses), embedder.dim), dtype=np.float32)
    missing: list[int] = []
    for i, (clause, text) in enumerate(zip(corpus.clauses, passages, strict=True)):
        old = reusable.get(clause.clause_id)
        if old is not None and old[0] == passage_sha(text):
            vectors[i] = old[1]
        else:
            missing.append(i)
    if missing:
        subset = IngestResult(corpus.manifest, [], [corpus.clauses[i] for i in missing], "")
        vectors[missing] = encode_clauses(subset, embedder)
    return vectors, len(missing)
