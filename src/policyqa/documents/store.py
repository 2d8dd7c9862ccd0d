"""Adding, replacing and removing policy documents in a corpus directory, as one transaction.

The file is copied into `corpus/docs/` as received (for Word and PDF the text read from it is
stored beside it as `.txt`, which is what the manifest names and ingestion reads), the manifest
is rewritten atomically, and the index is updated incrementally (`policyqa.search.incremental`).
Every check runs before anything is written, and a failure part-way removes what was written,
so on any error the corpus and the index are left as they were.

Owns `DocumentStore`, its lock and `ChangeReport`. Never reads a file format itself
(`corpus.readers`), never guesses metadata (`corpus.metadata`) and never judges a rule
(`rules.review`); `policyqa.engine.open_document_store` wires it to the configured model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from policyqa.corpus.clean import (
    Correction,
    clean_text,
    decode_bytes,
    load_corrections,
    read_document,
)
from policyqa.corpus.errors import (
    DocumentConflictError,
    DocumentError,
    DuplicateDocumentError,
    UnknownDocumentError,
)
from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.corpus.manifest import (
    MANIFEST_NAME,
    CorpusError,
    DocumentMeta,
    Manifest,
    load_manifest,
)
from policyqa.corpus.metadata import Proposal, propose_metadata
from policyqa.corpus.readers import SUPPORTED_SUFFIXES, DocumentBudgetError
from policyqa.corpus.segment import Clause, SegmentError, segment
from policyqa.corpus.source import SourceFile
from policyqa.rules.review import (
    KIND_NAMES,
    Reference,
    ReviewItem,
    blocking,
    references_to,
    review_removed,
    review_replaced,
)
from policyqa.rules.table import RULES_FILE, RuleBook, RulesError, load_rules
from policyqa.rules.validate import Problem, check_corpus
from policyqa.search.embed import Embedder
from policyqa.search.incremental import IndexUpdate, commit_update, discard_update, stage_update
from policyqa.search.index import CURRENT
from policyqa.search.lock import DEFAULT_WAIT_SECONDS, build_lock
from policyqa.search.tokenize import PolicyTokenizer

DOCS_DIR = "docs"
MAX_CLAUSES = 2000


@dataclass(frozen=True)
class ChangeReport:
    """What one add / replace / remove did to the corpus and the index."""

    action: Literal["add", "replace", "remove"]
    document: DocumentMeta | None
    previous: DocumentMeta | None
    clauses: tuple[str, ...]
    removed_clauses: tuple[str, ...]
    index: IndexUpdate | None
    review: tuple[ReviewItem, ...] = ()
    problems: tuple[Problem, ...] = ()  # rules.validate of the table after the change

    def lines(self) -> list[str]:
        """A Chinese summary for the command line."""
        out: list[str] = []
        doc, old = self.document, self.previous
        if self.action == "add" and doc:
            out.append(f"已添加 {doc.id}（{doc.title}）：{len(self.clauses)} 条条款。")
        elif self.action == "replace" and doc and old:
            out.append(
                f"已用新文本替换 {old.id}"
                + (f" → {doc.id}" if doc.id != old.id else "")
                + f"（{doc.title}）：移除旧条款 {len(self.removed_clauses)} 条，"
                f"新条款 {len(self.clauses)} 条。"
            )
        elif old:
            out.append(f"已删除 {old.id}（{old.title}）：移除条款 {len(self.removed_clauses)} 条。")
        if self.index is None:
            out.append("尚未建立索引：首次检索时会自动建立（或运行 policyqa index）。")
        else:
            u = self.index
            out.append(
                f"索引已增量更新：新嵌入 {u.embedded} 条，沿用 {u.reused} 条，移除 {u.dropped} 条，"
                f"共 {u.n_clauses} 条，用时 {u.seconds:.1f} 秒。"
            )
        if self.review:
            out.append(f"rules.toml 中有 {len(self.review)} 个条目与旧条款相关，需要复核：")
            for item in self.review:
                out.append(
                    f"  {KIND_NAMES[item.kind]} {item.ref}（{item.clause_id}）：{item.reason}"
                )
        if self.problems:
            count = len(self.problems)
            out.append(f"{RULES_FILE} 校验发现 {count} 个问题（policyqa rules check）：")
            out.extend(f"  {p.line()}" for p in self.problems)
            if doc and any(p.clause_id.startswith(f"{doc.id}:") for p in self.problems):
                out.append(f"生成候选规则以供审核：policyqa rules propose {doc.id}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the admin API."""
        return {
            "action": self.action,
            "document": self.document.model_dump(mode="json") if self.document else None,
            "previous": self.previous.model_dump(mode="json") if self.previous else None,
            "clauses": list(self.clauses),
            "removed_clauses": list(self.removed_clauses),
            "index": (
                {
                    "embedded": self.index.embedded,
                    "reused": self.index.reused,
                    "dropped": self.index.dropped,
                    "n_clauses": self.index.n_clauses,
                    "seconds": self.index.seconds,
                }
                if self.index
                else None
            ),
            "review": [item.__dict__ for item in self.review],
            "problems": [problem.__dict__ for problem in self.problems],
        }


