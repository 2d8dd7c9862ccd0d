"""The corpus manifest: which documents a corpus directory holds and what each one is.

Owns `manifest.json` (the `DocumentMeta` entries, in the order clauses are indexed in), the
names of the corpus directory's files, and the corpus hash an index is tied to. Never reads a
document's text and never cleans or segments it (that is `corpus.clean` and `corpus.segment`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MANIFEST_NAME = "manifest.json"
CORRECTIONS_NAME = "corrections.toml"


class CorpusError(Exception):
    """A corpus problem the user must fix (missing file, unreadable encoding, bad manifest)."""


class DocumentMeta(BaseModel):
    """One manifest entry: what a document is and where its file lives (relative to corpus/)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    issuer: str | None = None
    region: str
    level: Literal["province", "city", "district"]
    date: dt.date | None = None
    doc_no: str | None = None
    status: Literal["draft", "in_force"]
    source_file: str


class Manifest(BaseModel):
    """The corpus manifest: documents in a fixed order (the order clauses are indexed in)."""

    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentMeta]

    def get(self, doc_id: str) -> DocumentMeta:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        known = ", ".join(d.id for d in self.documents)
        raise CorpusError(f"unknown document id {doc_id!r}; known ids: {known}")


def load_manifest(corpus_dir: Path) -> Manifest:
    """Read and validate `corpus_dir/manifest.json`; every listed file must exist."""
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        raise CorpusError(
            f"no manifest at {path}; point POLICYQA_CORPUS_DIR at a corpus directory "
            f"that has {MANIFEST_NAME}"
        )
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path} is not a valid manifest: {e}") from e
    ids = [d.id for d in manifest.documents]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CorpusError(f"{path}: duplicate document ids {dupes}")
    for doc in manifest.documents:
        if not (corpus_dir / doc.source_file).is_file():
            raise CorpusError(
                f"manifest entry {doc.id!r} names {doc.source_file}, which is not in {corpus_dir}; "
                "restore the file or remove the entry from the manifest"
            )
    return manifest


def corpus_hash(corpus_dir: Path, manifest: Manifest) -> str:
    """A hash over the manifest and every document's bytes: changes whenever the corpus does."""
    digest = hashlib.sha256()
    digest.update(manifest.model_dump_json().encode("utf-8"))
    for name in (CORRECTIONS_NAME,):
        extra = corpus_dir / name
        if extra.is_file():
            digest.update(extra.read_bytes())
    for doc in manifest.documents:
        digest.update(doc.id.encode("utf-8"))
        digest.update((corpus_dir / doc.source_file).read_bytes())
    return digest.hexdigest()
