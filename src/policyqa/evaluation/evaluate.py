"""Score answers against the project's gold question set (the only reader of eval/questions.jsonl).

Answers are read through the batch answer contract (DESIGN.md), so the same scoring applies to
this system run in-process (`run_eval`) and to any other system's JSONL output (`load_answers`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policyqa.settings import PROJECT_ROOT
from policyqa.text import normalize

Kind = Literal[
    "lookup", "amount", "eligibility", "traditional", "colloquial", "multiturn", "out_of_scope"
]
KINDS: tuple[str, ...] = get_args(Kind)

# Amounts are compared in yuan, exact to the fen.
AMOUNT_TOLERANCE_YUAN = 0.005

AnswerFn = Callable[[list[dict[str, Any]]], Sequence[Mapping[str, Any]]]


def default_gold_path() -> Path:
    """The project's own question set, `eval/questions.jsonl` in the checkout."""
    return PROJECT_ROOT / "eval" / "questions.jsonl"


# --- errors ------------------------------------------------------------------------------------


class EvalFileError(Exception):
    """A gold or answers file that cannot be used at all."""


class GoldFormatError(EvalFileError):
    """One unusable line of a gold file; the message names the file, line and fix."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


# --- inputs ------------------------------------------------------------------------------------


class Turn(BaseModel):
    """One earlier message of a multi-turn gold question."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class GoldQuestion(BaseModel):
    """One question of the gold set with what a correct answer must show."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    kind: Kind
    gold_clause_ids: tuple[str, ...] = ()
    gold_amount_yuan: int | None = None
    answer_contains: tuple[str, ...] = ()
    history: tuple[Turn, ...] = ()
    abstain: bool = False
    note: str = ""
    # Which failure class of the unseen set the question probes (multi_input, per_year, ...).
    category: str = ""
    # Turns of one conversation share a dialogue id; a dialogue is right only if every turn is.
    dialogue: str = ""

    @field_validator("gold_amount_yuan", mode="before")
    @classmethod
    def _integer_yuan(cls, value: Any) -> Any:
        if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
            raise ValueError("gold_amount_yuan must be an integer number of yuan or null")
        if value is not None and value < 0:
            raise ValueError("gold_amount_yuan must not be negative")
        return value

    @field_validator("answer_contains")
    @classmethod
    def _non_empty_needles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not s.strip() for s in value):
            raise ValueError("answer_contains holds an empty string; remove it")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> GoldQuestion:
        if self.kind == "out_of_scope" and not self.abstain:
            raise ValueError("an out_of_scope question must have abstain: true")
        if self.abstain and (
            self.gold_clause_ids or self.gold_amount_yuan is not None or self.answer_contains
        ):
            raise ValueError(
                "an abstain question takes no gold: empty gold_clause_ids and answer_contains, "
                "gold_amount_yuan null"
            )
        if not self.abstain and not self.gold_clause_ids:
            raise ValueError("an in-scope question needs at least one gold_clause_ids entry")
        if (self.kind == "multiturn") != bool(self.history):
            raise ValueError("history is required for kind multiturn and only allowed there")
        return self


@dataclass(frozen=True)
class Answer:
    """The fields of one answer object (batch contract) that the evaluator scores."""

    id: str
    answer: str = ""
    abstained: bool = False
    clause_ids: tuple[str, ...] = ()
    amount_yuan: float | None = None
    error: str | None = None


class AnswerSet(dict[str, Answer]):
    """Answers by id, plus the lines that could not be attributed to any id."""

    def __init__(self, answers: Mapping[str, Answer] | None = None) -> None:
        super().__init__(answers or {})
        self.problems: list[str] = []


# --- loading -----------------------------------------------------------------------------------


def load_gold(path: Path | str) -> list[GoldQuestion]:
    """Read and validate a gold JSONL file; any bad line is a GoldFormatError naming it."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalFileError(f"cannot read gold file {path}: {e.strerror}") from e
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldFormatError(path, number, f"not valid JSON ({e.msg})") from e
        try:
            question = GoldQuestion.model_validate(item)
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'line'}: {err['msg']}"
                for err in e.errors()
            )
            raise GoldFormatError(path, number, problems) from e
        if question.id in seen:
            raise GoldFormatError(
                path, number, f"duplicate id {question.id!r} (first on line {seen[question.id]})"
            )
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise EvalFileError(f"gold file {path} holds no questions")
    return questions