def _segment_text(
    text: str, meta: DocumentMeta, corrections: list[Correction], limit: int | None = None
) -> list[Clause]:
    """Clauses of one document's text, as ingestion will produce them; at least one, and for a
    new document at most `limit`."""
    try:
        clauses = segment(clean_text(text, meta.id, corrections), meta)
    except SegmentError as e:
        raise DocumentError(f"无法切分条款：{e}") from e
    if not clauses:
        raise DocumentError(f"{meta.id}: 清理后没有正文，无法切分出条款；请检查文件内容")
    if limit is not None and len(clauses) > limit:
        raise DocumentBudgetError(
            f"{meta.id}: 切分出 {len(clauses)} 条条款，超过每份文件 {limit} 条的上限，"
            "不像一份政策文件；请拆分后再添加 (too many clauses)"
        )
    return clauses


def _clause_ids(clauses: list[Clause]) -> tuple[str, ...]:
    return tuple(c.clause_id for c in clauses)


def _fingerprint(text: str) -> str:
    """A hash of the text without whitespace: the same content in another file format."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def companions(corpus_dir: Path, meta: DocumentMeta) -> list[str]:
    """The manifest's text file of a document plus its original (.docx/.pdf) beside it."""
    path = corpus_dir / meta.source_file
    files = [meta.source_file]
    for other in sorted(path.parent.glob(f"{_glob_escape(path.stem)}.*")):
        if other != path and other.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(str(other.relative_to(corpus_dir)))
    return files


