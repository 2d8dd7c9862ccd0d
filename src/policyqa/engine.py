"""Everything a front end needs, loaded once: corpus, index, retriever, rules and answerer.

The one composition root: only here do settings meet the stages and the parts get wired together.
`open_engine` loads the whole system; a front end that needs only a part asks for that part here
(`open_corpus`, `open_search`, `open_rules` / `optional_rules`, `build_search_index`,
`open_document_store`, `recover_changes`). Every writer of the index gets the build-lock wait
(`lock_wait_seconds`) from here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from policyqa.answer.amounts import calculate_from_clauses
from policyqa.answer.asking import QuestionError
from policyqa.answer.choice import common_trigrams, rule_words, shares_words
from policyqa.answer.compose import Answerer, CalcOutcome
from policyqa.answer.contract import Calculation, Turn
from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.documents.recovery import Recovery, recover
from policyqa.documents.store import DocumentStore
from policyqa.rules.table import RULES_FILE, RuleBook, load_rules
from policyqa.rules.validate import require_valid, without_invalid
from policyqa.search.backend import SearchBackend
from policyqa.search.embed import Embedder
from policyqa.search.retrieve import Hit, Mode, Retriever
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.settings import Settings


@dataclass
class Engine:
    """The loaded system; front ends (CLI, API, UI) are thin wrappers over it."""

    settings: Settings
    corpus: IngestResult
    retriever: Retriever
    answerer: Answerer
    rules: RuleBook | None

    def answer_requests(
        self, batch: Sequence[Mapping[str, Any]], mode: Mode
    ) -> list[dict[str, Any]]:
        """Answer batch requests ({id, question, history}) in order; a bad one gets an error."""
        out: list[dict[str, Any]] = []
        for item in batch:
            try:
                history = [Turn.model_validate(t) for t in item.get("history") or []]
                answer = self.answerer.answer(item["question"], history, item.get("id"), mode=mode)
                out.append(answer.model_dump(mode="json"))
            except (QuestionError, ValidationError) as e:
                out.append({"id": item.get("id"), "error": str(e)})
        return out

    def uncached_answerer(self) -> Answerer:
        """An answerer over the same retriever and rules that caches nothing: every call really
        retrieves and composes (for timing, and for comparing answers computed afresh)."""
        return Answerer(self.retriever, self.answerer.calculator, cache_size=0)

    def regions(self) -> list[str]:
        """The regions the corpus's documents belong to, once each, in manifest order."""
        return list(dict.fromkeys(d.region for d in self.corpus.manifest.documents))


def open_engine(settings: Settings, invalid_rules: Literal["refuse", "drop"] = "refuse") -> Engine:
    """Load the corpus and the index (building it if none exists) and wire the answerer.

    A rule table whose quotes or numbers no longer match the corpus could state a wrong
    amount. At start-up (`"refuse"`) that is a RulesError naming each rule to fix, raised
    before the model loads. A server reloading after a document change (`"drop"`) keeps
    running without those rules: their clauses are answered as lookups until they are fixed.
    """
    corpus = ingest(settings.corpus_dir)
    rules = optional_rules(settings)
    if rules is not None:
        path = settings.corpus_dir / RULES_FILE
        if invalid_rules == "refuse":
            require_valid(rules, corpus.clauses, path)
        else:
            rules = without_invalid(rules, corpus.clauses)
    corpus, retriever = _open_search(settings, corpus)
    calculator = RuleCalculator(rules) if rules else None
    return Engine(settings, corpus, retriever, Answerer(retriever, calculator), rules)


def open_corpus(settings: Settings) -> IngestResult:
    """The configured corpus, read, cleaned and segmented (no index, no model)."""
    return ingest(settings.corpus_dir)


def open_search(settings: Settings) -> Retriever:
    """Search alone (`policyqa search`): the corpus, its index (built if none exists), the model
    and the tokenizer; no rule table and no answerer."""
    return _open_search(settings)[1]


def _open_search(
    settings: Settings, corpus: IngestResult | None = None
) -> tuple[IngestResult, Retriever]:
    from policyqa.search.embed import load_embedder
    from policyqa.search.index import ensure_index
    from policyqa.search.tokenize import default_tokenizer

    corpus = corpus or ingest(settings.corpus_dir)
    embedder = load_embedder(settings.embedder)
    tokenizer = default_tokenizer()
    if settings.backend == "milvus":
        return corpus, Retriever(
            _open_milvus(settings, corpus, embedder, tokenizer), embedder, tokenizer
        )
    index = ensure_index(
        corpus,
        embedder,
        tokenizer,
        settings.index_dir,
        lock_wait_seconds=settings.lock_wait_seconds,
    )
    return corpus, Retriever(index, embedder, tokenizer)


def _open_milvus(
    settings: Settings, corpus: IngestResult, embedder: Embedder, tokenizer: PolicyTokenizer
) -> SearchBackend:
    """The Milvus backend named by the settings, synchronised with the corpus."""
    from policyqa.search.milvus_backend import connect
    from policyqa.search.milvus_sync import open_milvus

    uri = settings.milvus_target()
    if not settings.milvus_is_server():
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
    client = connect(uri, token)
    return open_milvus(corpus, embedder, tokenizer, client, settings.milvus_collection, uri)


