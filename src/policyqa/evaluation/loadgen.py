"""A bounded load generator for the HTTP API: N requests at concurrency C, with a hard deadline.

Used by the load test, the benchmark (`eval/bench.py`) and the README's reliability figures:

    report = run_load("http://127.0.0.1:7860", questions, total=5000, concurrency=32, timeout_s=600)
    print(report.summary())

Every run is bounded twice: it sends at most `total` requests, and it stops starting new ones
at `timeout_s` (a request in flight never outlives the deadline either), so it always ends by
itself. An error is anything but a 200 with a JSON answer object: another status, a timeout,
a connection failure or an unreadable body. Only loopback servers are meant as targets.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import httpx

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


def _is_answer(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("answer"), str)


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
    started = time.perf_counter()
    deadline = started + timeout_s
    next_index = 0
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    timed_out = False
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal next_index, timed_out
        while next_index < total:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                timed_out = True
                return
            i = next_index
            next_index += 1
            payload = {"question": questions[i % len(questions)]}
            t0 = time.perf_counter()
            try:
                response = await client.post(
                    path, json=payload, timeout=min(request_timeout_s, remaining)
                )
            except httpx.TimeoutException:
                kinds["timeout"] += 1
                continue
            except httpx.HTTPError as e:
                kinds[type(e).__name__] += 1
                continue
            finally:
                latencies.append((time.perf_counter() - t0) * 1000)
            statuses[response.status_code] += 1
            if response.status_code != 200:
                kinds[f"status_{response.status_code}"] += 1
            elif not _is_answer(response):
                kinds["bad_body"] += 1

    async with httpx.AsyncClient(base_url=base_url, limits=limits, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
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
    """The same call from synchronous code: runs the coroutine in its own event loop."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return asyncio.run(fn(*args, **kwargs))

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
