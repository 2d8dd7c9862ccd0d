"""Worker processes for `app.py`: one uvicorn server per core, each on its own listening socket.

uvicorn's own `workers=N` shares one listening socket between its processes; a client that keeps
its connections open (a pool of 16, as an evaluation script or a proxy holds) then finds all of
them accepted by whichever process woke first, and one core does the work of two. Here each
worker binds the port itself with SO_REUSEPORT, so the kernel spreads connections over the
workers by their address hash. The parent only supervises: it starts the workers, restarts one
that dies, and stops them all on SIGINT / SIGTERM. Each worker dies with the parent (Linux
PR_SET_PDEATHSIG), so a killed parent leaves no server behind. Never builds an index (app.py
does, once, before any worker starts).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

APP_FACTORY = "policyqa.serve.api:create_app"
# A worker that dies sooner than this after its start is failing, not crashing once: after
# MAX_QUICK_DEATHS such deaths in a row the parent gives up instead of restarting forever.
QUICK_DEATH_S = 10.0
MAX_QUICK_DEATHS = 3
_PR_SET_PDEATHSIG = 1


class PortInUseError(OSError):
    """The port is held by another program (one that did not set SO_REUSEPORT)."""


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT: several such sockets of one user
    share the port and the kernel balances new connections between those that listen."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise PortInUseError(
            e.errno,
            f"无法监听 {host}:{port}：{e.strerror}。请换一个端口（--port）或停止占用它的程序。",
        ) from e
    return sock


def _die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent exits (no orphaned workers)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the parent's SIGTERM still stops workers
        pass


def serve_worker(host: str, port: int, log_level: str) -> None:
    """One worker (the spawned process's target): its own socket, then the API and UI."""
    _die_with_parent()
    sock = reuse_port_socket(host, port)
    sock.listen(2048)
    config = uvicorn.Config(APP_FACTORY, factory=True, log_level=log_level)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(host: str, port: int, workers: int, log_level: str = "info") -> int:
    """Serve on (host, port) with `workers` processes until SIGINT / SIGTERM; the exit code.

    The port is checked first (a PortInUseError says so in Chinese); a worker that dies is
    started again, unless workers keep dying at start, which ends the run with exit code 1.
    """
    reuse_port_socket(host, port).close()  # taken by another program: fail here, not N times
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = spawn.Process(target=serve_worker, args=(host, port, log_level))
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    started = {start(): time.monotonic() for _ in range(workers)}
    quick_deaths = 0
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for process, since in list(started.items()):
                if process.is_alive() or stopping:
                    continue
                del started[process]
                quick = time.monotonic() - since < QUICK_DEATH_S
                quick_deaths = quick_deaths + 1 if quick else 0
                print(
                    f"policyqa: 工作进程 {process.pid} 已退出（代码 {process.exitcode}），"
                    + (
                        "重新启动。"
                        if quick_deaths < MAX_QUICK_DEATHS
                        else "多次启动失败，停止服务。"
                    ),
                    file=sys.stderr,
                )
                if quick_deaths >= MAX_QUICK_DEATHS:
                    stopping, code = True, 1
                    break
                started[start()] = time.monotonic()
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