def parse_answer(item: Any, fallback_id: str | None = None) -> Answer:
    """One answer object → Answer; a contract violation becomes an Answer carrying `error`.

    Raises ValueError only when no id can be found (the line cannot be attributed).
    """
    if not isinstance(item, Mapping):
        raise ValueError("not a JSON object")
    raw_id = item.get("id", fallback_id)
    if raw_id is None:
        raw_id = fallback_id
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or raw_id == "":
        raise ValueError("no usable id (the answer must echo the question's id)")
    answer_id = str(raw_id)
    if item.get("error") is not None:
        return Answer(id=answer_id, error=f"system error: {item['error']}")
    problems: list[str] = []
    text = item.get("answer")
    if not isinstance(text, str):
        problems.append("answer is not a string")
    abstained = item.get("abstained")
    if not isinstance(abstained, bool):
        problems.append("abstained is not true/false")
    clause_ids: list[str] = []
    citations = item.get("citations")
    if not isinstance(citations, list):
        problems.append("citations is not a list")
    else:
        for i, c in enumerate(citations):
            if isinstance(c, Mapping) and isinstance(c.get("clause_id"), str):
                clause_ids.append(c["clause_id"])
            else:
                problems.append(f"citations[{i}] has no string clause_id")
    amount: float | None = None
    calc = item.get("calculation")
    if calc is not None:
        value = calc.get("amount_yuan") if isinstance(calc, Mapping) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append("calculation.amount_yuan is not a number")
        else:
            amount = float(value)
    if problems:
        return Answer(id=answer_id, error="malformed answer: " + "; ".join(problems))
    return Answer(
        id=answer_id,
        answer=str(text),
        abstained=bool(abstained),
        clause_ids=tuple(clause_ids),
        amount_yuan=amount,
    )


