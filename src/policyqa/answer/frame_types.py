"""The typed question frame: what a question asks, about whom, where, when and with which figures.

Owns the value types only (built by ``answer.frame``, merged by ``answer.dialogue``, read by
routing, calculators and verification). Never parses text and never imports another stage, so
the answer contract can show a frame (`--json` → ``frame``) without depending on the parser.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from typing import Any, Literal

Intent = Literal[
    "amount",  # how much money (a calculator answers)
    "lookup",  # what a clause says (targets, measures, conditions)
    "comparison",  # the same thing across regions or documents ("日照和泰安分别…")
    "doc_list",  # which documents mention something ("哪些文件提到了…")
    "metadata",  # issuer, 文号, date, draft status of a document
    "eligibility",  # which policies an enterprise may get ("能享受哪些政策")
    "responsibility",  # who is responsible (牵头/责任单位)
]
Polarity = Literal["positive", "negative"]
RegionStatus = Literal["covered", "uncovered_district", "uncovered"]
QuantityRole = Literal["base", "count", "loss", "growth_rate", "per_year", "rate", "unknown"]


@dataclass(frozen=True)
class RegionMention:
    """A place named in the question, resolved against the corpus's regions."""

    text: str  # as written ("泰安", "环翠区")
    name: str  # full administrative name ("泰安市", "威海市环翠区")
    status: RegionStatus
    covered_by: str | None = None  # the corpus region that covers it ("日照市" for 岚山区)


@dataclass(frozen=True)
class Attribute:
    """A stated fact about the asker, with its polarity ("不是科技型中小企业" → negative)."""

    name: str  # canonical subject type or attribute ("科技型中小企业", "省级孵化器", "钢铁")
    polarity: Polarity
    text: str  # the words it was read from


@dataclass(frozen=True)
class FrameQuantity:
    """A number in the question with its unit and the role it plays."""

    value: str  # Decimal as a string, so the frame is JSON-ready and exact
    unit: Literal["yuan", "count", "percent", "year", "none"]
    role: QuantityRole
    text: str  # the words it was read from ("1.2亿", "八十万")
    values: tuple[str, ...] = ()  # a per-year list ("三年分别100万、200万、300万")


@dataclass(frozen=True)
class TierMention:
    """A grade or level asked about, with how many items of it ("两个省级孵化器")."""

    tier: str  # "国家级", "省级", "一等奖" …
    subject: str | None  # what is of that tier ("孵化器"), when named
    count: int = 1


@dataclass(frozen=True)
class QuestionFrame:
    """Everything the answer stage knows about one question (after dialogue merging)."""

    text: str  # the question as typed
    intent: Intent
    regions: tuple[RegionMention, ...] = ()
    subjects: tuple[Attribute, ...] = ()
    years: tuple[int, ...] = ()
    quantities: tuple[FrameQuantity, ...] = ()
    tiers: tuple[TierMention, ...] = ()
    objects: tuple[str, ...] = ()  # what the money or rule is asked for ("发明专利", "上市")
    off_topic: tuple[str, ...] = ()  # off-topic words seen (reported, not a short-circuit)
    resolved: str = ""  # the question rewritten with the conversation's context
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the contract's ``frame`` field)."""
        plain: dict[str, Any] = _as_plain(self)
        return plain

    def with_(self, **changes: Any) -> QuestionFrame:
        """A copy with some slots replaced (dialogue merging)."""
        return replace(self, **changes)


# Values `copy.deepcopy` returns as they are: `_as_plain` returns them without asking it.
_ATOMIC = (str, int, float, bool, type(None))


@lru_cache(maxsize=64)  # one entry per dataclass type of a frame
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _as_plain(value: Any) -> Any:
    """What `dataclasses.asdict` makes of `value`, with the same types (tuples stay tuples).

    asdict hands every leaf to `copy.deepcopy`, even the strings and numbers that make up a
    frame (about 3% of a cold answer's CPU outside the embedding, by cProfile). Here those
    leaves are returned as they are (deepcopy returns the very same objects), anything else
    is copied as asdict copies it.
    """
    if type(value) in _ATOMIC:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _as_plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple, as asdict does
        return type(value)(*[_as_plain(v) for v in value])
    if isinstance(value, list | tuple):
        return type(value)(_as_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_as_plain(k), _as_plain(v)) for k, v in value.items())
    return copy.deepcopy(value)
