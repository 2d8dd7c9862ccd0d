"""Run the real server for a measurement: `app.py` (API + UI, as run.sh serves it) on a free
loopback port, started, waited for until GET /health answers, and stopped afterwards.

    with running_server(index_dir) as server:
        run_load(server.base, questions, total=300, concurrency=32, timeout_s=300)

Used by the browser and load tests and by `eval/bench.py`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from policyqa.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "app.py"


class ServerStartError(RuntimeError):
    """The server exited, or did not answer /health in time; the message shows its log's end."""


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it answers, its process id and where its output goes."""

    base: str
    pid: int
    log: Path | None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(
    index_dir: Path,
    *,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    bind: str | None = "127.0.0.1",
    startup_s: float = 120,
) -> Iterator[RunningServer]:
    """`app.py` over `index_dir` on a free port; yields once /health answers 200, then stops it.

    `log` receives the server's stdout and stderr (discarded when None); `env` is added to this
    process's environment. `bind=None` passes no --host and drops POLICYQA_HOST, so app.py binds
    its own default address (which a test may want to check); the server is reached on
    127.0.0.1 either way.
    """
    port = free_port()
    environment = {**os.environ, "POLICYQA_INDEX_DIR": str(index_dir), **(env or {})}
    command = [sys.executable, str(APP), "--port", str(port)]
    if bind is None:
        environment.pop("POLICYQA_HOST", None)
    else:
        command[2:2] = ["--host", bind]
    with log.open("wb") if log else open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(command, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, base, startup_s, log)
        yield RunningServer(base, proc.pid, log)
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    """Stop a process this one started: SIGTERM, then SIGKILL if it is still there after
    `timeout_s`; returns once it has exited (no zombie left)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


def _wait_until_healthy(
    proc: subprocess.Popen[bytes], base: str, startup_s: float, log: Path | None
) -> None:
    deadline = time.monotonic() + startup_s
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    if proc.poll() is not None:
        state = f"exited with status {proc.returncode}"
    else:
        state = f"did not answer /health within {startup_s:.0f} s"
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log else "(discarded)"
    raise ServerStartError(f"the server {state}; its output:\n{tail}")
