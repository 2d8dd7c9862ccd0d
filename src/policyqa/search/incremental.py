"""Incremental index updates: embed only new or changed clauses, reuse every other vector.

A new `build-*` directory is written next to the current one from (a) the corpus as it will be
after the change and (b) the vectors already stored in the current build: a clause whose id and
passage text are unchanged keeps its stored vector (read back with `reconstruct_n`), every other
clause is embedded. Row order follows the corpus manifest, exactly as `index.build_index` lays it
out, so an incremental update and a full rebuild over the same corpus give the same index.

Updating is two-phase so that callers can change the corpus in between: `stage_update` writes the
new build without touching `current`; `commit_update` repoints `current` atomically (the same
`index.make_current` that `build_index` uses); `discard_update` drops it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from policyqa.corpus.ingest import IngestResult
from policyqa.search.embed import Embedder
from policyqa.search.index import (
    FORMAT_VERSION,
    REBUILD,
    IndexManifest,
    IndexMismatchError,
    SearchIndex,
    build_bm25,
    current_build,
    encode_clauses,
    finish_build,
    load_build,
    make_current,
    passage_text,
    read_manifest,
)
from policyqa.search.tokenize import PolicyTokenizer


@dataclass(frozen=True)
class IndexUpdate:
    """A staged (or committed) incremental build and what it cost."""

    build: Path
    n_clauses: int
    embedded: int
    reused: int
    dropped: int
    seconds: float


def _read_current(index_dir: Path, embedder: Embedder) -> tuple[SearchIndex, np.ndarray]:
    """The current build, checked for integrity and for the embedder that must be reused, and
    its stored vectors (row i = clause i)."""
    build = current_build(index_dir)
    manifest = read_manifest(build)
    _check_reusable(build, manifest, embedder)
    stored = load_build(build, manifest)
    flat = stored.vectors
    vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, flat.d))
    return stored, np.asarray(vectors, dtype=np.float32)


def _check_reusable(build: Path, manifest: IndexManifest, embedder: Embedder) -> None:
    """Refuse to update a build whose format or embedder differs: its vectors cannot be kept."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index in {build} has format {manifest.format_version}, this version writes "
            f"{FORMAT_VERSION}; rebuild it with `{REBUILD}` before adding documents"
        )
    if manifest.embedder != embedder.name or manifest.dim != embedder.dim:
        raise IndexMismatchError(
            f"index was built by {manifest.embedder} ({manifest.dim}d) but {embedder.name} "
            f"({embedder.dim}d) is configured; its vectors cannot be reused. Rebuild it with "
            f"`{REBUILD}` (or set POLICYQA_EMBEDDER back) before adding documents"
        )


def stage_update(
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    index_dir: Path,
) -> IndexUpdate:
    """Write the index of `result` as a new build dir, reusing stored vectors; `current` stays.

    Raises IndexMissingError when there is no current build to start from.
    """
    started = dt.datetime.now(dt.UTC)
    stored, stored_vectors = _read_current(index_dir, embedder)
    old_regions = {d.id: d.region for d in stored.documents.documents}
    old_rows = {
        c.clause_id: (row, passage_text(c, old_regions[c.doc_id]))
        for row, c in enumerate(stored.clauses)
    }
    regions = {d.id: d.region for d in result.manifest.documents}
    texts = [passage_text(c, regions[c.doc_id]) for c in result.clauses]

    vectors = np.zeros((len(result.clauses), embedder.dim), dtype=np.float32)
    fresh: list[int] = []
    reused_rows: set[int] = set()
    for i, (clause, text) in enumerate(zip(result.clauses, texts, strict=True)):
        old = old_rows.get(clause.clause_id)
        if old is not None and old[1] == text:
            vectors[i] = stored_vectors[old[0]]
            reused_rows.add(old[0])
        else:
            fresh.append(i)
    if fresh:
        # encode_clauses embeds in build_index's batch size; the model is batch-invariant.
        subset = IngestResult(result.manifest, [], [result.clauses[i] for i in fresh], "")
        vectors[fresh] = encode_clauses(subset, embedder)

    index_dir.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    try:
        flat = faiss.IndexFlatIP(embedder.dim)
        flat.add(np.ascontiguousarray(vectors))
        faiss.write_index(flat, str(build / "vectors.faiss"))
        # bm25s cannot add documents to a saved index, and the saved index keeps only scores and
        # the vocabulary, not the token lists: BM25 is rebuilt by re-tokenizing every passage
        # (jieba over a few hundred clauses takes well under a second; embedding is the cost).
        build_bm25([tokenizer.tokens(text) for text in texts]).save(
            str(build / "bm25"), show_progress=False
        )
        final, seconds = finish_build(build, index_dir, result, embedder, tokenizer, started)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return IndexUpdate(
        build=final,
        n_clauses=len(result.clauses),
        embedded=len(fresh),
        reused=len(result.clauses) - len(fresh),
        dropped=len(stored.clauses) - len(reused_rows),
        seconds=seconds,
    )


def commit_update(index_dir: Path, update: IndexUpdate) -> Path:
    """Make a staged build `current` with one atomic rename and remove the builds it replaces."""
    make_current(index_dir, update.build)
    return update.build


def discard_update(update: IndexUpdate) -> None:
    """Delete a staged build that will not be committed (the corpus change was abandoned)."""
    shutil.rmtree(update.build, ignore_errors=True)


def update_index(
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    index_dir: Path,
) -> IndexUpdate:
    """Bring the index in line with `result` incrementally and make the new build `current`."""
    update = stage_update(result, embedder, tokenizer, index_dir)
    commit_update(index_dir, update)
    return update
