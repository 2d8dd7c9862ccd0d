"""Which rules.toml entries a document change touches, and why each one needs a second look.

Owns the review of the rule table when a document is replaced or removed: the entries tied to
the document (`references_to`), those the table cannot load without (`blocking`), and a reason
per entry, checked against the new clauses (`review_replaced`, `review_removed`). Never edits
rules.toml and never refuses a change itself: `documents.store` decides that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from policyqa.corpus.segment import Clause
from policyqa.rules.table import RuleBook
from policyqa.text import normalize

ReviewKind = Literal["rule", "provision", "exclusion", "combination", "industry"]
# How the command line names each kind of entry.
KIND_NAMES: dict[ReviewKind, str] = {
    "rule": "规则",
    "provision": "条款补充",
    "exclusion": "排除项",
    "combination": "组合规则",
    "industry": "产业目录",
}
# Entries that must name a document of the manifest, or the rule table no longer loads.
BLOCKING_KINDS: tuple[ReviewKind, ...] = ("rule", "provision", "combination")


class Reference(NamedTuple):
    """A rules.toml entry tied to a document: its kind, rule id or title, clause and quotes."""

    kind: ReviewKind
    ref: str
    clause_id: str
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class ReviewItem:
    """An entry of rules.toml tied to a clause that changed or left, and why to review it."""

    kind: ReviewKind
    ref: str
    clause_id: str
    reason: str


def references_to(book: RuleBook, doc_id: str) -> list[Reference]:
    """Every entry of the rule table tied to the document, in the table's order of kinds."""
    prefix = f"{doc_id}:"
    refs = [Reference("rule", r.id, r.clause_id, r.quote) for r in book.rules if r.doc_id == doc_id]
    refs += [
        Reference("provision", p.title, p.clause_id, p.quote)
        for p in book.provisions
        if p.doc_id == doc_id
    ]
    refs += [
        Reference("combination", c.id, c.clause_id, c.quote)
        for c in book.combinations
        if c.doc_id == doc_id
    ]
    refs += [
        Reference("exclusion", e.reason, e.clause_id, e.quote)
        for e in book.exclusions
        if e.clause_id.startswith(prefix)
    ]
    refs += [
        Reference("industry", f"{i.region}{i.category}", source, ())
        for i in book.industries
        for source in i.sources
        if source.startswith(prefix)
    ]
    return refs


def blocking(references: Iterable[Reference]) -> list[Reference]:
    """The references the rule table cannot load without (see `BLOCKING_KINDS`)."""
    return [r for r in references if r.kind in BLOCKING_KINDS]


def review_replaced(
    references: Iterable[Reference], clauses: Sequence[Clause]
) -> tuple[ReviewItem, ...]:
    """What to check in each entry once the document's text is replaced by `clauses`."""
    by_id = {c.clause_id: c for c in clauses}
    return tuple(
        ReviewItem(r.kind, r.ref, r.clause_id, _reason(r.clause_id, r.quotes, by_id))
        for r in references
    )


def review_removed(references: Iterable[Reference]) -> tuple[ReviewItem, ...]:
    """Every entry of a removed document: the clause it cites is gone."""
    return tuple(
        ReviewItem(r.kind, r.ref, r.clause_id, "文档已删除，条目引用的条款已不存在")
        for r in references
    )


def _reason(clause_id: str, quotes: tuple[str, ...], clauses: dict[str, Clause]) -> str:
    clause = clauses.get(clause_id)
    if clause is None:
        return "新文本中已没有这一条款"
    text = normalize(clause.text)
    missing = [q for q in quotes if normalize(q) not in text]
    if missing:
        return f"条款文字已改变，引文不再出现：{missing[0]}"
    return "条款编号与引文仍在；请核对金额与条件是否仍然适用"
