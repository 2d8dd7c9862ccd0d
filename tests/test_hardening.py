"""Attacks that used to get through (issue 16), each reproduced against the real service.

Bodies are sent over a raw socket to a real uvicorn server on 127.0.0.1 (chunked, no
Content-Length); zip bombs, a 5,000-page PDF and Big5/Shift-JIS files are generated or stored
under tests/fixtures/encodings/. The attacks are built by `policyqa.evaluation.attacks`, which
`eval/bench_attacks.py` shares to report each reply's seconds. RSS growth of the server process
(the server runs in this process) is printed for every refused attack and must stay under
50 MB; no timing is asserted.
"""

from __future__ import annotations

import errno
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import ValidationError

from policyqa.answer.asking import QuestionError, validate_question
from policyqa.answer.contract import MAX_QUESTION_CHARS, Turn
from policyqa.answer.dialogue import resolve_followup
from policyqa.corpus.errors import UnreadableDocumentError
from policyqa.corpus.readers import (
    DocumentBudgetError,
    ReadLimits,
    extract_text,
    load_source,
    source_from_bytes,
)
from policyqa.documents.recovery import recover
from policyqa.engine import Engine, open_document_store, open_engine
from policyqa.evaluation.attacks import (
    ASK_HEAD,
    ASK_PREFIX,
    EXPANDING_QUESTION,
    FOLLOW_UP,
    LONG_TURN,
    MB,
    MULTIPART_PREFIX,
    many_page_pdf,
    send_chunked,
    upload_head,
    zip_bomb_docx,
)
from policyqa.search.lock import build_lock
from policyqa.serve import cli
from policyqa.serve.api import create_app
from policyqa.settings import Settings
from tests.test_admin_api import AUTH, TOKEN, AdminSettings
from tests.test_documents import fixture_lines, make_docx, make_pdf, snapshot

ENCODINGS = Path(__file__).parent / "fixtures" / "encodings"
VOUCHER = Path(__file__).parent / "fixtures" / "documents" / "linyi_voucher.txt"
RSS_BUDGET = 50 * MB


def state(dirs: tuple[Path, Path]) -> dict[str, str]:
    """Every corpus and index file's hash, without the lock files (created on first use)."""
    return {k: v for k, v in snapshot(*dirs).items() if not k.endswith(".lock")}


def rss_bytes() -> int:
    """Resident set size of this process (the server runs in it), from /proc."""
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * 4096


@pytest.fixture()
def settings(dirs: tuple[Path, Path]) -> AdminSettings:
    return AdminSettings(corpus_dir=dirs[0], index_dir=dirs[1], admin_token=TOKEN)


