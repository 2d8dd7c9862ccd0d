"""CPU per cold /ask request outside the query embedding (issue 15), undisturbed by other load.

    PYTHONPATH=src python scripts/cpu_per_request.py --requests 300 --repeats 5

The embedder is replaced by a lookup of vectors computed beforehand by another process (the
same vectors, so the same answers; saved in --vectors), and the answerer caches nothing. Every
request asks a question the process has not seen since its caches were last emptied: before
each measured pass every bounded cache of more than 8 entries (the text caches) is cleared and
a warm-up slice of other questions is answered, so the caches keyed by the question are as
cold as in `eval/bench_backends.py`'s server and the clause-side ones as warm. Two figures, both
CPU time of this process only (`time.thread_time` / `time.process_time`), so other work on a
shared machine does not inflate them as it would wall-clock time:

- pipeline: `Answerer.answer` plus the answer's JSON form, on one thread;
- http: the whole ASGI app (middleware, validation, routing, the answer, the response JSON)
  driven in-process for POST /ask, all of its threads (the thread pool's hop included).

Neither counts uvicorn's HTTP parsing and socket work, which this code does not control.
Other processes on the same cores still slow a pass down (shared caches, SMT), never speed it
up: so the minimum over the repeats is the figure to compare; the median is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from policyqa.answer.compose import Answerer
from policyqa.engine import Engine, open_engine
from policyqa.evaluation.loadgen import varied_questions
from policyqa.serve.api import create_app
from policyqa.settings import get_settings


class LookupEmbedder:
    """The real embedder's vectors, computed once per text and then only looked up."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.name = real.name
        self.dim = real.dim
        self.vectors: dict[str, np.ndarray] = {}
        self.recording = True

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            if not self.recording:
                raise KeyError(f"no precomputed vector for {missing[0]!r}")
            for t, v in zip(missing, self.real.encode_queries(missing), strict=True):
                self.vectors[t] = v
        return np.stack([self.vectors[t] for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.encode_passages(texts)


def _clear_text_caches() -> None:
    """Empty every lru_cache bigger than 8 entries (the loaders' caches of 1-8 stay)."""
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper):
            maxsize = obj.cache_parameters()["maxsize"]
            if maxsize is None or maxsize > 8:
                obj.cache_clear()


def _pipeline_ms(answerer: Answerer, questions: Sequence[str]) -> float:
    started = time.thread_time()
    for q in questions:
        answerer.answer(q).model_dump(mode="json")
    return (time.thread_time() - started) * 1000 / len(questions)


async def _post(app: Any, path: str, body: bytes) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 7860),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def _http_ms(app: Any, bodies: Sequence[bytes]) -> tuple[float, list[bytes]]:
    out = []
    started = time.process_time()
    for body in bodies:
        status, payload = await _post(app, "/ask", body)
        if status != 200:
            raise RuntimeError(f"/ask answered {status}: {payload[:200]!r}")
        out.append(payload)
    return (time.process_time() - started) * 1000 / len(bodies), out


def _serve_steps(
    answerer: Answerer,
    loop: asyncio.AbstractEventLoop,
    app: Any,
    warm: Sequence[str],
    pipeline_slice: Sequence[str],
    http_bodies: Sequence[bytes],
) -> None:
    """Answer steps read from stdin ("reset", "p i j", "h i j"), each reply the CPU ms taken."""
    for line in sys.stdin:
        step, *bounds = line.split()
        if step == "reset":
            _clear_text_caches()
            _pipeline_ms(answerer, warm)
            reply = 0.0
        else:
            i, j = int(bounds[0]), int(bounds[1])
            if step == "p":
                reply = _pipeline_ms(answerer, pipeline_slice[i:j]) * (j - i)
            else:
                reply = loop.run_until_complete(_http_ms(app, http_bodies[i:j]))[0] * (j - i)
        print(reply, flush=True)


