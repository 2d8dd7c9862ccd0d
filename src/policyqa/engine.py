"""Everything a front end needs, loaded once: corpus, index, retriever, rules and answerer."""

from __future__ import annotations

from dataclasses import dataclass

from .answer import Answerer, Calculator
from .ingest import IngestResult, ingest
from .retrieve import Retriever
from .settings import Settings


@dataclass
class Engine:
    """The loaded system; front ends (CLI, API, UI) are thin wrappers over it."""

    settings: Settings
    corpus: IngestResult
    retriever: Retriever
    answerer: Answerer


def open_engine(settings: Settings) -> Engine:
    """Load the corpus and the index (building it if none exists) and wire the answerer."""
    from .embed import load_embedder
    from .index import ensure_index
    from .tokenize import default_tokenizer

    corpus = ingest(settings.corpus_dir)
    embedder = load_embedder(settings.embedder)
    tokenizer = default_tokenizer()
    index = ensure_index(corpus, embedder, tokenizer, settings.index_dir)
    retriever = Retriever(index, embedder, tokenizer)
    return Engine(settings, corpus, retriever, Answerer(retriever, _calculator(settings, corpus)))


def _calculator(settings: Settings, corpus: IngestResult) -> Calculator | None:
    """The rule-based calculator over the corpus's rule table (None until rules exist)."""
    return None
