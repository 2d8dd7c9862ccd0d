"""Run an evaluation: ask a system every gold question in one batch and score what it returns.

`run_eval` takes any function from batch requests ({id, question, history}) to answer dicts, so
the same run scores this system in-process (`Engine.answer_requests`) or a wrapper around
another one; `policyqa eval --answers FILE` scores a file of answers without running anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from policyqa.evaluation.answers import AnswerSet, parse_answer
from policyqa.evaluation.gold import GoldQuestion, load_gold
from policyqa.evaluation.scoring import Report, score

AnswerFn = Callable[[list[dict[str, Any]]], Sequence[Mapping[str, Any]]]


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
        answers.add(answer, f"answer #{position + 1}")
    if len(returned) != len(requests):
        answers.problems.append(
            f"answer_fn returned {len(returned)} answers for {len(requests)} questions"
        )
    info = {"gold": str(gold_path), **dict(meta or {})}
    return score(gold, answers, info)
