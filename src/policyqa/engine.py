"""Everything a front end needs, loaded once: corpus, index, retriever, rules and answerer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from policyqa.answer.compose import Answerer, CalcOutcome, QuestionError
from policyqa.answer.contract import Calculation, Turn
from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.rules.match import calculate_from_clauses
from policyqa.rules.table import RULES_FILE, RuleBook, load_rules
from policyqa.search.retrieve import Hit, Mode, Retriever
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


def open_engine(settings: Settings) -> Engine:
    """Load the corpus and the index (building it if none exists) and wire the answerer."""
    from policyqa.search.embed import load_embedder
    from policyqa.search.index import ensure_index
    from policyqa.search.tokenize import default_tokenizer

    corpus = ingest(settings.corpus_dir)
    embedder = load_embedder(settings.embedder)
    tokenizer = default_tokenizer()
    index = ensure_index(corpus, embedder, tokenizer, settings.index_dir)
    retriever = Retriever(index, embedder, tokenizer)
    rules = _rules(settings)
    calculator = RuleCalculator(rules) if rules else None
    return Engine(settings, corpus, retriever, Answerer(retriever, calculator), rules)


class RuleCalculator:
    """The rule table behind the answer layer's `Calculator` protocol."""

    def __init__(self, book: RuleBook, top_clauses: int = 1) -> None:
        self.book = book
        self.top_clauses = top_clauses

    def calculate(self, question: str, hits: Sequence[Hit]) -> CalcOutcome | None:
        """The amount for a question whose best-ranked clauses state a money rule."""
        ranked = [h.clause.clause_id for h in hits[: self.top_clauses]]
        found = calculate_from_clauses(question, ranked, self.book)
        if found is None:
            return None
        calculation = (
            Calculation.model_validate(found.calculation.to_contract())
            if found.calculation is not None
            else None
        )
        return CalcOutcome(found.clause_id, calculation, list(found.missing), found.summary)


def _rules(settings: Settings) -> RuleBook | None:
    """The corpus's rule table; a corpus without one answers lookups only."""
    if not (settings.corpus_dir / RULES_FILE).is_file():
        return None
    return load_rules(settings.corpus_dir)
