"""The Milvus backend: one collection of clauses in Milvus (milvus-lite file, server or cluster).

Each clause is one entity: its dense vector, a sparse BM25 vector and the scalar fields doc_id,
region, level and status that filters use. The sparse vectors are filled here from our own
jieba tokens and bm25s weights (not Milvus's built-in BM25 function, whose IDF is computed per
segment), and a query's sparse vector is its token counts, so an inner-product sparse search
returns exactly the scores bm25s would: both backends rank the same data the same way.

A second, tiny collection (`<name>_meta`) holds the index manifest; its `corpus_hash` is the
version replicas compare with the corpus they read (see `search.replicas`).

Owns the collection layout, building, upserting and deleting by clause, and the two searches;
never fuses or ranks (that is `search.retrieve`) and never reads the corpus directory.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import bm25s
import numpy as np

from policyqa.corpus.manifest import Manifest
from policyqa.corpus.segment import Clause
from policyqa.search.backend import BackendError, RowFilter
from policyqa.search.index import IndexManifest

DEFAULT_COLLECTION = "policyqa_clauses"
BATCH = 512
# Milvus caps one search's limit; a larger candidate list is never needed (see Retriever).
MAX_LIMIT = 16384
NO_TOKEN = 2**32 - 2
LAYOUT = "2"  # 2: sparse dimensions are sorted-vocabulary positions (see token_ids)


CONNECT_TIMEOUT_S = 60.0


def connect(uri: str, token: str | None = None) -> Any:
    """A MilvusClient for a local `*.db` file (milvus-lite, one process) or an http(s) server."""
    try:
        from pymilvus import MilvusClient
    except ImportError as e:
        raise BackendError(
            "POLICYQA_BACKEND=milvus 需要 pymilvus 与 milvus-lite：运行 "
            "`pip install -e '.[milvus]'`（或 scripts/setup.sh，它会按该设置安装）"
        ) from e

    try:
        # A milvus-lite file starts its engine in a child process first; on a loaded machine
        # that takes longer than pymilvus's default connect wait, so allow a minute.
        return MilvusClient(uri=uri, token=token or "", timeout=CONNECT_TIMEOUT_S)
    except Exception as e:  # pymilvus raises its own and grpc errors; name the setting
        raise BackendError(
            f"无法连接 Milvus（POLICYQA_MILVUS_URI={uri}）：{e}。"
            "本地文件请用以 .db 结尾的路径，服务器请用 http://host:19530"
        ) from e


def passage_sha(text: str) -> str:
    """Identifies a clause's passage text, so an unchanged clause keeps its stored vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def token_ids(bm25: bm25s.BM25) -> dict[str, int]:
    """Token → sparse dimension: the position in the sorted vocabulary.

    Not bm25s's own ids: those follow set order, which changes with each process's string hash
    seed, and every replica must agree with the process that wrote the collection. The sorted
    vocabulary of the same corpus is the same everywhere (replicas compare corpus versions).
    """
    return {t: i for i, t in enumerate(sorted(t for t in bm25.vocab_dict if t))}


def bm25_rows(bm25: bm25s.BM25, n_docs: int) -> list[dict[int, float]]:
    """Per-clause BM25 weights {sparse dimension: weight} from bm25s's token-major (CSC)
    score matrix."""
    data = np.asarray(bm25.scores["data"], dtype=np.float32)
    indices = np.asarray(bm25.scores["indices"])
    indptr = np.asarray(bm25.scores["indptr"])
    stable = token_ids(bm25)
    rows: list[dict[int, float]] = [{} for _ in range(n_docs)]
    for token, internal in bm25.vocab_dict.items():
        if token not in stable:
            continue
        dim = stable[token]
        for j in range(int(indptr[internal]), int(indptr[internal + 1])):
            weight = float(data[j])
            if weight > 0:
                rows[int(indices[j])][dim] = weight
    return rows


def _quote(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in sorted(values)) + "]"