@pytest.fixture()
def server(settings: AdminSettings) -> Iterator[tuple[str, int]]:
    """A real uvicorn server on 127.0.0.1 (random port), stopped after the test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings, with_ui=False), log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert srv.started
    yield "127.0.0.1", port
    srv.should_exit = True
    thread.join(timeout=30)
    sock.close()


# --- 1. body limits on the bytes received -----------------------------------------------------


def _send_oversized(
    server: tuple[str, int], head: str, fill: bytes, total: int, prefix: bytes, what: str
) -> tuple[int, bytes]:
    """Stream `total` bytes of `fill` chunked after `head` and `prefix`; checks that the server
    answered before it had them all and that memory grew by less than RSS_BUDGET, and returns
    (status, body)."""
    before = rss_bytes()
    reply = send_chunked(server, head, fill * MB, total, prefix=prefix)
    growth = rss_bytes() - before
    print(f"chunked {total >> 20} MB {what}: sent {reply.sent >> 20} MB, RSS +{growth >> 20} MB")
    assert reply.sent < total
    assert growth < RSS_BUDGET
    return reply.status, reply.body


def test_chunked_ask_over_the_limit_is_413_without_reading_it(server: tuple[str, int]) -> None:
    status, body = _send_oversized(server, ASK_HEAD, b"a", 100 * MB, ASK_PREFIX, "/ask")
    assert status == 413
    assert "上限" in json.loads(body)["detail"]
    assert b"aaaa" not in body


def test_chunked_ask_under_the_limit_is_answered(server: tuple[str, int]) -> None:
    question = json.dumps({"question": "临沂市科技创新券怎么申请？"}).encode("utf-8")
    reply = send_chunked(server, ASK_HEAD + "Connection: close\r\n", b"", 0, prefix=question)
    assert reply.status == 200
    assert json.loads(reply.body)["question"] == "临沂市科技创新券怎么申请？"


def test_chunked_upload_without_a_token_is_401_before_the_body(
    server: tuple[str, int], tmp_path: Path
) -> None:
    status, _ = _send_oversized(
        server, upload_head(), b"b", 1024 * MB, MULTIPART_PREFIX, "upload without token"
    )
    assert status == 401


def test_chunked_upload_with_a_token_over_the_limit_is_413(
    server: tuple[str, int], settings: AdminSettings
) -> None:
    # The body is buffered up to the upload limit (20 MB) before it is refused: still far
    # below RSS_BUDGET.
    status, _ = _send_oversized(
        server, upload_head(TOKEN), b"c", 200 * MB, MULTIPART_PREFIX, "upload with token"
    )
    assert status == 413


def test_validation_errors_do_not_echo_the_input(settings: AdminSettings) -> None:
    with TestClient(create_app(settings, with_ui=False)) as client:
        long_question = "申报" * 400
        response = client.post("/ask", json={"question": long_question})
        assert response.status_code == 422
        assert "申报申报" not in response.text
        response = client.post("/ask", json={"question": "x", "extra": "秘密输入内容"})
        assert response.status_code == 422
        assert "秘密输入内容" not in response.text


# --- 2. document budgets ----------------------------------------------------------------------


def test_docx_zip_bomb_is_413_before_inflating(settings: AdminSettings) -> None:
    bomb = zip_bomb_docx(100 * MB, fixture_lines("linyi_voucher.txt"))
    assert len(bomb) < MB
    before = rss_bytes()
    with TestClient(create_app(settings, with_ui=False)) as client:
        response = client.post(
            "/documents", headers=AUTH, files={"file": ("bomb.docx", bomb, "application/zip")}
        )
    growth = rss_bytes() - before
    print(f".docx bomb {len(bomb) >> 10} KB → 100 MB: RSS +{growth >> 20} MB")
    assert response.status_code == 413
    assert "解压后" in response.json()["detail"]
    assert growth < RSS_BUDGET


def test_docx_total_inflated_budget() -> None:
    data = make_docx(fixture_lines("linyi_voucher.txt"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(i.file_size for i in archive.infolist())
    assert extract_text(data, "ok.docx", ReadLimits(docx_total_bytes=total))
    with pytest.raises(DocumentBudgetError, match="解压后共"):
        extract_text(data, "big.docx", ReadLimits(docx_total_bytes=total - 1))


def test_5000_page_pdf_is_refused_on_page_count_before_extraction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pypdf import PageObject

    data = many_page_pdf(5000)

    def no_extraction(*args: object, **kwargs: object) -> str:
        raise AssertionError("text extracted from a PDF over the page limit")

    monkeypatch.setattr(PageObject, "extract_text", no_extraction)
    before = rss_bytes()
    with pytest.raises(DocumentBudgetError, match="共 5000 页，超过 500 页上限"):
        source_from_bytes("long.pdf", data)
    print(f"5,000-page PDF ({len(data) >> 10} KB): RSS +{(rss_bytes() - before) >> 20} MB")


def test_pdf_extracted_characters_are_budgeted() -> None:
    data = make_pdf(fixture_lines("jining_incubator.txt"))
    text = extract_text(data, "ok.pdf")
    with pytest.raises(DocumentBudgetError, match="字上限"):
        extract_text(data, "big.pdf", ReadLimits(text_chars=len(text) // 2))


def test_clauses_per_document_are_capped(settings: AdminSettings, dirs: tuple[Path, Path]) -> None:
    store = open_document_store(settings)
    source = load_source(Path(__file__).parent / "fixtures" / "documents" / "jining_incubator.txt")
    proposal = store.propose(source)
    store.max_clauses = 1
    before = state(dirs)
    with pytest.raises(DocumentBudgetError, match="条的上限"):
        store.add(source, proposal.meta)
    assert state(dirs) == before


# --- 3. encodings and file types by content ---------------------------------------------------


@pytest.mark.parametrize("name", ["linyi_voucher.big5.txt", "linyi_voucher.shift_jis.txt"])
def test_big5_and_shift_jis_are_refused_in_chinese(name: str) -> None:
    with pytest.raises(UnreadableDocumentError, match="无法可靠识别文本编码"):
        load_source(ENCODINGS / name)


def test_gb18030_is_still_read() -> None:
    source = load_source(ENCODINGS / "linyi_voucher.gb18030.txt")
    assert source.text.startswith("临沂市科技创新券管理办法")


def test_file_type_is_decided_by_content() -> None:
    pdf = make_pdf(fixture_lines("jining_incubator.txt"))
    with pytest.raises(UnreadableDocumentError, match="内容却是 .pdf"):
        extract_text(pdf, "x.txt")
    docx = make_docx(fixture_lines("linyi_voucher.txt"))
    with pytest.raises(UnreadableDocumentError, match="内容却是 .docx"):
        extract_text(docx, "x.pdf")


# --- 7. I/O errors ----------------------------------------------------------------------------


def _enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_is_a_json_507_and_changes_nothing(
    settings: AdminSettings, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = VOUCHER.read_bytes()
    before = state(dirs)
    monkeypatch.setattr("policyqa.documents.store._atomic_write", _enospc)
    with TestClient(create_app(settings, with_ui=False)) as client:
        response = client.post(
            "/documents", headers=AUTH, files={"file": ("v.txt", data, "text/plain")}
        )
    assert response.status_code == 507
    assert "磁盘空间不足" in response.json()["detail"]
    assert state(dirs) == before


def test_disk_full_is_an_error_line_in_the_cli(
    settings: AdminSettings,
    dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = VOUCHER
    before = state(dirs)
    monkeypatch.setattr("policyqa.documents.store._atomic_write", _enospc)
    assert cli.main(["add", str(path), "--yes"], settings) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误: 磁盘空间不足")
    assert "Traceback" not in err
    assert state(dirs) == before


# --- 4. the embedded query is bounded ---------------------------------------------------------


def test_text_that_expands_under_nfkc_is_refused() -> None:
    # 480 × U+FDFA is 480 characters typed and 8,640 after NFKC: refused, not cut.
    with pytest.raises(QuestionError, match="规范化后过长"):
        validate_question(EXPANDING_QUESTION)
    assert validate_question("泰安省级孵化器补多少？") == "泰安省级孵化器补多少？"


def test_search_refuses_text_that_expands(settings: AdminSettings) -> None:
    with TestClient(create_app(settings, with_ui=False)) as client:
        response = client.get("/search", params={"q": EXPANDING_QUESTION})
    assert response.status_code == 422
    assert "\ufdfa" not in response.text


def test_followup_after_a_long_turn_is_bounded(engine: Engine) -> None:
    assert len(LONG_TURN) > 3000
    history = [Turn(role="user", content=LONG_TURN), Turn(role="assistant", content="……")]
    resolved = resolve_followup(FOLLOW_UP, history, ["泰安"])
    assert len(resolved) <= MAX_QUESTION_CHARS
    assert resolved.endswith("要交什么材料呢?")  # the follow-up itself is kept
    answer = engine.answerer.answer(FOLLOW_UP, history)
    assert answer.resolved_question is not None
    assert len(answer.resolved_question) <= MAX_QUESTION_CHARS


# --- 5. one build lock ------------------------------------------------------------------------


def test_a_second_build_exits_2_while_one_runs(
    settings: AdminSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    waiting = settings.model_copy(update={"lock_wait_seconds": 0.5})
    with build_lock(settings.index_dir):  # the first writer (another process in real life)
        assert cli.main(["index"], waiting) == 2
        assert "另一个索引构建正在进行" in capsys.readouterr().err
        assert cli.main(["add", str(VOUCHER), "--yes"], waiting) == 2
        assert "另一个索引构建正在进行" in capsys.readouterr().err
        with TestClient(create_app(waiting, with_ui=False)) as client:
            response = client.delete("/documents/anything", headers=AUTH)
        assert response.status_code == 409
        assert "另一个索引构建正在进行" in response.json()["detail"]
    # Released: the same build goes through.
    assert cli.main(["index"], waiting) == 0


def test_a_second_writer_with_wait_0_fails_at_once(
    dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # From the environment, as a deployment sets it: the setting reaches the writer.
    monkeypatch.setenv("POLICYQA_LOCK_WAIT_SECONDS", "0")
    settings = AdminSettings(corpus_dir=dirs[0], index_dir=dirs[1], admin_token=TOKEN)
    assert settings.lock_wait_seconds == 0
    before = state(dirs)
    with build_lock(settings.index_dir):
        started = time.monotonic()
        assert cli.main(["add", str(VOUCHER), "--yes"], settings) == 2
        elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert "另一个索引构建正在进行" in err
    assert "等待 0 秒后放弃" in err  # the wait it was given, not the 120 s default
    # Loose on purpose (model load on shared cores): far below the default wait of 120 s.
    assert elapsed < 60, elapsed
    assert state(dirs) == before


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_lock_wait_that_is_not_a_duration_is_refused(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYQA_LOCK_WAIT_SECONDS", value)
    with pytest.raises(ValidationError, match="lock_wait_seconds"):
        Settings()


def test_concurrent_builds_are_serialized(settings: AdminSettings) -> None:
    with ThreadPoolExecutor(2) as pool:
        builds = [pool.submit(cli.main, ["index"], settings) for _ in range(2)]
        assert [build.result(timeout=300) for build in builds] == [0, 0]
    assert not list(settings.index_dir.glob(".building-*"))
    assert open_engine(settings).retriever.index.manifest.n_clauses > 0


# --- 6. a kill at every commit step leaves a state that loads -----------------------------------

_KILLED_CHANGE = """
import os, sys
from pathlib import Path
import policyqa.documents.store as store_module
from policyqa.corpus.readers import load_source
from policyqa.engine import open_document_store
from policyqa.settings import Settings

