"""Scoring: pure metric functions, one answer against its gold question, and the aggregate
`Report` (overall, per kind, every question) with its JSON form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from policyqa.evaluation.answers import Answer
from policyqa.evaluation.gold import KINDS, GoldQuestion
from policyqa.text import normalize

# Amounts are compared in yuan, exact to the fen.
AMOUNT_TOLERANCE_YUAN = 0.005
# A sum of money in an answer's text ("100万元", "5,000元", "1.2亿元"): what an answer to a
# question the corpus does not cover must never state.
_MONEY_IN_TEXT = re.compile(r"\d[\d,.]*\s*(?:万|亿)?元")


# --- metrics (pure) ----------------------------------------------------------------------------


def hit_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> bool:
    """True when a gold clause id is among the first k ranked clause ids."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return any(c in gold for c in ranked[:k])


def reciprocal_rank(ranked: Sequence[str], gold: Collection[str]) -> float:
    """1/rank of the first gold clause id in `ranked` (ranks from 1), 0.0 when none is there."""
    return next((1.0 / rank for rank, c in enumerate(ranked, start=1) if c in gold), 0.0)


def amount_matches(predicted: float | None, gold: int) -> bool:
    """True when a calculated amount equals the gold amount in yuan (to the fen)."""
    return predicted is not None and abs(predicted - gold) < AMOUNT_TOLERANCE_YUAN


def comparable(text: str) -> str:
    """The form substrings are compared in: simplified, half-width, without whitespace."""
    return "".join(normalize(text).split())


def missing_substrings(text: str, needles: Sequence[str]) -> list[str]:
    """The needles not found in `text`, both sides compared in their `comparable` form."""
    haystack = comparable(text)
    return [n for n in needles if comparable(n) not in haystack]


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def states_money(text: str, amount_yuan: float | None) -> bool:
    """True when an answer gives a sum of money: a calculated amount or one in its text."""
    return amount_yuan is not None or bool(_MONEY_IN_TEXT.search(normalize(text)))


