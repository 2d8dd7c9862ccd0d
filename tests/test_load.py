"""A bounded load test against the real server (app.py under uvicorn on 127.0.0.1).

Short on purpose (300 requests); the 5,000-request figure comes from `eval/bench.py`. No timing
is asserted: only that every request was answered and the server stayed healthy and quiet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from policyqa.evaluation.loadgen import LoadConfigError, percentile, run_load, varied_questions
from policyqa.evaluation.server import RunningServer, free_port, running_server
from policyqa.settings import Settings

REQUESTS = 300
CONCURRENCY = 32


@pytest.fixture(scope="module")
def server(
    test_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """app.py (API + UI, as run.sh serves it) on a free loopback port, over the session index."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    # No --host and no POLICYQA_HOST: the default bind address is under test.
    with running_server(test_settings.index_dir, log=log, bind=None) as running:
        yield running


def _listening(table: Path, port: int) -> set[str]:
    """Local addresses (hex, as the kernel lists them) of sockets listening on `port`."""
    rows = [line.split() for line in table.read_text().splitlines()[1:]]
    return {r[1] for r in rows if r[3] == "0A" and int(r[1].rsplit(":", 1)[1], 16) == port}


def test_the_server_listens_on_loopback_only_by_default(server: RunningServer) -> None:
    port = int(server.base.rsplit(":", 1)[1])
    assert _listening(Path("/proc/net/tcp"), port) == {f"0100007F:{port:04X}"}
    assert _listening(Path("/proc/net/tcp6"), port) == set()


def test_concurrent_ask_load_has_no_errors(server: RunningServer) -> None:
    questions = varied_questions(120)
    # Bounded by count and by one overall deadline; no per-request time limit is asserted.
    report = run_load(
        server.base, questions, REQUESTS, CONCURRENCY, timeout_s=300, request_timeout_s=300
    )
    assert report.timed_out is False, report.summary()
    assert (report.sent, report.ok, report.errors) == (REQUESTS, REQUESTS, 0), report.summary()
    assert report.status_counts == {200: REQUESTS}
    assert len(report.latencies_ms) == REQUESTS
    assert 0 < report.p50_ms <= report.p95_ms <= report.max_ms


def test_server_answers_correctly_after_the_load(server: RunningServer) -> None:
    body = httpx.post(f"{server.base}/ask", json={"question": "泰安对省级加速器补多少？"}).json()
    assert body["calculation"]["amount_yuan"] == 300000
    assert body["citations"][0]["clause_id"] == "taian-opinions-draft:3.6.17"
    assert httpx.get(f"{server.base}/health").json()["status"] == "ok"


@pytest.mark.parametrize(
    "path",
    [
        "/ui/file=/etc/passwd",
        "/ui/gradio_api/file=/etc/passwd",
        "/ui/gradio_api/file=../../../../etc/passwd",
        "/ui/gradio_api/file=%2Fetc%2Fpasswd",
        "/ui/gradio_api/file=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/ui/static/../../../../etc/passwd",
        "/ui/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/ui/gradio_api/file=corpus/manifest.json",
    ],
)
def test_the_ui_mount_serves_no_file_outside_its_own(server: RunningServer, path: str) -> None:
    # Sent raw so that neither the client nor the URL parser folds the "..".
    url = httpx.URL(server.base).copy_with(raw_path=path.encode())
    response = httpx.get(url)
    assert response.status_code in (400, 403, 404, 405), response.status_code
    assert "root:" not in response.text and "rizhao-rules-2025" not in response.text


def test_server_log_has_no_traceback_and_no_question_text(server: RunningServer) -> None:
    # Runs after the load and the traversal attempts (file order): the log is the evidence.
    assert server.log is not None
    text = server.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Exception" not in text
    assert "泰安对省级加速器补多少" not in text and "横向项目" not in text


def test_load_parameters_are_bounded() -> None:
    with pytest.raises(LoadConfigError, match="loopback"):
        run_load("http://10.0.0.1:7860", ["q"], 1, 1, 1.0)
    with pytest.raises(LoadConfigError, match="empty"):
        run_load("http://127.0.0.1:9", [], 1, 1, 1.0)
    with pytest.raises(LoadConfigError, match="≥ 1"):
        run_load("http://127.0.0.1:9", ["q"], 0, 1, 1.0)


def test_refused_connections_are_counted_not_raised() -> None:
    report = run_load(f"http://127.0.0.1:{free_port()}", ["q"], 5, 2, timeout_s=20)
    assert (report.sent, report.ok, report.errors) == (5, 0, 5)
    assert report.error_kinds == {"ConnectError": 5}


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert [percentile(values, q) for q in (10, 50, 95, 100)] == [1.0, 5.0, 10.0, 10.0]
    assert percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        percentile(values, 0)


def test_varied_questions_are_distinct_and_deterministic() -> None:
    questions = varied_questions(500)
    assert len(set(questions)) == 500 and questions == varied_questions(500)
    assert questions[0] == "泰安对省级加速器补多少？"
