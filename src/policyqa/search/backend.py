"""The search-backend interface: what `Retriever` may ask of the store behind it.

A backend holds the clause table, the dense vectors and the sparse (BM25) weights of one corpus
and answers two questions — the nearest clauses to a query vector, and the clauses scoring
above zero for a bag of query tokens — under a region/document filter. Rows are positions in
`clauses`; every backend returns the same rows and scores for the same data, so the fusion,
the sentence re-rank and the relevance floor (all in `search.retrieve`) are shared.

This module owns the protocol and the filter type only; it never imports a backend library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from policyqa.corpus.manifest import Manifest
from policyqa.corpus.segment import Clause

BACKENDS = ("faiss", "milvus")


class BackendError(Exception):
    """A search backend cannot be opened or does not hold what the corpus needs."""


@dataclass(frozen=True)
class RowFilter:
    """Which clauses a search may return: only these documents and/or only these regions."""

    doc_ids: frozenset[str] | None = None
    regions: frozenset[str] = frozenset()

    @classmethod
    def of(cls, doc_ids: Iterable[str] | None, regions: Iterable[str]) -> RowFilter:
        return cls(frozenset(doc_ids) if doc_ids is not None else None, frozenset(regions))

    @property
    def everything(self) -> bool:
        return self.doc_ids is None and not self.regions


@runtime_checkable
class SearchBackend(Protocol):
    """A loaded corpus index: row i of every part is `clauses[i]`."""

    @property
    def name(self) -> str:
        """Which backend this is (`faiss`, `milvus`), as recorded in its manifest entry."""
        ...

    @property
    def clauses(self) -> list[Clause]: ...

    @property
    def documents(self) -> Manifest: ...

    @property
    def manifest(self) -> Any:
        """The index manifest (`search.index.IndexManifest`): embedder, corpus hash, built_at."""
        ...

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token that occurs in some clause (for query coverage and IDF)."""
        ...

    def count(self, where: RowFilter) -> int:
        """How many clauses pass the filter."""
        ...

    def dense_search(self, vector: np.ndarray, k: int, where: RowFilter) -> dict[int, float]:
        """Up to k rows nearest to one unit query vector (inner product), with their scores."""
        ...

    def sparse_search(self, tokens: list[str], k: int, where: RowFilter) -> dict[int, float]:
        """Up to k rows with a positive BM25 score for the query tokens (known tokens only)."""
        ...

    def document_frequency(self, token: str) -> int:
        """How many clauses contain the token."""
        ...

    def stored_vectors(self) -> np.ndarray:
        """Every stored dense vector, row i = clause i (read back for incremental updates)."""
        ...

    def stored_version(self) -> str | None:
        """The corpus hash the shared store holds now (a replica reloads when it differs from
        the corpus it serves); None when the index belongs to this process alone."""
        ...

    def manifest_entry(self) -> dict[str, Any]:
        """What the backend records about itself in manifests and /health (at least `backend`)."""
        ...
