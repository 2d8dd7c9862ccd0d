"""Recovery on start after a change was killed part-way (see `documents.store` for the protocol).

A change writes its new files under docs/, stages the index, swaps the manifest, commits the
index, then deletes the old files. A kill after the swap and before the commit leaves the index
behind the manifest; a kill before the swap or before the old files are deleted leaves files no
manifest entry names. `recover` finishes the first and removes the second, under the build lock.
Never changes the manifest and never builds an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policyqa.corpus.ingest import ingest
from policyqa.corpus.manifest import MANIFEST_NAME, load_manifest
from policyqa.documents.store import DOCS_DIR, companions
from policyqa.search.index import CURRENT
from policyqa.search.lock import DEFAULT_WAIT_SECONDS, build_lock

_STORED_NAME = re.compile(r"^\d{3,}_[0-9a-f]{16}\.(?:txt|docx|pdf)$")
_TEMP_NAME = re.compile(r"^\.\d{3,}_[0-9a-f]{16}\.(?:txt|docx|pdf)\.")


@dataclass(frozen=True)
class Recovery:
    """What `recover` found and did after an interrupted change."""

    committed_build: str | None
    removed_files: tuple[str, ...]

    def lines(self) -> list[str]:
        out = []
        if self.committed_build:
            out.append(f"上次修改在提交索引前中断：已完成提交（{self.committed_build}）。")
        if self.removed_files:
            out.append(f"已清理中断修改留下的 {len(self.removed_files)} 个孤立文件。")
        return out


def recover(
    corpus_dir: Path, index_dir: Path, *, lock_wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Recovery:
    """Finish a change interrupted between the manifest swap and the index commit, and remove
    files under docs/ that no manifest entry names (written before a crash, or old files
    not yet deleted after one).

    The change is finished, not rolled back: the manifest on disk is the new one, and the staged
    build whose corpus hash matches it (checksums verified) is made `current`. Without such a
    build nothing is changed here and loading reports the mismatch with the rebuild command.
    Only files named as the store names them (`NNN_<sha>.txt|docx|pdf`) are ever removed. What
    looks interrupted is checked again under the build lock, so a change still running is
    waited for (at most `lock_wait_seconds`), not undone.
    """
    if not (corpus_dir / MANIFEST_NAME).is_file():
        return Recovery(None, ())
    build, orphans = _interrupted(corpus_dir, index_dir)
    if build is None and not orphans:
        return Recovery(None, ())
    from policyqa.search.index import make_current

    with build_lock(index_dir, lock_wait_seconds):
        build, orphans = _interrupted(corpus_dir, index_dir)
        if build is not None:
            make_current(index_dir, build)
        for path in orphans:
            path.unlink(missing_ok=True)
    return Recovery(build.name if build else None, tuple(f"{DOCS_DIR}/{p.name}" for p in orphans))


def _interrupted(corpus_dir: Path, index_dir: Path) -> tuple[Path | None, list[Path]]:
    """The staged build to commit (if the index is behind the manifest) and the orphan files."""
    from policyqa.search.index import IndexError_, read_manifest, verify_files

    manifest = load_manifest(corpus_dir)
    found: Path | None = None
    current = index_dir / CURRENT
    try:
        behind = current.exists() and read_manifest(current.resolve()).corpus_hash != (
            corpus_hash := ingest(corpus_dir, manifest).corpus_hash
        )
    except IndexError_:
        behind = False  # a damaged index: loading names the file and the rebuild command
    if behind:
        for build in sorted(index_dir.glob("build-*"), reverse=True):
            try:
                staged = read_manifest(build)
                if staged.corpus_hash == corpus_hash and build != current.resolve():
                    verify_files(build, staged)
                    found = build
                    break
            except IndexError_:
                continue
    named: set[str] = set()
    for doc in manifest.documents:
        named.update(companions(corpus_dir, doc))
    docs = corpus_dir / DOCS_DIR
    orphans = [
        path
        for path in (sorted(docs.iterdir()) if docs.is_dir() else [])
        if path.is_file()
        and (
            (_STORED_NAME.match(path.name) and f"{DOCS_DIR}/{path.name}" not in named)
            or _TEMP_NAME.match(path.name)
        )
    ]
    return found, orphans