@dataclass(frozen=True)
class IndexBuild:
    """What `build_search_index` built, and the seconds each step took."""

    path: Path
    clauses: int
    documents: int
    embedder: str
    dim: int
    ingest_s: float
    model_load_s: float
    build_s: float


def build_search_index(settings: Settings) -> IndexBuild:
    """Build (or rebuild) the index of the configured corpus in `settings.index_dir`."""
    from policyqa.search.embed import load_embedder
    from policyqa.search.index import build_index
    from policyqa.search.tokenize import default_tokenizer

    started = time.perf_counter()
    corpus = ingest(settings.corpus_dir)
    ingested = time.perf_counter()
    embedder = load_embedder(settings.embedder)
    tokenizer = default_tokenizer()
    tokenizer.tokens("预热")  # jieba reads its dictionary on first use: loading, not building
    loaded = time.perf_counter()
    path = build_index(
        corpus,
        embedder,
        tokenizer,
        settings.index_dir,
        lock_wait_seconds=settings.lock_wait_seconds,
    )
    return IndexBuild(
        path=path,
        clauses=len(corpus.clauses),
        documents=len(corpus.manifest.documents),
        embedder=embedder.name,
        dim=embedder.dim,
        ingest_s=ingested - started,
        model_load_s=loaded - ingested,
        build_s=time.perf_counter() - loaded,
    )


class RuleCalculator:
    """The rule table behind the answer layer's `Calculator` protocol."""

    def __init__(self, book: RuleBook, top_clauses: int = 1, past_plan: int = 3) -> None:
        self.book = book
        self.top_clauses = top_clauses
        self.past_plan = past_plan
        self._common = common_trigrams(book.rules)

    def calculate(self, question: str, hits: Sequence[Hit]) -> CalcOutcome | None:
        """The amount for a question whose best-ranked clauses state a money rule. A top clause
        that states no money at all (a plan's measure naming the same industries) does not hide
        the rule ranked just below it, which the question must then name (`amounts`)."""
        ranked = [h.clause.clause_id for h in hits[: self.top_clauses]]
        top = hits[0] if hits else None
        if top is not None and not (
            self.book.for_clause(top.clause.clause_id)
            or self.book.provisions_for(top.clause.clause_id)
        ):
            # Only the place's own rules: another region's is no answer for this one.
            below = hits[1 : self.past_plan]
            ranked += [h.clause.clause_id for h in below if h.region == top.region]
        found = calculate_from_clauses(question, ranked, self.book)
        if found is None:
            return None
        # The top clause's only rule is chosen even when the question shares none of its words
        # ("泰安…横向项目" ranks an unrelated 泰安 clause first): that is no answer, not a number.
        if found.rule is not None and not shares_words(question, found.rule, self._common):
            return None
        calculation = (
            Calculation.model_validate(found.calculation.to_contract())
            if found.calculation is not None
            else None
        )
        missing = list(found.missing)
        ruled_out = found.calculation is not None and not found.calculation.qualifies
        return CalcOutcome(
            found.clause_id, calculation, missing, found.summary, found.unfunded, ruled_out
        )

    def industry_words(self) -> tuple[str, ...]:
        """The industries the rules tell apart and the terms for each, longest first."""
        words = {
            word
            for rule in self.book.rules
            for table in (rule.industry_terms, rule.region_industry_terms)
            for industry, terms in table.items()
            for word in (industry, *terms)
        }
        return tuple(sorted(words, key=lambda w: (-len(w), w)))

    def topic_words(self) -> Mapping[str, frozenset[str]]:
        """doc id → the words its rules name what they fund by (for the answer's topic check)."""
        return rule_words(self.book.rules)


def open_rules(settings: Settings) -> RuleBook:
    """The corpus's rule table; RulesError (saying to create rules.toml) when it has none."""
    return load_rules(settings.corpus_dir)


def optional_rules(settings: Settings) -> RuleBook | None:
    """The corpus's rule table, or None: a corpus without one answers lookups only."""
    if not (settings.corpus_dir / RULES_FILE).is_file():
        return None
    return open_rules(settings)


def open_document_store(settings: Settings) -> DocumentStore:
    """The configured corpus and index, with the embedding model and tokenizer that keep the
    index current as documents are added, replaced and removed."""
    from policyqa.search.embed import load_embedder
    from policyqa.search.tokenize import default_tokenizer

    return DocumentStore(
        settings.corpus_dir,
        settings.index_dir,
        load_embedder(settings.embedder),
        default_tokenizer(),
        max_clauses=settings.max_clauses,
        lock_wait_seconds=settings.lock_wait_seconds,
    )


def recover_changes(settings: Settings) -> Recovery:
    """Finish a document change killed part-way, or remove its orphans, before anything reads
    the configured corpus (`documents.recovery`); waits for the build lock like every writer."""
    return recover(
        settings.corpus_dir, settings.index_dir, lock_wait_seconds=settings.lock_wait_seconds
    )
