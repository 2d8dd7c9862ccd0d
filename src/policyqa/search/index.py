"""Build, save and load the search index: FAISS vectors, BM25, the clause table, a manifest.

Layout of the index directory (`POLICYQA_INDEX_DIR`):

    current -> build-<timestamp>/      a symlink, swapped atomically when a build completes
    build-<timestamp>/manifest.json    how it was built: embedder, dim, corpus hash, versions,
                                       and a sha256 of every file below
    build-<timestamp>/clauses.jsonl    row i = clause i = FAISS vector i = BM25 document i
    build-<timestamp>/documents.json   the corpus manifest the index was built from
    build-<timestamp>/vectors.faiss    inner-product index over unit vectors
    build-<timestamp>/bm25/            bm25s index over jieba tokens

A build writes a new `build-*` directory and only then repoints `current`, so a crash or a
kill at any moment leaves the previous index loadable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np
from pydantic import BaseModel, ValidationError

from policyqa import __version__
from policyqa.corpus.ingest import IngestResult
from policyqa.corpus.manifest import Manifest
from policyqa.corpus.segment import Clause
from policyqa.search.embed import Embedder
from policyqa.search.lock import DEFAULT_WAIT_SECONDS, build_lock
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.text import normalize

FORMAT_VERSION = 2  # 2: passage text carries the heading (see passage_text)
CURRENT = "current"
REBUILD = "policyqa index"


class IndexError_(Exception):
    """Base of index problems; every message ends with the command that fixes it."""


class IndexMissingError(IndexError_):
    """No index has been built in the index directory yet."""


class IndexMismatchError(IndexError_):
    """The index was built from another corpus, another embedder or another format."""


class IndexCorruptError(IndexError_):
    """An index file is missing, truncated or altered."""


class IndexManifest(BaseModel):
    """What an index was built from; loading compares it with the running configuration."""

    format_version: int
    package_version: str
    embedder: str
    dim: int
    tokenizer: str
    corpus_hash: str
    n_clauses: int
    built_at: str
    build_seconds: float
    files: dict[str, str]


def build_manifest(
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    started: dt.datetime,
    files: dict[str, str],
) -> IndexManifest:
    """The manifest of a build of `result` begun at `started` and finished now, for any backend
    (`files`: what the backend records of its stored files or layout)."""
    return IndexManifest(
        format_version=FORMAT_VERSION,
        package_version=__version__,
        embedder=embedder.name,
        dim=embedder.dim,
        tokenizer=tokenizer.signature,
        corpus_hash=result.corpus_hash,
        n_clauses=len(result.clauses),
        built_at=started.isoformat(timespec="seconds"),
        build_seconds=round((dt.datetime.now(dt.UTC) - started).total_seconds(), 3),
        files=files,
    )


@dataclass
class SearchIndex:
    """A loaded index: row i of every part is clause i."""

    manifest: IndexManifest
    clauses: list[Clause]
    documents: Manifest
    vectors: faiss.Index
    bm25: bm25s.BM25
    path: Path
    _rows: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rows = {c.clause_id: i for i, c in enumerate(self.clauses)}

    def row_of(self, clause_id: str) -> int | None:
        return self._rows.get(clause_id)


def passage_text(clause: Clause, region: str) -> str:
    """What is embedded and BM25-indexed for a clause: region, heading, then its search text.

    The heading is repeated on purpose: a clause's title ("实施重大科技攻关项目") is the strongest
    single signal of what it is about, and BM25 weighs repeated terms.
    """
    heading = normalize(clause.heading) if clause.heading else ""
    return f"{region} {heading} {clause.search_text}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): _sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def encode_clauses(result: IngestResult, embedder: Embedder, batch_size: int = 32) -> np.ndarray:
    """Unit vectors of every clause's passage text, in clause order."""
    regions = {d.id: d.region for d in result.manifest.documents}
    texts = [passage_text(c, regions[c.doc_id]) for c in result.clauses]
    parts = [
        embedder.encode_passages(texts[i : i + batch_size])
        for i in range(0, len(texts), batch_size)
    ]
    vectors = np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def build_bm25(token_lists: list[list[str]]) -> bm25s.BM25:
    """A bm25s index over pre-tokenized documents."""
    bm25 = bm25s.BM25()
    bm25.index(token_lists, show_progress=False)
    return bm25


