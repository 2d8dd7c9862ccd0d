"""The answer contract of DESIGN.md: the one object every front end returns.

Outside evaluation scripts read these field names; keep them stable and only add fields. A leaf:
it imports no other stage, so every stage and front end can share it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The longest question accepted (characters, after cleaning and after normalization); a
# follow-up resolved against its history is cut to it too, so what is embedded stays bounded.
MAX_QUESTION_CHARS = 500


class Citation(BaseModel):
    """A clause an answer relied on, with its whole text in the original characters."""

    doc_id: str
    title: str
    region: str
    clause_id: str
    path: str
    text: str
    score: float


class Calculation(BaseModel):
    """A calculator's result: the rule and clause it applied, its inputs, amount and steps."""

    rule_id: str
    clause_id: str
    inputs: dict[str, Any]
    amount_yuan: int | float
    steps: list[str]


class Turn(BaseModel):
    """One earlier message of a conversation."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=4000)


class Answer(BaseModel):
    """The answer object (JSON in the API, in `policyqa ask --json` and in batch mode)."""

    id: str | None = None
    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    calculation: Calculation | None = None
    # Additions to the DESIGN contract (new fields only): how the answer was reached.
    route: Literal["lookup", "calculation", "needs_input", "abstain"] = "lookup"
    abstain_reason: str | None = None
    resolved_question: str | None = None
    # The question as understood (`answer.frame_types.QuestionFrame.to_json()`), after merging
    # a follow-up into the conversation's earlier frame; None for a question not understood.
    frame: dict[str, Any] | None = None
