"""Stateless replicas: two API processes on one Milvus (`milvus-lite server` on 127.0.0.1,
started here) and one shared corpus directory; a document added through one is answered by
the other without a restart."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from policyqa.corpus.ingest import IngestResult
from policyqa.evaluation.server import free_port, running_server, stop_process
from tests.conftest import seed_milvus
from tests.test_documents import fixture_lines, make_docx

TOKEN = "replica-admin-token"
QUESTION = "枣庄市对新认定的省级技术转移示范机构奖励多少？"
MILVUS_LITE = shutil.which("milvus-lite")


@pytest.fixture()
def milvus_server(tmp_path: Path) -> Iterator[str]:
    """`milvus-lite server` bound to loopback (it binds 0.0.0.0 unless told) on a free port."""
    if MILVUS_LITE is None:
        pytest.fail("milvus-lite is not installed (scripts/setup.sh installs it)")
    port = free_port()
    with (tmp_path / "milvus.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                MILVUS_LITE,
                "server",
                "--data-dir",
                str(tmp_path / "milvus-data"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail(
                f"milvus-lite server did not start: {(tmp_path / 'milvus.log').read_text()}"
            )
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _ask(base: str) -> dict[str, object]:
    body = json.dumps({"question": QUESTION}).encode("utf-8")
    return _post(f"{base}/ask", body, {"Content-Type": "application/json"})


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "policyqa-replica-test"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        "\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_document_added_through_one_replica_is_answered_by_the_other(
    milvus_server: str,
    corpus_copy: Path,
    corpus: IngestResult,
    built_index_dir: Path,
    tmp_path: Path,
) -> None:
    seed_milvus(milvus_server, corpus, built_index_dir)  # the seed corpus, as `policyqa index`
    env = {
        "POLICYQA_BACKEND": "milvus",
        "POLICYQA_MILVUS_URI": milvus_server,
        "POLICYQA_CORPUS_DIR": str(corpus_copy),  # the shared corpus directory
        "POLICYQA_ADMIN_TOKEN": TOKEN,
        "POLICYQA_REFRESH_SECONDS": "1",
        "POLICYQA_WORKERS": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_server(tmp_path / "a", env=env, log=tmp_path / "a.log", startup_s=300) as a,
        running_server(tmp_path / "b", env=env, log=tmp_path / "b.log", startup_s=300) as b,
    ):
        before = _ask(b.base)
        assert all(c["doc_id"] != "zaozhuang-measures-2025" for c in before["citations"])  # type: ignore[union-attr,index]

        body, boundary = _multipart(
            "枣庄市科技成果转化奖励办法.docx", make_docx(fixture_lines("zaozhuang_transfer.txt"))
        )
        added = _post(
            f"{a.base}/documents",
            body,
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
        assert added["action"] == "add"
        added_at = time.monotonic()

        answer: dict[str, object] = {}
        while time.monotonic() - added_at < 30:
            answer = _ask(b.base)
            citations = answer["citations"]
            assert isinstance(citations, list)
            if citations and citations[0]["clause_id"] == "zaozhuang-measures-2025:2.3":
                break
            time.sleep(0.5)
        seconds = time.monotonic() - added_at
        assert answer["citations"][0]["clause_id"] == "zaozhuang-measures-2025:2.3", (  # type: ignore[index]
            f"replica b still answers from the old corpus after {seconds:.0f} s"
        )
        assert "20万元" in str(answer["answer"])
        print(f"replica b answered the new document {seconds:.1f} s after it was added")
