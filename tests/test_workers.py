"""`app.py` with a worker per core (`serve.workers`): the real server on 127.0.0.1, two workers,
each on its own SO_REUSEPORT socket. Every wait is bounded; nothing is timed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from policyqa.evaluation.server import APP, RunningServer, free_port, running_server
from policyqa.serve.workers import PortInUseError, reuse_port_socket
from policyqa.settings import Settings

WAIT_S = 120


def health_pid(base: str) -> int | None:
    """The pid of the worker that answers /health on a fresh connection; None when the
    connection is reset (it was queued at a worker that was just killed)."""
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            return int(client.get("/health").json()["pid"])
    except httpx.TransportError:
        return None


def workers_seen(base: str, n: int = 2, wait_s: float = WAIT_S) -> set[int]:
    """The worker pids seen on fresh connections until `n` differ (or the wait ends)."""
    seen: set[int] = set()
    deadline = time.monotonic() + wait_s
    while len(seen) < n and time.monotonic() < deadline:
        with ThreadPoolExecutor(max_workers=8) as pool:
            seen |= {p for p in pool.map(lambda _: health_pid(base), range(8)) if p is not None}
    return seen


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"


@pytest.fixture()
def two_workers(test_settings: Settings, tmp_path: Path) -> Iterator[RunningServer]:
    env = {"POLICYQA_WORKERS": "2"}
    with running_server(test_settings.index_dir, env=env, log=tmp_path / "server.log") as server:
        assert len(workers_seen(server.base)) == 2, "the second worker never answered"
        yield server


def _pid_over(sock: socket.socket) -> int:
    """GET /health on an open connection (kept open: HTTP/1.1); the answering worker's pid."""
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    return int(json.loads(data.split(b"\r\n\r\n", 1)[1])["pid"])


def test_kept_alive_connections_are_spread_over_the_workers(two_workers: RunningServer) -> None:
    # Sixteen connections made at once, before any request: with one socket shared by the
    # workers, the first to wake accepted the whole queue and one core served them all; with a
    # socket per worker the kernel spreads them at connect time (all on one: p ≈ 3e-5).
    port = int(two_workers.base.rsplit(":", 1)[1])
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(16)]
    try:
        first = [_pid_over(s) for s in sockets]
        again = [_pid_over(s) for s in sockets]
    finally:
        for s in sockets:
            s.close()
    assert len(set(first)) == 2, first
    assert again == first  # a kept connection stays with its worker


def _runs_uvloop_and_httptools(log: Path | None, pid: int) -> bool:
    """Whether process `pid` said, once started, that it runs on uvloop with httptools (each
    server process logs the class of its running event loop and its HTTP protocol)."""
    assert log is not None
    text = log.read_text(encoding="utf-8", errors="replace")
    return f"进程 {pid} 的事件循环 uvloop.Loop，HTTP 协议 HttpToolsProtocol" in text


def test_every_worker_runs_on_uvloop_with_httptools(two_workers: RunningServer) -> None:
    pids = workers_seen(two_workers.base)
    assert len(pids) == 2
    assert all(_runs_uvloop_and_httptools(two_workers.log, pid) for pid in pids)


def test_a_single_server_process_runs_on_uvloop_with_httptools(
    test_settings: Settings, tmp_path: Path
) -> None:
    env = {"POLICYQA_WORKERS": "1"}
    log = tmp_path / "server.log"
    with running_server(test_settings.index_dir, env=env, log=log) as server:
        assert workers_seen(server.base, n=1) == {server.pid}  # app.py serves by itself
        assert _runs_uvloop_and_httptools(log, server.pid)


def test_a_killed_worker_is_replaced(two_workers: RunningServer) -> None:
    victim, *_ = workers_seen(two_workers.base)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + WAIT_S
    seen: set[int] = set()
    while time.monotonic() < deadline and not (len(seen) == 2 and victim not in seen):
        seen = workers_seen(two_workers.base, wait_s=10)
    assert victim not in seen and len(seen) == 2


def test_workers_die_with_their_parent(test_settings: Settings, tmp_path: Path) -> None:
    with running_server(test_settings.index_dir, env={"POLICYQA_WORKERS": "2"}) as server:
        pids = workers_seen(server.base)
        assert len(pids) == 2
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.2)
        assert not any(alive(p) for p in pids), "a worker outlived its parent"


def test_a_port_held_by_another_program_is_refused_in_chinese(test_settings: Settings) -> None:
    port = free_port()
    holder = socket.socket()
    holder.bind(("127.0.0.1", port))
    holder.listen()
    try:
        with pytest.raises(PortInUseError, match="无法监听 127.0.0.1:"):
            reuse_port_socket("127.0.0.1", port)
        env = {**os.environ, "POLICYQA_INDEX_DIR": str(test_settings.index_dir)}
        command = [sys.executable, str(APP), "--host", "127.0.0.1", "--port", str(port)]
        done = subprocess.run(
            [*command, "--workers", "2"], env=env, capture_output=True, timeout=WAIT_S
        )
    finally:
        holder.close()
    assert done.returncode == 2
    assert "错误: 无法监听" in done.stderr.decode() and "--port" in done.stderr.decode()