def _glob_escape(text: str) -> str:
    """`text` with glob metacharacters bracketed, for matching it literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file in the same directory, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_manifest(corpus_dir: Path, manifest: Manifest) -> None:
    """Rewrite manifest.json atomically, in the layout of the hand-written one."""
    path = corpus_dir / MANIFEST_NAME
    payload = {"documents": [d.model_dump(mode="json") for d in manifest.documents]}
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    _atomic_write(path, text.encode("utf-8"), mode)


class DocumentStore:
    """A corpus directory and its index, changed one document at a time under a file lock."""

    def __init__(
        self,
        corpus_dir: Path,
        index_dir: Path,
        embedder: Embedder,
        tokenizer: PolicyTokenizer,
        *,
        max_clauses: int = MAX_CLAUSES,
        lock_wait_seconds: float = DEFAULT_WAIT_SECONDS,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.index_dir = index_dir
        self.embedder = embedder
        self.tokenizer = tokenizer
        # Per new document; `policyqa.engine.open_document_store` passes POLICYQA_MAX_CLAUSES
        # and POLICYQA_LOCK_WAIT_SECONDS.
        self.max_clauses = max_clauses
        self.lock_wait_seconds = lock_wait_seconds

    # -- queries --

    def manifest(self) -> Manifest:
        """The corpus manifest as it is on disk now."""
        return load_manifest(self.corpus_dir)

    def get(self, doc_id: str) -> DocumentMeta:
        """One document's manifest entry, or UnknownDocumentError listing the known ids."""
        manifest = self.manifest()
        for doc in manifest.documents:
            if doc.id == doc_id:
                return doc
        known = ", ".join(d.id for d in manifest.documents)
        raise UnknownDocumentError(f"没有文档 {doc_id!r}；现有文档ID：{known}")

    def propose(
        self,
        source: SourceFile,
        overrides: Mapping[str, str | None] | None = None,
        replacing: str | None = None,
    ) -> Proposal:
        """The metadata `add` (or `replace` of `replacing`) would use for `source`."""
        previous = self.get(replacing) if replacing else None
        return propose_metadata(source, self.manifest(), overrides, previous)

    # -- changes --

    def add(self, source: SourceFile, meta: DocumentMeta) -> ChangeReport:
        """Add a new document (its `source_file` is assigned here) and index its clauses."""
        with self._locked():
            manifest = self.manifest()
            existing = {d.id: d for d in manifest.documents}
            if meta.id in existing:
                raise DocumentConflictError(
                    f"文档ID {meta.id} 已被《{existing[meta.id].title}》使用；用 --id 另取一个ID，"
                    f"或用 `policyqa replace {meta.id} FILE` 替换它"
                )
            self._refuse_duplicate(manifest, source, replacing=None)
            meta, files = self._place(source, meta)
            clauses = _segment_text(
                source.text, meta, load_corrections(self.corpus_dir), self.max_clauses
            )
            update, problems = self._apply_checked([*manifest.documents, meta], files, [])
        return ChangeReport("add", meta, None, _clause_ids(clauses), (), update, (), problems)

    def replace(self, doc_id: str, source: SourceFile, meta: DocumentMeta) -> ChangeReport:
        """Replace a document's text (a draft by its final version) in place in the manifest;
        rules.toml entries tied to the old clauses are reported for review."""
        with self._locked():
            manifest = self.manifest()
            old = self.get(doc_id)
            if meta.id != doc_id and any(d.id == meta.id for d in manifest.documents):
                raise DocumentConflictError(f"文档ID {meta.id} 已被另一个文档使用；换一个 --id")
            self._refuse_duplicate(manifest, source, replacing=doc_id)
            references = self._references(doc_id)
            if meta.id != doc_id:
                self._refuse_if_needed(doc_id, references, "改用新的文档ID")
            corrections = load_corrections(self.corpus_dir)
            removed = self._stored_clause_ids(old, corrections)
            meta, files = self._place(source, meta)
            clauses = _segment_text(source.text, meta, corrections, self.max_clauses)
            documents = [meta if d.id == doc_id else d for d in manifest.documents]
            update, problems = self._apply_checked(
                documents, files, companions(self.corpus_dir, old)
            )
        review = review_replaced(references, clauses)
        added = _clause_ids(clauses)
        return ChangeReport("replace", meta, old, added, removed, update, review, problems)

    def remove(self, doc_id: str) -> ChangeReport:
        """Remove a document and its clauses; refused while rules.toml still needs it."""
        with self._locked():
            manifest = self.manifest()
            old = self.get(doc_id)
            if len(manifest.documents) == 1:
                raise DocumentConflictError(f"{doc_id} 是语料中唯一的文档，不能删除")
            references = self._references(doc_id)
            self._refuse_if_needed(doc_id, references, "删除")
            removed = self._stored_clause_ids(old, load_corrections(self.corpus_dir))
            documents = [d for d in manifest.documents if d.id != doc_id]
            update, problems = self._apply_checked(documents, {}, companions(self.corpus_dir, old))
        review = review_removed(references)
        return ChangeReport("remove", None, old, (), removed, update, review, problems)

    # -- helpers --

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One change at a time across threads and processes, and never during a full build:
        the index directory's one build lock (`search.lock`), waited for at most
        `lock_wait_seconds`."""
        with build_lock(self.index_dir, self.lock_wait_seconds):
            yield

    def _stored_clause_ids(
        self, doc: DocumentMeta, corrections: list[Correction]
    ) -> tuple[str, ...]:
        """The clause ids a document of the corpus has now (read from its stored text)."""
        text = read_document(self.corpus_dir / doc.source_file)
        return _clause_ids(_segment_text(text, doc, corrections))

    def _apply_checked(
        self, documents: list[DocumentMeta], new_files: dict[str, bytes], old_files: list[str]
    ) -> tuple[IndexUpdate | None, tuple[Problem, ...]]:
        """`_apply`, then the rule table validated against the changed corpus."""
        corpus, update = self._apply(documents, new_files, old_files)
        return update, tuple(check_corpus(self.corpus_dir, corpus.clauses))

    def _refuse_duplicate(
        self, manifest: Manifest, source: SourceFile, replacing: str | None
    ) -> None:
        sha = source.sha256
        text_print = _fingerprint(source.text)
        for doc in manifest.documents:
            for rel in companions(self.corpus_dir, doc):
                data = (self.corpus_dir / rel).read_bytes()
                same = hashlib.sha256(data).hexdigest() == sha
                if not same and rel == doc.source_file:
                    with contextlib.suppress(CorpusError):
                        same = _fingerprint(decode_bytes(data, rel)) == text_print
                if not same:
                    continue
                if doc.id == replacing:
                    raise DuplicateDocumentError(
                        f"{source.name} 与 {doc.id} 的现有文本内容相同（sha256 {sha[:12]}…），"
                        "无需替换"
                    )
                raise DuplicateDocumentError(
                    f"{source.name} 的内容已在语料中：与 {doc.id}（{doc.title}）相同"
                    f"（sha256 {sha[:12]}…），未重复添加。如要更新该文档，请用 "
                    f"`policyqa replace {doc.id} FILE`"
                )

    def _place(
        self, source: SourceFile, meta: DocumentMeta
    ) -> tuple[DocumentMeta, dict[str, bytes]]:
        """The new files under docs/ (the file as received, plus its text for .docx/.pdf)."""
        docs = self.corpus_dir / DOCS_DIR
        numbers = [
            int(m.group(1))
            for p in (docs.iterdir() if docs.is_dir() else [])
            if (m := re.match(r"^(\d{3,})_", p.name))
        ]
        stem = f"{DOCS_DIR}/{max(numbers, default=-1) + 1:03d}_{source.sha256[:16]}"
        text_file = f"{stem}.txt"
        if source.suffix == ".txt":
            files = {text_file: source.data}
        else:
            files = {text_file: source.text.encode("utf-8"), f"{stem}{source.suffix}": source.data}
        return meta.model_copy(update={"source_file": text_file}), files

    def _rules(self) -> RuleBook | None:
        if not (self.corpus_dir / RULES_FILE).is_file():
            return None
        try:
            return load_rules(self.corpus_dir)
        except RulesError as e:
            raise DocumentError(
                f"{RULES_FILE} 无法加载，无法判断哪些规则依赖这份文档：{e}；请先修好 {RULES_FILE}"
            ) from e

    def _references(self, doc_id: str) -> list[Reference]:
        """Every rules.toml entry tied to the document (none without a rules.toml)."""
        book = self._rules()
        return references_to(book, doc_id) if book is not None else []

    @staticmethod
    def _refuse_if_needed(doc_id: str, references: list[Reference], what: str) -> None:
        # Without the entries that must name a document of the manifest, the rule table (and
        # with it the engine) no longer loads.
        needed = blocking(references)
        if not needed:
            return
        names = "、".join(r.ref for r in needed[:8])
        more = f" 等 {len(needed)} 条" if len(needed) > 8 else ""
        raise DocumentConflictError(
            f"{RULES_FILE} 仍有条目引用 {doc_id}（{names}{more}），{what}后规则表将无法加载。"
            f"请先在 corpus/{RULES_FILE} 中删除或改写这些条目；若是用定稿替换征求意见稿，"
            f"请用 `policyqa replace {doc_id} FILE` 并保留原文档ID"
        )

    def _apply(
        self, documents: list[DocumentMeta], new_files: dict[str, bytes], old_files: list[str]
    ) -> tuple[IngestResult, IndexUpdate | None]:
        """Write new files, stage the index, swap the manifest, then commit the index.

        Anything failing before the manifest swap removes the new files and the staged build,
        so the corpus and index stay as they were; old files are deleted only after the swap.
        """
        written: list[Path] = []
        update: IndexUpdate | None = None
        try:
            for rel, data in new_files.items():
                path = self.corpus_dir / rel
                if path.exists():
                    raise DocumentConflictError(f"{path} 已存在；请重试")
                _atomic_write(path, data)
                written.append(path)
            manifest = Manifest(documents=documents)
            try:
                result = ingest(self.corpus_dir, manifest)
            except SegmentError as e:
                raise DocumentError(f"无法切分条款：{e}") from e
            if (self.index_dir / CURRENT).exists():
                update = stage_update(result, self.embedder, self.tokenizer, self.index_dir)
            write_manifest(self.corpus_dir, manifest)
        except BaseException:
            if update is not None:
                discard_update(update)
            for path in written:
                path.unlink(missing_ok=True)
            raise
        if update is not None:
            # A crash between the manifest swap and this rename leaves an index that loading
            # refuses as "from another corpus" with the rebuild command: never a wrong answer.
            commit_update(self.index_dir, update)
        for rel in old_files:
            (self.corpus_dir / rel).unlink(missing_ok=True)
        return result, update
