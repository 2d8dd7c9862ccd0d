"""The gold question set: its schema (what a correct answer must show) and loading it.

`eval/questions.jsonl` is read only through `load_gold`; a bad line is refused with its file,
line and the fix, so a hand-edited set never scores silently wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policyqa.settings import PROJECT_ROOT

Kind = Literal[
    "lookup", "amount", "eligibility", "traditional", "colloquial", "multiturn", "out_of_scope"
]
KINDS: tuple[str, ...] = get_args(Kind)


def default_gold_path() -> Path:
    """The project's own question set, `eval/questions.jsonl` in the checkout."""
    return PROJECT_ROOT / "eval" / "questions.jsonl"


# --- errors ------------------------------------------------------------------------------------


class EvalFileError(Exception):
    """A gold or answers file that cannot be used at all."""


def jsonl_lines(path: Path, what: str) -> list[tuple[int, str]]:
    """The non-blank lines of a JSONL file with their 1-based numbers; EvalFileError naming the
    `what` file (gold, answers) when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalFileError(f"cannot read {what} file {path}: {e.strerror}") from e
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


class GoldFormatError(EvalFileError):
    """One unusable line of a gold file; the message names the file, line and fix."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


# --- schema ------------------------------------------------------------------------------------


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


# --- loading -----------------------------------------------------------------------------------


def load_gold(path: Path | str) -> list[GoldQuestion]:
    """Read and validate a gold JSONL file; any bad line is a GoldFormatError naming it."""
    path = Path(path)
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for number, line in jsonl_lines(path, "gold"):
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