def load_answers(path: Path | str) -> AnswerSet:
    """Read answer objects (one per line); tolerant: bad lines are recorded, not raised."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalFileError(f"cannot read answers file {path}: {e.strerror}") from e
    answers = AnswerSet()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            answers.problems.append(f"line {number}: not valid JSON ({e.msg}); skipped")
            continue
        try:
            answer = parse_answer(item)
        except ValueError as e:
            answers.problems.append(f"line {number}: {e}; skipped")
            continue
        _add(answers, answer, f"line {number}")
    return answers


def _add(answers: AnswerSet, answer: Answer, where: str) -> None:
    if answer.id in answers:
        answers.problems.append(f"{where}: duplicate id {answer.id!r}; kept the first")
    else:
        answers[answer.id] = answer


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
    )


@dataclass(frozen=True)
class Report:
    """The scores of one run: overall, per kind, every question, and input problems."""

    overall: Metrics
    per_kind: dict[str, Metrics]
    results: tuple[QuestionResult, ...]
    problems: tuple[str, ...] = ()
    unexpected_ids: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[QuestionResult]:
        return [r for r in self.results if not r.correct]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (summary, per_kind, failures, results, problems, meta)."""
        return {
            "meta": dict(self.meta),
            "summary": asdict(self.overall),
            "per_kind": {kind: asdict(m) for kind, m in self.per_kind.items()},
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
    gold_ids = {q.id for q in gold}
    return Report(
        overall=aggregate(results),
        per_kind=per_kind,
        results=results,
        problems=tuple(getattr(answers, "problems", ())),
        unexpected_ids=tuple(sorted(i for i in answers if i not in gold_ids)),
        meta=dict(meta or {}),
    )


def batch_requests(gold: Sequence[GoldQuestion]) -> list[dict[str, Any]]:
    """The batch input lines for the gold questions: {id, question, history}, no gold."""
    return [
        {"id": q.id, "question": q.question, "history": [t.model_dump() for t in q.history]}
        for q in gold
    ]


def run_eval(
    gold_path: Path | str,
    answer_fn: AnswerFn,
    meta: Mapping[str, Any] | None = None,
) -> Report:
    """Ask `answer_fn` every gold question (one call, in order) and score its answer dicts.

    An answer dict without an id is matched to the request at the same position.
    """
    gold = load_gold(gold_path)
    requests = batch_requests(gold)
    returned = list(answer_fn(requests))
    answers = AnswerSet()
    for position, item in enumerate(returned):
        fallback = requests[position]["id"] if position < len(requests) else None
        try:
            answer = parse_answer(item, fallback_id=fallback)
        except ValueError as e:
            answers.problems.append(f"answer #{position + 1}: {e}; skipped")
            continue
        _add(answers, answer, f"answer #{position + 1}")
    if len(returned) != len(requests):
        answers.problems.append(
            f"answer_fn returned {len(returned)} answers for {len(requests)} questions"
        )
    info = {"gold": str(gold_path), **dict(meta or {})}
    return score(gold, answers, info)


# --- formatting --------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = [
        "  ".join(_pad(c, w, right=i > 0) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    return [line, rule, *body]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _frac(k: int, n: int) -> str:
    return "n/a" if n == 0 else f"{k}/{n}"


def _metrics_row(name: str, m: Metrics) -> list[str]:
    return [
        name,
        str(m.n),
        str(m.correct),
        _pct(m.accuracy),
        _pct(m.hit_at_1),
        _pct(m.hit_at_5),
        "n/a" if m.mrr is None else f"{m.mrr:.3f}",
        _frac(m.amount_correct, m.amount_n),
        _frac(m.contains_correct, m.contains_n),
        _frac(m.abstain_correct, m.abstain_n),
        str(m.false_abstentions),
    ]


def format_report(report: Report) -> str:
    """The report as plain-text tables: summary, per kind, then every failure with reasons."""
    m = report.overall
    lines = ["评测报告 evaluation report"]
    for key, value in report.meta.items():
        lines.append(f"  {key}: {value}")
    lines += [
        "",
        f"题数 questions {m.n}   正确 correct {m.correct}   总体准确率 accuracy {_pct(m.accuracy)}",
        f"命中@1 hit@1 {_pct(m.hit_at_1)}   命中@5 hit@5 {_pct(m.hit_at_5)}   "
        f"MRR {'n/a' if m.mrr is None else f'{m.mrr:.3f}'}   (检索题 n={m.retrieval_n})",
        f"金额精确 amount exact {_pct(m.amount_exact)} ({_frac(m.amount_correct, m.amount_n)})   "
        f"答案包含 answer-contains {_pct(m.answer_contains)} "
        f"({_frac(m.contains_correct, m.contains_n)})",
        f"拒答 abstention: 精确率 precision {_pct(m.abstention_precision)}   "
        f"召回率 recall {_pct(m.abstention_recall)}   (应拒答 n={m.abstain_n}; "
        f"误拒 in-scope abstained {m.false_abstentions})",
        f"未作答或出错 unanswered/errors {m.unanswered}",
        "",
        "按类型 per kind",
    ]
    header = [
        "类型 kind",
        "n",
        "正确",
        "准确率",
        "hit@1",
        "hit@5",
        "MRR",
        "金额",
        "包含",
        "拒答",
        "误拒",
    ]
    rows = [_metrics_row(kind, km) for kind, km in report.per_kind.items()]
    rows.append(_metrics_row("全部 all", m))
    lines += _table(header, rows)
    if report.problems or report.unexpected_ids:
        lines += ["", "输入问题 input problems"]
        lines += [f"  - {p}" for p in report.problems]
        if report.unexpected_ids:
            lines.append(f"  - ids not in the gold set: {', '.join(report.unexpected_ids)}")
    failures = report.failures
    lines += ["", f"失败 failures ({len(failures)})"]
    for r in failures:
        lines.append(f"  {r.id} [{r.kind}] {r.question}")
        lines += [f"      - {reason}" for reason in r.reasons]
    if not failures:
        lines.append("  (none)")
    return "\n".join(lines)