def abstention_precision_recall(
    pairs: Iterable[tuple[bool, bool]],
) -> tuple[float | None, float | None]:
    """(precision, recall) of abstaining from (should_abstain, did_abstain) pairs.

    The positive class is "should abstain"; None when a denominator is zero.
    """
    tp = fp = fn = 0
    for should, did in pairs:
        tp += should and did
        fp += (not should) and did
        fn += should and not did
    return ratio(tp, tp + fp), ratio(tp, tp + fn)


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered and, when wrong, why."""

    id: str
    kind: str
    question: str
    correct: bool
    reasons: tuple[str, ...]
    should_abstain: bool
    abstained: bool
    answered: bool
    hit_at_1: bool | None = None
    hit_at_5: bool | None = None
    reciprocal_rank: float | None = None
    amount_exact: bool | None = None
    contains_all: bool | None = None
    gold_clause_ids: tuple[str, ...] = ()
    cited_clause_ids: tuple[str, ...] = ()
    gold_amount_yuan: int | None = None
    amount_yuan: float | None = None
    missing: tuple[str, ...] = ()
    category: str = ""
    dialogue: str = ""
    # Should have abstained, answered instead, and the answer names a sum of money.
    number_when_uncovered: bool = False


def score_question(gold: GoldQuestion, answer: Answer | None) -> QuestionResult:
    """Score one answer (None when the system gave none) against its gold question."""
    reasons: list[str] = []
    if answer is None:
        reasons.append("no answer for this id")
    elif answer.error:
        reasons.append(answer.error)
    usable = answer is not None and answer.error is None
    # A missing or broken answer is scored as an empty one: cites nothing, computes nothing.
    seen = answer if answer is not None and usable else Answer(id=gold.id)
    ranked = seen.clause_ids

    h1 = h5 = rr = None
    if gold.gold_clause_ids:
        h1 = hit_at_k(ranked, gold.gold_clause_ids, 1)
        h5 = hit_at_k(ranked, gold.gold_clause_ids, 5)
        rr = reciprocal_rank(ranked, gold.gold_clause_ids)
    amount_ok = None
    if gold.gold_amount_yuan is not None:
        amount_ok = amount_matches(seen.amount_yuan, gold.gold_amount_yuan)
    missing: list[str] = []
    contains_ok = None
    if gold.answer_contains:
        missing = missing_substrings(seen.answer, gold.answer_contains)
        contains_ok = not missing

    if usable and gold.abstain and not seen.abstained:
        reasons.append("answered but should abstain (out of scope)")
    if usable and not gold.abstain:
        if seen.abstained:
            reasons.append("abstained but the corpus answers this")
        if h5 is False:
            shown = ", ".join(ranked[:5]) or "no citations"
            reasons.append(
                f"no gold clause in top 5 (gold: {', '.join(gold.gold_clause_ids)}; cited: {shown})"
            )
        if amount_ok is False:
            got = "no calculation" if seen.amount_yuan is None else _yuan(seen.amount_yuan)
            reasons.append(f"amount: {got}, gold {gold.gold_amount_yuan} 元")
        if contains_ok is False:
            reasons.append(f"answer lacks: {' | '.join(missing)}")
    wrong_number = usable and gold.abstain and not seen.abstained
    return QuestionResult(
        id=gold.id,
        kind=gold.kind,
        question=gold.question,
        correct=not reasons,
        reasons=tuple(reasons),
        should_abstain=gold.abstain,
        abstained=seen.abstained,
        answered=usable,
        hit_at_1=h1,
        hit_at_5=h5,
        reciprocal_rank=rr,
        amount_exact=amount_ok,
        contains_all=contains_ok,
        gold_clause_ids=gold.gold_clause_ids,
        cited_clause_ids=ranked,
        gold_amount_yuan=gold.gold_amount_yuan,
        amount_yuan=seen.amount_yuan,
        missing=tuple(missing),
        category=gold.category,
        dialogue=gold.dialogue,
        number_when_uncovered=wrong_number and states_money(seen.answer, seen.amount_yuan),
    )


def _yuan(value: float) -> str:
    return f"{int(value)} 元" if float(value).is_integer() else f"{value:.2f} 元"


@dataclass(frozen=True)
class Metrics:
    """Aggregate scores over a group of question results (all, or one kind)."""

    n: int
    correct: int
    accuracy: float | None
    retrieval_n: int
    hit_at_1: float | None
    hit_at_5: float | None
    mrr: float | None
    amount_n: int
    amount_correct: int
    amount_exact: float | None
    contains_n: int
    contains_correct: int
    answer_contains: float | None
    abstain_n: int
    abstain_correct: int
    false_abstentions: int
    abstention_precision: float | None
    abstention_recall: float | None
    unanswered: int
    numbers_when_uncovered: int = 0


def aggregate(results: Sequence[QuestionResult]) -> Metrics:
    """The metrics of a group of results; each rate is over the questions it applies to."""
    retrieval = [r for r in results if r.reciprocal_rank is not None]
    amounts = [r for r in results if r.amount_exact is not None]
    contains = [r for r in results if r.contains_all is not None]
    correct = sum(r.correct for r in results)
    pairs = [(r.should_abstain, r.abstained) for r in results]
    precision, recall = abstention_precision_recall(pairs)
    amount_correct = sum(bool(r.amount_exact) for r in amounts)
    contains_correct = sum(bool(r.contains_all) for r in contains)
    return Metrics(
        n=len(results),
        correct=correct,
        accuracy=ratio(correct, len(results)),
        retrieval_n=len(retrieval),
        hit_at_1=ratio(sum(bool(r.hit_at_1) for r in retrieval), len(retrieval)),
        hit_at_5=ratio(sum(bool(r.hit_at_5) for r in retrieval), len(retrieval)),
        mrr=mean([r.reciprocal_rank or 0.0 for r in retrieval]),
        amount_n=len(amounts),
        amount_correct=amount_correct,
        amount_exact=ratio(amount_correct, len(amounts)),
        contains_n=len(contains),
        contains_correct=contains_correct,
        answer_contains=ratio(contains_correct, len(contains)),
        abstain_n=sum(r.should_abstain for r in results),
        abstain_correct=sum(r.should_abstain and r.abstained for r in results),
        false_abstentions=sum(r.abstained and not r.should_abstain for r in results),
        abstention_precision=precision,
        abstention_recall=recall,
        unanswered=sum(not r.answered for r in results),
        numbers_when_uncovered=sum(r.number_when_uncovered for r in results),
    )


@dataclass(frozen=True)
class Dialogues:
    """Conversations scored whole: one is right only if every one of its turns is."""

    n: int
    correct: int
    accuracy: float | None


def score_dialogues(results: Sequence[QuestionResult]) -> Dialogues:
    """The dialogues among `results` (turns grouped by their `dialogue` id)."""
    turns: dict[str, list[bool]] = {}
    for r in results:
        if r.dialogue:
            turns.setdefault(r.dialogue, []).append(r.correct)
    correct = sum(all(ok) for ok in turns.values())
    return Dialogues(n=len(turns), correct=correct, accuracy=ratio(correct, len(turns)))


@dataclass(frozen=True)
class Report:
    """The scores of one run: overall, per kind, per failure class, whole dialogues, every
    question, and input problems."""

    overall: Metrics
    per_kind: dict[str, Metrics]
    results: tuple[QuestionResult, ...]
    problems: tuple[str, ...] = ()
    unexpected_ids: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    per_category: dict[str, Metrics] = field(default_factory=dict)
    dialogues: Dialogues = field(default_factory=lambda: Dialogues(0, 0, None))

    @property
    def failures(self) -> list[QuestionResult]:
        return [r for r in self.results if not r.correct]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (summary, per_kind, per_category, dialogues, failures, results,
        problems, meta)."""
        return {
            "meta": dict(self.meta),
            "summary": asdict(self.overall),
            "per_kind": {kind: asdict(m) for kind, m in self.per_kind.items()},
            "per_category": {name: asdict(m) for name, m in self.per_category.items()},
            "dialogues": asdict(self.dialogues),
            "failures": [_result_dict(r) for r in self.failures],
            "results": [_result_dict(r) for r in self.results],
            "problems": list(self.problems),
            "unexpected_ids": list(self.unexpected_ids),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (what `policyqa eval --json REPORT` writes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _result_dict(result: QuestionResult) -> dict[str, Any]:
    data = asdict(result)
    for key in ("reasons", "gold_clause_ids", "cited_clause_ids", "missing"):
        data[key] = list(data[key])
    return data


def score(
    gold: Sequence[GoldQuestion],
    answers: Mapping[str, Answer],
    meta: Mapping[str, Any] | None = None,
) -> Report:
    """Score answers (by id) against the gold questions; missing ids count as failures."""
    results = tuple(score_question(q, answers.get(q.id)) for q in gold)
    per_kind = {
        kind: aggregate([r for r in results if r.kind == kind])
        for kind in KINDS
        if any(r.kind == kind for r in results)
    }
    categories = dict.fromkeys(r.category for r in results if r.category)
    per_category = {c: aggregate([r for r in results if r.category == c]) for c in categories}
    gold_ids = {q.id for q in gold}
    return Report(
        overall=aggregate(results),
        per_kind=per_kind,
        per_category=per_category,
        dialogues=score_dialogues(results),
        results=results,
        problems=tuple(getattr(answers, "problems", ())),
        unexpected_ids=tuple(sorted(i for i in answers if i not in gold_ids)),
        meta=dict(meta or {}),
    )