def filter_expression(where: RowFilter) -> str:
    """The Milvus boolean expression for a filter (empty string: everything)."""
    parts = []
    if where.doc_ids is not None:
        parts.append(f"doc_id in {_quote(list(where.doc_ids))}")
    if where.regions:
        parts.append(f"region in {_quote(list(where.regions))}")
    return " and ".join(parts)


class MilvusBackend:
    """Clauses, dense vectors and BM25 weights in one Milvus collection."""

    name = "milvus"

    def __init__(
        self,
        client: Any,
        collection: str,
        manifest: IndexManifest,
        clauses: list[Clause],
        documents: Manifest,
        bm25: bm25s.BM25,
        uri: str = "",
    ) -> None:
        self.client = client
        self.collection = collection
        self._manifest = manifest
        self._clauses = clauses
        self._documents = documents
        self._bm25 = bm25
        self._vocab_ids = token_ids(bm25)
        self._vocab = frozenset(self._vocab_ids)
        self._rows = {c.clause_id: i for i, c in enumerate(clauses)}
        self._uri = uri
        self._regions = {d.id: d.region for d in documents.documents}

    # -- reading ---------------------------------------------------------------------------
    @property
    def clauses(self) -> list[Clause]:
        return self._clauses

    @property
    def documents(self) -> Manifest:
        return self._documents

    @property
    def manifest(self) -> IndexManifest:
        return self._manifest

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocab

    def count(self, where: RowFilter) -> int:
        if where.everything:
            return len(self._clauses)
        docs = where.doc_ids
        return sum(
            1
            for c in self._clauses
            if (docs is None or c.doc_id in docs)
            and (not where.regions or self._regions[c.doc_id] in where.regions)
        )

    def _search(self, data: list[Any], field: str, k: int, where: RowFilter) -> dict[int, float]:
        if k < 1:
            return {}
        found = self.client.search(
            self.collection,
            data=data,
            anns_field=field,
            limit=min(k, MAX_LIMIT),
            filter=filter_expression(where),
            output_fields=["clause_id"],
            search_params={"metric_type": "IP"},
        )
        out: dict[int, float] = {}
        for hit in found[0]:
            row = self._rows.get(hit["entity"]["clause_id"])
            if row is not None:  # a clause another replica added that this table lacks yet
                out[row] = float(hit["distance"])
        return out

    def dense_search(self, vector: np.ndarray, k: int, where: RowFilter) -> dict[int, float]:
        return self._search([np.asarray(vector, dtype=np.float32).tolist()], "dense", k, where)

    def sparse_search(self, tokens: list[str], k: int, where: RowFilter) -> dict[int, float]:
        counts = Counter(self._vocab_ids[t] for t in tokens if t in self._vocab_ids)
        if not counts:
            return {}
        query = {tid: float(n) for tid, n in counts.items()}
        found = self._search([query], "sparse", k, where)
        return {row: score for row, score in found.items() if score > 0}

    def document_frequency(self, token: str) -> int:
        if token not in self._vocab:
            return 0
        return int(np.count_nonzero(self._bm25.get_scores([token])))

    def stored_vectors(self) -> np.ndarray:
        stored = read_vectors(self.client, self.collection)
        dim = self._manifest.dim
        out = np.zeros((len(self._clauses), dim), dtype=np.float32)
        for i, c in enumerate(self._clauses):
            if c.clause_id in stored:
                out[i] = stored[c.clause_id][1]
        return out

    def stored_version(self) -> str | None:
        manifest = read_manifest(self.client, self.collection)
        return manifest.corpus_hash if manifest else None

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "collection": self.collection,
            "uri": self._uri if self._uri.endswith(".db") else "milvus server",
            "dense": "FLAT/IP" if self._uri.endswith(".db") else "HNSW/IP",
            "sparse": "bm25s weights, SPARSE_INVERTED_INDEX/IP",
        }


# -- collection layout and writing -----------------------------------------------------------
def _meta_name(collection: str) -> str:
    return f"{collection}_meta"