def build_index(
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    index_dir: Path,
    *,
    lock_wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> Path:
    """Build the whole index into a fresh directory and atomically make it `current`; waits at
    most `lock_wait_seconds` for another writer of `index_dir` to finish."""
    with build_lock(index_dir, lock_wait_seconds):  # one writer at a time (search.lock)
        return _build_index(result, embedder, tokenizer, index_dir)


def _build_index(
    result: IngestResult, embedder: Embedder, tokenizer: PolicyTokenizer, index_dir: Path
) -> Path:
    started = dt.datetime.now(dt.UTC)
    index_dir.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    try:
        regions = {d.id: d.region for d in result.manifest.documents}
        vectors = encode_clauses(result, embedder)
        flat = faiss.IndexFlatIP(embedder.dim)
        flat.add(vectors)
        faiss.write_index(flat, str(build / "vectors.faiss"))

        tokens = [tokenizer.tokens(passage_text(c, regions[c.doc_id])) for c in result.clauses]
        build_bm25(tokens).save(str(build / "bm25"), show_progress=False)
        final, _ = finish_build(build, index_dir, result, embedder, tokenizer, started)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    make_current(index_dir, final)
    return final


def finish_build(
    build: Path,
    index_dir: Path,
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    started: dt.datetime,
) -> tuple[Path, float]:
    """Write the clause table, documents and manifest next to the vectors and BM25 already in
    `build`, then rename it to its final `build-*` name; returns (that path, build seconds)."""
    with (build / "clauses.jsonl").open("w", encoding="utf-8") as f:
        for clause in result.clauses:
            f.write(clause.model_dump_json() + "\n")
    (build / "documents.json").write_text(result.manifest.model_dump_json(), encoding="utf-8")
    manifest = build_manifest(result, embedder, tokenizer, started, _hash_files(build))
    (build / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    final = index_dir / f"build-{started.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    build.rename(final)
    return final, manifest.build_seconds


def make_current(index_dir: Path, build: Path) -> None:
    """Repoint `current` at a finished build atomically, then remove the builds it replaces."""
    _point_current(index_dir, build)
    _remove_stale_builds(index_dir, keep=build)


def _point_current(index_dir: Path, target: Path) -> None:
    """Repoint `current` with one atomic rename of a new symlink over the old one."""
    link = index_dir / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(target.name)
    os.replace(link, index_dir / CURRENT)


def _remove_stale_builds(index_dir: Path, keep: Path) -> None:
    for entry in index_dir.iterdir():
        stale_build = entry.name.startswith("build-") and entry != keep
        if stale_build or entry.name.startswith((".building-", f".{CURRENT}.")):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f".{CURRENT}."):
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()


def current_build(index_dir: Path) -> Path:
    """The directory `current` points to, or IndexMissingError with the build command."""
    link = index_dir / CURRENT
    if not link.exists():
        raise IndexMissingError(
            f"no index in {index_dir}; build it with `{REBUILD}` (or set POLICYQA_INDEX_DIR)"
        )
    return link.resolve()


def read_manifest(build: Path) -> IndexManifest:
    try:
        return IndexManifest.model_validate_json((build / "manifest.json").read_text("utf-8"))
    except (OSError, ValidationError, UnicodeDecodeError) as e:
        raise IndexCorruptError(
            f"index manifest in {build} is unreadable ({type(e).__name__}); "
            f"rebuild with `{REBUILD}`"
        ) from e


def check_compatible(manifest: IndexManifest, embedder: Embedder, corpus_hash: str) -> None:
    """Refuse an index built by another embedder, from another corpus or in another format."""
    problems = []
    if manifest.format_version != FORMAT_VERSION:
        problems.append(f"format {manifest.format_version} (this version reads {FORMAT_VERSION})")
    if manifest.embedder != embedder.name or manifest.dim != embedder.dim:
        problems.append(
            f"embedder {manifest.embedder} ({manifest.dim}d), "
            f"configured {embedder.name} ({embedder.dim}d)"
        )
    if manifest.corpus_hash != corpus_hash:
        problems.append("the corpus changed since the index was built")
    if problems:
        raise IndexMismatchError(
            "index does not match the current setup: "
            + "; ".join(problems)
            + f". Rebuild it with `{REBUILD}`."
        )


def verify_files(build: Path, manifest: IndexManifest) -> None:
    """Refuse a build whose files differ from the checksums its manifest recorded."""
    actual = _hash_files(build)
    if actual != manifest.files:
        damaged = sorted(
            name
            for name in set(actual) | set(manifest.files)
            if actual.get(name) != manifest.files.get(name)
        )
        raise IndexCorruptError(
            f"index files in {build} are missing or damaged ({', '.join(damaged)}); "
            f"rebuild with `{REBUILD}`"
        )


def load_index(index_dir: Path, embedder: Embedder, corpus_hash: str) -> SearchIndex:
    """Load `current`, verifying every file's checksum and the manifest against the setup."""
    build = current_build(index_dir)
    manifest = read_manifest(build)
    check_compatible(manifest, embedder, corpus_hash)
    return load_build(build, manifest)


def load_build(build: Path, manifest: IndexManifest) -> SearchIndex:
    """Read one build whose manifest the caller has accepted (`load_index` checks it against the
    running setup, an incremental update against the embedder it reuses): every file against its
    checksum, then every part, and the row counts against each other."""
    verify_files(build, manifest)
    try:
        with (build / "clauses.jsonl").open(encoding="utf-8") as f:
            clauses = [Clause.model_validate_json(line) for line in f]
        documents = Manifest.model_validate_json((build / "documents.json").read_text("utf-8"))
        vectors = faiss.read_index(str(build / "vectors.faiss"))
        bm25 = bm25s.BM25.load(str(build / "bm25"), show_progress=False, verbosity=0)
    except (OSError, ValueError, RuntimeError, json.JSONDecodeError) as e:
        raise IndexCorruptError(
            f"cannot read the index in {build} ({e}); rebuild with `{REBUILD}`"
        ) from e
    if vectors.ntotal != len(clauses) or len(clauses) != manifest.n_clauses:
        raise IndexCorruptError(
            f"index in {build} has {vectors.ntotal} vectors for {len(clauses)} clauses; "
            f"rebuild with `{REBUILD}`"
        )
    return SearchIndex(manifest, clauses, documents, vectors, bm25, build)


def ensure_index(
    result: IngestResult,
    embedder: Embedder,
    tokenizer: PolicyTokenizer,
    index_dir: Path,
    *,
    lock_wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> SearchIndex:
    """Load the index, building it first when none exists (a mismatch is still refused)."""
    if not (index_dir / CURRENT).exists():
        build_index(result, embedder, tokenizer, index_dir, lock_wait_seconds=lock_wait_seconds)
    return load_index(index_dir, embedder, result.corpus_hash)
