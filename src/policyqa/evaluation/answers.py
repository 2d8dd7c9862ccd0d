"""The answers under evaluation, read through the batch answer contract (DESIGN.md).

The same reading serves this system run in-process and any other system's JSONL output: only
the contract's field names are used, and a line that breaks the contract is recorded, not raised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyqa.evaluation.gold import jsonl_lines


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

    def add(self, answer: Answer, where: str) -> None:
        """Keep the first answer of each id; a later one is recorded as a problem at `where`."""
        if answer.id in self:
            self.problems.append(f"{where}: duplicate id {answer.id!r}; kept the first")
        else:
            self[answer.id] = answer


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
    answers = AnswerSet()
    for number, line in jsonl_lines(Path(path), "answers"):
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
        answers.add(answer, f"line {number}")
    return answers
