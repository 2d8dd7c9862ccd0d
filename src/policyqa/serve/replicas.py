"""Keep a stateless API replica on the corpus version the shared Milvus collection serves.

With the Milvus backend every replica reads the same corpus directory (shared storage) and the
same Milvus collection, whose manifest records the corpus hash it was last synchronised to (the
version). A replica checks that version every `POLICYQA_REFRESH_SECONDS` (2 s by default) and,
when it differs from the corpus its engine was opened on, opens a fresh engine (re-reading the
corpus, the clause table and the rule table; nothing is embedded when the collection is current)
and swaps it in. A document added through one replica is answered by every replica within one
check interval plus the reload (about 2 s for the seed corpus).

Owns that background check only; with the embedded FAISS backend it does nothing (one process
owns that index, and the admin API swaps its engine itself).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from policyqa.engine import Engine, open_engine
from policyqa.settings import Settings

log = logging.getLogger(__name__)


class VersionWatcher:
    """A daemon thread that swaps in a fresh engine when the shared corpus version moves."""

    def __init__(
        self,
        settings: Settings,
        current: Callable[[], Engine],
        swap: Callable[[Engine], None],
    ) -> None:
        self.settings = settings
        self._current = current
        self._swap = swap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="policyqa-version", daemon=True)

    def start(self) -> VersionWatcher:
        if self.settings.backend == "milvus":
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def check(self) -> bool:
        """One check: reload when the version differs; True when a new engine was swapped in."""
        engine = self._current()
        version = engine.retriever.index.stored_version()
        if version is None or version == engine.corpus.corpus_hash:
            return False
        self._swap(open_engine(self.settings))
        log.info("corpus version %s loaded from the shared store", version[:12])
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.settings.refresh_seconds):
            try:
                self.check()
            except Exception as e:  # a failed check keeps serving the engine it has; say why
                log.warning("corpus version check failed (%s): %s", type(e).__name__, e)


def watch_app(app: Any, settings: Settings) -> VersionWatcher:
    """Start watching for a FastAPI app whose engine lives in `app.state.engine`."""

    def swap(engine: Engine) -> None:
        app.state.engine = engine

    return VersionWatcher(settings, lambda: app.state.engine, swap).start()