def _pair(args: argparse.Namespace) -> None:
    """Two workers, the policyqa under --pair (A) and this one (B), given the same steps in
    turn (A then B, then B then A …): both run under the same load from other processes, so
    the comparison holds on a busy machine where separate runs differ by a third."""
    here = os.environ.get("PYTHONPATH", "")
    common = [sys.executable, __file__, "--steps", "--requests", str(args.requests)]
    common += ["--vectors", args.vectors]
    if not os.path.exists(args.vectors):  # recorded once, by the version under test
        subprocess.run([*common[:2], "--record", *common[3:]], check=True)
    workers = {
        name: subprocess.Popen(
            common,
            env={**os.environ, "PYTHONPATH": path},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, path in (("A", args.pair), ("B", here))
    }

    def step(name: str, command: str) -> float:
        proc = workers[name]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(command + "\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    n, chunk = args.requests, args.chunk
    totals: dict[str, dict[str, list[float]]] = {"A": {"p": [], "h": []}, "B": {"p": [], "h": []}}
    for _ in range(args.repeats):
        for kind in ("p", "h"):
            for name in workers:
                step(name, "reset")
            spent = {"A": 0.0, "B": 0.0}
            for k, i in enumerate(range(0, n, chunk)):
                for name in ("A", "B") if k % 2 == 0 else ("B", "A"):
                    spent[name] += step(name, f"{kind} {i} {min(n, i + chunk)}")
            for name in workers:
                totals[name][kind].append(spent[name] / n)
    for proc in workers.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    report: dict[str, Any] = {"requests": n, "chunk": chunk, "A": args.pair, "B": here}
    for name in workers:
        for kind, label in (("p", "pipeline"), ("h", "http")):
            values = totals[name][kind]
            report[f"{name}_{label}_ms_median"] = round(statistics.median(values), 3)
            report[f"{name}_{label}_ms_min"] = round(min(values), 3)
    for kind, label in (("p", "pipeline"), ("h", "http")):
        ratios = [b / a for a, b in zip(totals["A"][kind], totals["B"][kind], strict=True)]
        report[f"B_over_A_{label}_median"] = round(statistics.median(ratios), 3)
    print(json.dumps(report))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--responses", help="write the warm-up's /ask response bodies here")
    parser.add_argument("--vectors", default="/tmp/perf/query-vectors.pkl")
    parser.add_argument("--record", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pair",
        metavar="SRC",
        help="compare with the policyqa under SRC (its src/ directory), request chunk by chunk",
    )
    parser.add_argument("--chunk", type=int, default=10, help="requests per step with --pair")
    args = parser.parse_args()
    if args.pair:
        _pair(args)
        return

    n = args.requests
    pool = varied_questions(n * 3)
    engine = open_engine(get_settings())
    lookup = LookupEmbedder(engine.retriever.embedder)
    engine.retriever.embedder = lookup
    answerer = engine.uncached_answerer()
    if args.record:
        _pipeline_ms(answerer, pool)
        with open(args.vectors, "wb") as f:
            pickle.dump(lookup.vectors, f)
        return
    if not os.path.exists(args.vectors):
        # Recorded in another process, so this one's caches have seen none of the questions.
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--record"], check=True)
    with open(args.vectors, "rb") as f:
        lookup.vectors = pickle.load(f)
    lookup.recording = False
    questions, pipeline_slice, http_slice = (pool[i * n : (i + 1) * n] for i in range(3))

    app = create_app(with_ui=False)
    app.state.engine = Engine(
        engine.settings, engine.corpus, engine.retriever, answerer, engine.rules
    )

    def bodies(questions: Sequence[str]) -> list[bytes]:
        return [
            json.dumps({"question": q, "id": f"r{i}"}, ensure_ascii=False).encode()
            for i, q in enumerate(questions)
        ]

    loop = asyncio.new_event_loop()
    _, responses = loop.run_until_complete(_http_ms(app, bodies(questions)))  # warm-up
    if args.responses:
        with open(args.responses, "wb") as f:
            f.writelines(r + b"\n" for r in responses)

    if args.steps:
        _serve_steps(answerer, loop, app, questions, pipeline_slice, bodies(http_slice))
        return
    pipeline, http = [], []
    for _ in range(args.repeats):
        _clear_text_caches()
        _pipeline_ms(answerer, questions)
        pipeline.append(_pipeline_ms(answerer, pipeline_slice))
        _clear_text_caches()
        _pipeline_ms(answerer, questions)
        http.append(loop.run_until_complete(_http_ms(app, bodies(http_slice)))[0])
    report = {
        "requests": n,
        "pipeline_ms_min": round(min(pipeline), 3),
        "http_ms_min": round(min(http), 3),
        "pipeline_ms_median": round(statistics.median(pipeline), 3),
        "http_ms_median": round(statistics.median(http), 3),
        "pipeline_repeats": [round(x, 3) for x in pipeline],
        "http_repeats": [round(x, 3) for x in http],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
