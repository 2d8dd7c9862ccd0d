"""A bounded load generator for the HTTP API: N requests at concurrency C, with a hard deadline.

Used by the load test, the benchmark (`eval/bench.py`) and the README's reliability figures:

    report = run_load("http://127.0.0.1:7860", questions, total=5000, concurrency=32, timeout_s=600)
    print(report.summary())

Every run is bounded twice: it sends at most `total` requests, and it stops starting new ones
at `timeout_s` (a request in flight never outlives the deadline either), so it always ends by
itself. An error is anything but a 200 with a JSON answer object: another status, a timeout,
a connection failure or an unreadable body. Only loopback servers are meant as targets.

The client is a minimal HTTP/1.1 one on asyncio streams (`_Connection`): one kept-alive
connection per concurrent sender, a POST with a Content-Length body, and a response read by its
Content-Length, chunked encoding or the connection's end. It runs on the same cores as the
server it measures, so its cost is the server's loss: a general client (httpx) spent about
2 ms of CPU per request, this one about 0.3 ms. Failures are counted under the names
httpx gives them (ConnectError, ReadError, WriteError, RemoteProtocolError; "timeout").
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import uvloop

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_REQUEST_TIMEOUT_S = 30.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class LoadConfigError(ValueError):
    """Load parameters that cannot make a bounded run (no questions, zero requests, …)."""


@dataclass(frozen=True)
class LoadReport:
    """What a load run did: counts, latency percentiles (ms) and throughput."""

    path: str
    total: int
    concurrency: int
    sent: int
    ok: int
    errors: int
    status_counts: dict[int, int]
    error_kinds: dict[str, int]
    wall_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    timed_out: bool = False
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def throughput_rps(self) -> float:
        """Completed requests (any outcome) per second of wall time."""
        return self.sent / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (the raw latencies are left out)."""
        return {
            "path": self.path,
            "total": self.total,
            "concurrency": self.concurrency,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "status_counts": {str(k): v for k, v in sorted(self.status_counts.items())},
            "error_kinds": dict(sorted(self.error_kinds.items())),
            "wall_s": round(self.wall_s, 3),
            "throughput_rps": round(self.throughput_rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "mean_ms": round(self.mean_ms, 2),
            "timed_out": self.timed_out,
        }

    def summary(self) -> str:
        """One line for a terminal."""
        stop = "，到时停止" if self.timed_out else ""
        return (
            f"{self.path}: {self.sent}/{self.total} 请求，并发 {self.concurrency}，"
            f"成功 {self.ok}，错误 {self.errors}{stop}；"
            f"p50 {self.p50_ms:.1f} ms，p95 {self.p95_ms:.1f} ms，max {self.max_ms:.1f} ms；"
            f"{self.throughput_rps:.1f} req/s（{self.wall_s:.1f} s）"
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q ≤ 100) of `values`; 0.0 for no values.

    Nearest rank, not interpolation: the figure is always a latency that was observed.
    """
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {q}")
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


def _check(
    base_url: str, questions: Sequence[str], total: int, concurrency: int, timeout_s: float
) -> None:
    if not questions:
        raise LoadConfigError("questions is empty: give at least one question to send")
    if total < 1 or concurrency < 1:
        raise LoadConfigError(f"total ({total}) and concurrency ({concurrency}) must be ≥ 1")
    if not timeout_s > 0:
        raise LoadConfigError(f"timeout_s must be positive, got {timeout_s}")
    host = urlsplit(base_url).hostname or ""
    if host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise LoadConfigError(
            f"{base_url} is not a loopback address; load runs only target servers on this machine "
            "(127.0.0.1)"
        )


class TransportError(Exception):
    """A request that got no complete HTTP response; `kind` is how the report counts it."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass(frozen=True)
class _Target:
    """Where requests go: host and port to connect to, and the Host header and path prefix."""

    host: str
    port: int
    authority: bytes
    prefix: str

    @classmethod
    def parse(cls, base_url: str) -> _Target:
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise LoadConfigError(f"{base_url}: only http:// targets are supported")
        host = parts.hostname or ""
        port = parts.port or 80
        return cls(host, port, parts.netloc.encode("idna"), parts.path.rstrip("/"))


_MAX_HEAD = 64 * 1024


def _kind(error: OSError, otherwise: str) -> str:
    """How an operating-system error is counted: a timeout as one, anything else as `otherwise`."""
    return "timeout" if isinstance(error, TimeoutError) else otherwise


class _Connection:
    """One kept-alive HTTP/1.1 connection: `post` sends a request and reads its response."""

    def __init__(self, target: _Target) -> None:
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is not None and self.writer is not None:
            if not self.reader.at_eof() and not self.writer.is_closing():
                return self.reader, self.writer
            self.close()  # the server closed it while idle: open a new one, as httpx does
        try:
            reader, writer = await asyncio.open_connection(
                self.target.host, self.target.port, limit=_MAX_HEAD
            )
        except OSError as e:
            raise TransportError(_kind(e, "ConnectError"), str(e)) from e
        self.reader, self.writer = reader, writer
        return reader, writer

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` (JSON) to `path`: the status and the body of the response."""
        reader, writer = await self._open()
        head = (
            f"POST {self.target.prefix}{path} HTTP/1.1\r\n".encode("ascii")
            + b"Host: "
            + self.target.authority
            + b"\r\n"
            b"Accept: */*\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n"
        )
        try:
            writer.write(head + body)
            await writer.drain()
        except OSError as e:
            self.close()
            raise TransportError(_kind(e, "WriteError"), str(e)) from e
        try:
            status, keep_alive, content = await _read_response(reader)
        except TransportError:
            self.close()
            raise
        except OSError as e:
            self.close()
            raise TransportError(_kind(e, "ReadError"), str(e)) from e
        if not keep_alive:
            self.close()
        return status, content


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Status, whether the connection stays open, and the body of one HTTP/1.1 response."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        raise TransportError(
            "RemoteProtocolError", "Server disconnected without sending a response."
        ) from e
    except asyncio.LimitOverrunError as e:
        raise TransportError("RemoteProtocolError", "response head too long") from e
    lines = head[:-4].split(b"\r\n")
    status_line = lines[0].split(b" ", 2)
    if (
        len(status_line) < 2
        or not status_line[0].startswith(b"HTTP/1.")
        or not (status_line[1].isdigit())
    ):
        raise TransportError("RemoteProtocolError", f"bad status line {lines[0][:80]!r}")
    status = int(status_line[1])
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise TransportError("RemoteProtocolError", f"bad header line {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get(b"connection", b"").lower() != b"close" and status_line[0] != (
        b"HTTP/1.0"
    )
    try:
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return status, keep_alive, await _read_chunked(reader)
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                raise TransportError("RemoteProtocolError", f"bad Content-Length {length!r}")
            return status, keep_alive, await reader.readexactly(int(length))
        if status in (204, 304) or 100 <= status < 200:
            return status, keep_alive, b""
        return status, False, await reader.read()  # delimited by the connection's end
    except asyncio.IncompleteReadError as e:
        raise TransportError("RemoteProtocolError", "peer closed connection mid-body") from e


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as e:
            raise TransportError("RemoteProtocolError", f"bad chunk size {size_text!r}") from e
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _is_answer(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("answer"), str)


async def run_load_async(
    base_url: str,
    questions: Sequence[str],
    total: int,
    concurrency: int,
    timeout_s: float,
    *,
    path: str = "/ask",
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
) -> LoadReport:
    """Send `total` POST `path` requests ({"question": questions[i % len]}) at `concurrency`.

    Stops starting requests at `timeout_s` after the start; each request is also cut off at
    `request_timeout_s` or at the deadline, whichever comes first.
    """
    _check(base_url, questions, total, concurrency, timeout_s)
    target = _Target.parse(base_url)
    started = time.perf_counter()
    deadline = started + timeout_s
    next_index = 0
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    timed_out = False

    async def worker(connection: _Connection) -> None:
        nonlocal next_index, timed_out
        while next_index < total:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                timed_out = True
                return
            i = next_index
            next_index += 1
            payload = json.dumps(
                {"question": questions[i % len(questions)]}, ensure_ascii=False
            ).encode("utf-8")
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(min(request_timeout_s, remaining)):
                    status, body = await connection.post(path, payload)
            except TimeoutError:
                connection.close()  # its response may still come: never read it as another's
                kinds["timeout"] += 1
                continue
            except TransportError as e:
                kinds[e.kind] += 1
                continue
            finally:
                latencies.append((time.perf_counter() - t0) * 1000)
            statuses[status] += 1
            if status != 200:
                kinds[f"status_{status}"] += 1
            elif not _is_answer(body):
                kinds["bad_body"] += 1

    connections = [_Connection(target) for _ in range(concurrency)]
    try:
        await asyncio.gather(*(worker(c) for c in connections))
    finally:
        for c in connections:
            c.close()
    wall = time.perf_counter() - started
    errors = sum(kinds.values())
    sent = len(latencies)
    return LoadReport(
        path=path,
        total=total,
        concurrency=concurrency,
        sent=sent,
        ok=sent - errors,
        errors=errors,
        status_counts=dict(statuses),
        error_kinds=dict(kinds),
        wall_s=wall,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        mean_ms=sum(latencies) / sent if sent else 0.0,
        timed_out=timed_out,
        latencies_ms=latencies,
    )


def _blocking(fn: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, R]:
    """The same call from synchronous code: runs the coroutine in its own event loop (uvloop,
    as the server does: the client's CPU is taken from the server it measures)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(fn(*args, **kwargs))

    return run


# `run_load_async` for synchronous callers (tests, the benchmark script).
run_load = _blocking(run_load_async)


# --- a workload -------------------------------------------------------------------------------

# Realistic questions over the corpus: lookups, amounts with inputs, traditional characters,
# colloquial forms and out-of-scope ones. Templates with {n} yield any number of distinct
# questions (distinct strings defeat an answer cache: a "cold" workload).
SAMPLE_QUESTIONS: tuple[str, ...] = (
    "泰安对省级加速器补多少？",
    "横向项目实际支付80万元能支持多少？",
    "揭榜挂帅最高支持多少",
    "到2027年万人有效发明专利拥有量目标是多少？",
    "國家科學技術一等獎獎勵多少？",
    "我们首次认定为规上高企，能拿多少补助？",
    "日照对新型研发机构有什么支持？",
    "文登区科技创新三年行动的目标是什么？",
    "山东省科技研发创新行动计划由哪些部门负责？",
    "北京对孵化器补多少？",
    "科技型中小企业贷款贴息怎么算？",
    "创新券可以用来做什么？",
)
_TEMPLATES: tuple[str, ...] = (
    "横向项目实际支付{n}万元能支持多少？",
    "企业研发投入{n}万元，日照能补助多少？",
    "孵化器每年运营经费{n}万元能补多少？",
    "贷款利息{n}万元可以贴息多少？",
    "第{n}个问题：泰安对国家级孵化器补多少？",
    "日照市专精特新企业第{n}次申请有什么政策？",
)


def varied_questions(n: int) -> list[str]:
    """`n` distinct questions (deterministic): the sample questions, then templated variants."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    out = list(SAMPLE_QUESTIONS[:n])
    i = 1
    while len(out) < n:
        template = _TEMPLATES[(i - 1) % len(_TEMPLATES)]
        out.append(template.format(n=101 + (i - 1) // len(_TEMPLATES)))
        i += 1
    return out