def create_collection(client: Any, collection: str, dim: int, server: bool) -> None:
    """(Re)create the clause collection and its meta collection, empty."""
    from pymilvus import DataType, MilvusClient

    for name in (collection, _meta_name(collection)):
        if client.has_collection(name):
            client.drop_collection(name)
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("clause_id", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=128)
    schema.add_field("region", DataType.VARCHAR, max_length=128)
    schema.add_field("level", DataType.VARCHAR, max_length=16)
    schema.add_field("status", DataType.VARCHAR, max_length=16)
    schema.add_field("passage_sha", DataType.VARCHAR, max_length=64)
    index = client.prepare_index_params()
    if server:
        # Build parameters must be nested: the flat form is silently ignored by pymilvus 3.0.2.
        index.add_index(
            field_name="dense",
            index_type="HNSW",
            metric_type="IP",
            params={"params": {"M": 32, "efConstruction": 200}},
        )
    else:  # milvus-lite: exact search, like the FAISS default
        index.add_index(field_name="dense", index_type="FLAT", metric_type="IP")
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_collection(collection, schema=schema, index_params=index)

    meta = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    meta.add_field("key", DataType.VARCHAR, is_primary=True, max_length=64)
    meta.add_field("value", DataType.VARCHAR, max_length=65535)
    meta.add_field("pad", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires one vector field
    meta_index = client.prepare_index_params()
    meta_index.add_index(field_name="pad", index_type="FLAT", metric_type="L2")
    client.create_collection(_meta_name(collection), schema=meta, index_params=meta_index)


def _batches(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


def write_clauses(
    client: Any,
    collection: str,
    clauses: Sequence[Clause],
    documents: Manifest,
    vectors: np.ndarray,
    sparse: Sequence[dict[int, float]],
    passages: Sequence[str],
) -> None:
    """Upsert every given clause (dense, sparse and scalar fields) by clause id."""
    meta = {d.id: d for d in documents.documents}
    rows = [
        {
            "clause_id": c.clause_id,
            "dense": vectors[i].tolist(),
            # Milvus refuses an empty sparse vector: a clause with no tokens gets a weight on an
            # id no token has, which no query ever contains.
            "sparse": sparse[i] or {NO_TOKEN: 1e-6},
            "doc_id": c.doc_id,
            "region": meta[c.doc_id].region,
            "level": meta[c.doc_id].level,
            "status": meta[c.doc_id].status,
            "passage_sha": passage_sha(passages[i]),
        }
        for i, c in enumerate(clauses)
    ]
    for batch in _batches(rows):
        client.upsert(collection, batch)


def delete_clauses(client: Any, collection: str, clause_ids: Sequence[str]) -> None:
    """Remove clauses by id (documents removed or re-segmented)."""
    for i in range(0, len(clause_ids), BATCH):
        part = list(clause_ids[i : i + BATCH])
        client.delete(collection, filter=f"clause_id in {_quote(part)}")


def read_vectors(client: Any, collection: str) -> dict[str, tuple[str, np.ndarray]]:
    """Every stored clause's (passage sha, dense vector), by clause id."""
    if not client.has_collection(collection):
        return {}
    client.load_collection(collection)
    out: dict[str, tuple[str, np.ndarray]] = {}
    iterator = client.query_iterator(
        collection, batch_size=1000, filter="", output_fields=["passage_sha", "dense"]
    )
    try:
        while True:
            page = iterator.next()
            if not page:
                break
            for row in page:
                vector = np.asarray(row["dense"], dtype=np.float32)
                out[row["clause_id"]] = (row["passage_sha"], vector)
    finally:
        iterator.close()
    return out


def write_manifest(client: Any, collection: str, manifest: IndexManifest) -> None:
    client.upsert(
        _meta_name(collection),
        [{"key": "manifest", "value": manifest.model_dump_json(), "pad": [0.0, 0.0]}],
    )
    client.flush(_meta_name(collection))


def read_manifest(client: Any, collection: str) -> IndexManifest | None:
    """The manifest of the collection's last completed build, or None when there is none."""
    name = _meta_name(collection)
    if not client.has_collection(name):
        return None
    client.load_collection(name)  # a collection is released when the process that made it ends
    found = client.query(name, filter='key == "manifest"', output_fields=["value"])
    if not found:
        return None
    return IndexManifest.model_validate_json(found[0]["value"])
