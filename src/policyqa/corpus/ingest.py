"""Corpus → clauses in one call: read, clean and segment every document of a corpus directory.

Owns `ingest` and its result. Never writes to the corpus and never builds an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policyqa.corpus.clean import CleanDocument, load_clean_documents
from policyqa.corpus.manifest import Manifest, corpus_hash
from policyqa.corpus.segment import Clause, segment


@dataclass(frozen=True)
class IngestResult:
    """Everything downstream stages need from a corpus, in manifest order."""

    manifest: Manifest
    documents: list[CleanDocument]
    clauses: list[Clause]
    corpus_hash: str

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.clause_id == clause_id), None)

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc_id == doc_id]


def ingest(corpus_dir: Path, manifest: Manifest | None = None) -> IngestResult:
    """Read, clean and segment the corpus at `corpus_dir`.

    Its `manifest.json` names the documents, unless `manifest` is given: one not yet written
    (the document store ingests a change before it swaps the manifest in).
    """
    manifest, documents = load_clean_documents(corpus_dir, manifest)
    clauses: list[Clause] = []
    for doc, meta in zip(documents, manifest.documents, strict=True):
        clauses.extend(segment(doc, meta))
    return IngestResult(manifest, documents, clauses, corpus_hash(corpus_dir, manifest))
