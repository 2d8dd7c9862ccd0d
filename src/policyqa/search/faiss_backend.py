"""The embedded default backend: FAISS for dense vectors, bm25s for BM25, both in the index dir.

Wraps a `search.index.SearchIndex` (build, load and checksums stay in `search.index`; adding,
replacing and removing documents in `search.incremental`) behind `search.backend.SearchBackend`.
Never ranks or fuses: it returns raw candidate scores.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import faiss
import numpy as np

from policyqa.corpus.manifest import Manifest
from policyqa.corpus.segment import Clause
from policyqa.search.backend import RowFilter
from policyqa.search.index import IndexManifest, SearchIndex


class FaissBackend:
    """FAISS (exact inner product) + bm25s over one loaded index build."""

    name = "faiss"

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._vocab = frozenset(index.bm25.vocab_dict)
        self._doc_of_row = np.array([c.doc_id for c in index.clauses])
        regions = {d.id: d.region for d in index.documents.documents}
        self._region_of_row = np.array([regions[c.doc_id] for c in index.clauses])
        # A search asks for the same filter's rows three times (count, dense, sparse) and
        # questions name the same few regions: the rows of a filter are computed once. The
        # loaded build never changes (a document change loads a new one).
        self._allowed = lru_cache(maxsize=256)(self._allowed_rows)

    @property
    def clauses(self) -> list[Clause]:
        return self.index.clauses

    @property
    def documents(self) -> Manifest:
        return self.index.documents

    @property
    def manifest(self) -> IndexManifest:
        return self.index.manifest

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocab

    @property
    def vectors(self) -> faiss.Index:
        """The FAISS index itself (FAISS-specific: benchmarks and FAISS tests only)."""
        return self.index.vectors

    def allowed_rows(self, where: RowFilter) -> np.ndarray:
        return self._allowed(where)

    def _allowed_rows(self, where: RowFilter) -> np.ndarray:
        mask = np.ones(len(self.index.clauses), dtype=bool)
        if where.doc_ids is not None:
            mask &= np.isin(self._doc_of_row, list(where.doc_ids))
        if where.regions:
            mask &= np.isin(self._region_of_row, list(where.regions))
        rows = np.flatnonzero(mask)
        rows.setflags(write=False)  # shared by every search with this filter
        return rows

    def count(self, where: RowFilter) -> int:
        return len(self.allowed_rows(where))

    def dense_search(self, vector: np.ndarray, k: int, where: RowFilter) -> dict[int, float]:
        allowed = self.allowed_rows(where)
        n = len(allowed)
        if n == 0 or k < 1:
            return {}
        params = None
        if n < self.index.vectors.ntotal:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype("int64")))
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self.index.vectors.search(query, min(n, k), params=params)
        # `tolist` gives the same ints and floats as int()/float() of each numpy scalar, in one
        # call instead of two per clause (every clause of a small corpus is a candidate).
        found = zip(rows[0].tolist(), scores[0].tolist(), strict=True)
        return {r: s for r, s in found if r >= 0}

    def sparse_search(self, tokens: list[str], k: int, where: RowFilter) -> dict[int, float]:
        known = [t for t in tokens if t in self._vocab]
        allowed = self.allowed_rows(where)
        if not known or len(allowed) == 0:
            return {}
        scores = self.index.bm25.get_scores(known)
        candidates = allowed[scores[allowed] > 0]
        top = candidates[np.argsort(-scores[candidates], kind="stable")][:k]
        return dict(zip(top.tolist(), scores[top].tolist(), strict=True))

    def document_frequency(self, token: str) -> int:
        if token not in self._vocab:
            return 0
        return int(np.count_nonzero(self.index.bm25.get_scores([token])))

    def stored_vectors(self) -> np.ndarray:
        flat = self.index.vectors
        if not flat.ntotal:  # reconstruct_n refuses an empty range
            return np.zeros((0, flat.d), dtype=np.float32)
        return np.asarray(flat.reconstruct_n(0, flat.ntotal), dtype=np.float32)

    def stored_version(self) -> str | None:
        return None  # the index directory belongs to this process; the admin API swaps it

    def manifest_entry(self) -> dict[str, Any]:
        return {"backend": self.name, "dense": "faiss.IndexFlatIP", "sparse": "bm25s"}