corpus_dir, index_dir, step, action, target = sys.argv[1:6]
real = getattr(store_module, step)

def killed(*args, **kwargs):
    if step == "commit_update" and action == "remove":
        real(*args, **kwargs)  # the commit lands; the kill comes before old files are deleted
    os._exit(9)  # a SIGKILL: no cleanup runs

setattr(store_module, step, killed)
store = open_document_store(Settings(corpus_dir=Path(corpus_dir), index_dir=Path(index_dir)))
if action == "add":
    source = load_source(Path(target))
    store.add(source, store.propose(source).meta)
else:
    store.remove(target)
os._exit(0)
"""


def _kill_during(settings: AdminSettings, step: str, action: str, target: str) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [str(settings.corpus_dir), str(settings.index_dir), step, action, target]
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_CHANGE, *args], env=env, timeout=300, check=False
    )
    assert done.returncode == 9  # killed at the step, not finished and not failed before it


def _consistent(settings: AdminSettings) -> set[str]:
    """Recover, then check the engine loads and docs/ holds only files the manifest names."""
    recover(settings.corpus_dir, settings.index_dir)
    engine = open_engine(settings)  # raises if the index does not match the corpus
    docs = settings.corpus_dir / "docs"
    named = {Path(d.source_file).stem for d in engine.corpus.manifest.documents}
    assert {p.stem for p in docs.iterdir()} <= named
    return {d.id for d in engine.corpus.manifest.documents}


@pytest.mark.parametrize(
    ("step", "added"),
    [("ingest", False), ("write_manifest", False), ("commit_update", True)],
)
def test_a_kill_during_add_recovers_on_start(
    settings: AdminSettings, step: str, added: bool
) -> None:
    before = set(_consistent(settings))
    _kill_during(settings, step, "add", str(VOUCHER))
    after = _consistent(settings)
    # Before the manifest swap the add never happened; after it, recovery finished it.
    assert (len(after) == len(before) + 1) is added
    assert before <= after


def test_a_kill_after_the_commit_of_a_remove_leaves_no_orphans(settings: AdminSettings) -> None:
    store = open_document_store(settings)
    source = load_source(VOUCHER)
    report = store.add(source, store.propose(source).meta)
    assert report.document is not None
    doc_id = report.document.id
    _kill_during(settings, "commit_update", "remove", doc_id)
    assert doc_id not in _consistent(settings)


def test_recovery_starts_the_server_after_a_kill_before_the_commit(
    settings: AdminSettings,
) -> None:
    _kill_during(settings, "commit_update", "add", str(VOUCHER))
    with TestClient(create_app(settings, with_ui=False)) as client:  # used to refuse to start
        assert client.get("/health").status_code == 200
        docs = client.get("/documents").json()
    assert any("创新券" in d["title"] for d in docs)


# --- 8. the access log carries no question --------------------------------------------------------


def test_access_log_has_the_route_but_not_the_query(
    server: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging
    import urllib.parse
    import urllib.request

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("uvicorn.access")
    handler = Collect()
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(handler)
    try:
        query = urllib.parse.urlencode({"q": "机密问题创新券"})
        with urllib.request.urlopen(f"http://{server[0]}:{server[1]}/search?{query}") as reply:
            assert reply.status == 200
    finally:
        logger.removeHandler(handler)
    assert any("GET /search HTTP" in r and "200" in r for r in records), records
    assert not any("q=" in r or "%E6" in r for r in records)
