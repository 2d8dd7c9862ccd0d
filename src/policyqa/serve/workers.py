"""Worker processes for `app.py`: one uvicorn server per core, each on its own listening socket.

uvicorn's own `workers=N` shares one listening socket between its processes; a client that keeps
its connections open (a pool of 16, as an evaluation script or a proxy holds) then finds all of
them accepted by whichever process woke first, and one core does the work of two. Here each
worker binds the port itself with SO_REUSEPORT, so the kernel spreads connections over the
workers by their address hash. The parent only supervises: it starts the workers, restarts one
that dies, and stops them all on SIGINT / SIGTERM. Each worker dies with the parent (Linux
PR_SET_PDEATHSIG), so a killed parent leaves no server behind. Never builds an index (app.py
does, once, before any worker starts).

Every server process (a worker, or app.py's single one) runs uvicorn on uvloop with the
httptools parser, named explicitly (`server_config`): they take about 0.4 ms of CPU per /ask
off the event loop's thread (1.8 → 1.4 ms at concurrency 16) compared with the plain asyncio
loop and h11, and a missing package fails at start instead of falling back silently. Each
says which loop and parser it runs once it has started (`Server`).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

APP_FACTORY = "policyqa.serve.api:create_app"
# uvicorn's fast parts (what its `standard` extra adds), asked for by name.
LOOP = "uvloop"
HTTP = "httptools"
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


def server_config(app: Any, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for `app` on uvloop with the httptools parser."""
    return uvicorn.Config(app, loop=LOOP, http=HTTP, **options)


class Server(uvicorn.Server):
    """uvicorn's server that logs, once started, the event loop and HTTP protocol it runs."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        loop = type(asyncio.get_running_loop())
        logging.getLogger("uvicorn.error").info(
            "policyqa: 进程 %d 的事件循环 %s.%s，HTTP 协议 %s",
            os.getpid(),
            loop.__module__,
            loop.__qualname__,
            self.config.http_protocol_class.__name__,
        )


def serve_app(app: Any, host: str, port: int, log_level: str = "info") -> None:
    """Serve `app` in this process (app.py with one worker)."""
    Server(server_config(app, host=host, port=port, log_level=log_level)).run()


def serve_worker(host: str, port: int, log_level: str) -> None:
    """One worker (the spawned process's target): its own socket, then the API and UI."""
    _die_with_parent()
    sock = reuse_port_socket(host, port)
    sock.listen(2048)
    Server(server_config(APP_FACTORY, factory=True, log_level=log_level)).run(sockets=[sock])


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
