"""The rule table checked against the corpus: the problems a person must fix before an amount
from it can be trusted.

Owns the integrity checks of `corpus/rules.toml` against the clauses it cites: every entry
names a clause that exists, every quote is long enough to be evidence and stands in its clause,
every number of a rule stands in its quotes, and every amount of money in the corpus is a rule's
number or sits in an `[[exclusion]]` quote. `validate` returns typed `Problem`s (empty when the
table is sound); `check_corpus` loads the table of a corpus directory and validates it;
`require_valid` raises `RulesError` listing the problems that make amounts untrustworthy;
`without_invalid` is the table without the rules that have them.
Never edits the table and never decides what a front end does with a problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Literal

from policyqa.corpus.segment import Clause
from policyqa.rules.model import rule_numbers
from policyqa.rules.money import extract_numbers
from policyqa.rules.table import RULES_FILE, RuleBook, RulesError, load_rules
from policyqa.text import normalize

ProblemKind = Literal[
    "unloadable",
    "unknown_clause",
    "short_quote",
    "quote_not_in_clause",
    "number_not_in_quote",
    "uncovered_money",
]
# Shorter than this a quote proves nothing ("x", "30%"): it would stand in almost any clause.
MIN_QUOTE_CHARS = 6
# Kinds a document added without its rules yet produces: the table is incomplete, not wrong,
# so the amounts it does compute stay trustworthy. Every other kind is an error.
INCOMPLETE_KINDS: frozenset[ProblemKind] = frozenset({"uncovered_money"})

KIND_LABELS: dict[ProblemKind, str] = {
    "unloadable": "规则表无法加载",
    "unknown_clause": "引用的条款不存在",
    "short_quote": "引文过短",
    "quote_not_in_clause": "引文不在条款中",
    "number_not_in_quote": "数字不在引文中",
    "uncovered_money": "金额条款既无规则也无排除项",
}


@dataclass(frozen=True)
class Problem:
    """One defect of the rule table: its kind, the entry to fix, the clause, and the detail."""

    kind: ProblemKind
    ref: str
    clause_id: str
    detail: str

    @property
    def is_error(self) -> bool:
        """True when amounts computed from the table cannot be trusted until it is fixed."""
        return self.kind not in INCOMPLETE_KINDS

    def line(self) -> str:
        """One line for the command line: kind, entry, clause, detail."""
        where = f"（{self.clause_id}）" if self.clause_id else ""
        return f"{self.kind}: {self.ref}{where} {KIND_LABELS[self.kind]}：{self.detail}"


def _quoted_entries(book: RuleBook) -> list[tuple[str, str, tuple[str, ...]]]:
    """(ref, clause_id, quotes) of every entry that cites a clause, in table order."""
    out = [(f"rule {r.id}", r.clause_id, r.quote) for r in (*book.rules, *book.candidates)]
    out += [(f"provision {p.title}", p.clause_id, p.quote) for p in book.provisions]
    out += [(f"exclusion {e.clause_id}", e.clause_id, e.quote) for e in book.exclusions]
    out += [(f"combination {c.id}", c.clause_id, c.quote) for c in book.combinations]
    return out


def _quote_problems(book: RuleBook, clauses: dict[str, Clause]) -> list[Problem]:
    problems: list[Problem] = []
    for ref, clause_id, quotes in _quoted_entries(book):
        clause = clauses.get(clause_id)
        if clause is None:
            problems.append(Problem("unknown_clause", ref, clause_id, "语料中没有这一条款"))
            continue
        text = normalize(clause.text)
        for quote in quotes:
            if len(quote.strip()) < MIN_QUOTE_CHARS:
                detail = f"“{quote}”不足{MIN_QUOTE_CHARS}个字，不能作为依据"
                problems.append(Problem("short_quote", ref, clause_id, detail))
            elif normalize(quote) not in text:
                problems.append(Problem("quote_not_in_clause", ref, clause_id, f"“{quote}”"))
    return problems


def _number_problems(book: RuleBook) -> list[Problem]:
    problems: list[Problem] = []
    for rule in book.rules:
        quoted = {(q.kind, q.value) for q in extract_numbers("；".join(rule.quote))}
        for kind, value in rule_numbers(rule):
            if (kind, value) not in quoted:
                detail = f"{kind} {value} 未出现在 quote 中"
                problems.append(
                    Problem("number_not_in_quote", f"rule {rule.id}", rule.clause_id, detail)
                )
    return problems


def _coverage_problems(book: RuleBook, clauses: Iterable[Clause]) -> list[Problem]:
    excluded: dict[str, list[str]] = {}
    for exclusion in book.exclusions:
        excluded.setdefault(exclusion.clause_id, []).extend(exclusion.quote)
    problems: list[Problem] = []
    for clause in clauses:
        text = normalize(clause.text)
        rule_money: set[Decimal] = {
            value
            for rule in book.for_clause(clause.clause_id)
            for kind, value in rule_numbers(rule)
            if kind == "money"
        }
        spans = []
        for quote in excluded.get(clause.clause_id, ()):
            start = text.find(normalize(quote))
            if start >= 0:
                spans.append((start, start + len(normalize(quote))))
        uncovered = [
            q.text
            for q in extract_numbers(clause.text)
            if q.kind == "money"
            and q.unit == "元"
            and q.value not in rule_money
            and not any(s <= q.start and q.end <= e for s, e in spans)
        ]
        if uncovered:
            detail = f"{'、'.join(uncovered)} 没有规则或 [[exclusion]]"
            problems.append(
                Problem("uncovered_money", f"clause {clause.clause_id}", clause.clause_id, detail)
            )
    return problems


def validate(book: RuleBook, clauses: Sequence[Clause]) -> list[Problem]:
    """Every problem of the rule table against the corpus's clauses (empty when it is sound)."""
    by_id = {c.clause_id: c for c in clauses}
    return [
        *_quote_problems(book, by_id),
        *_number_problems(book),
        *_coverage_problems(book, clauses),
    ]


def check_corpus(corpus_dir: Path, clauses: Sequence[Clause]) -> list[Problem]:
    """Load the rule table of `corpus_dir` and validate it; no table, no problems.

    A table that does not load is one `unloadable` problem carrying the loader's message.
    """
    if not (corpus_dir / RULES_FILE).is_file():
        return []
    try:
        book = load_rules(corpus_dir)
    except RulesError as e:
        return [Problem("unloadable", RULES_FILE, "", str(e))]
    return validate(book, clauses)


def require_valid(book: RuleBook, clauses: Sequence[Clause], path: Path) -> list[Problem]:
    """Raise RulesError naming each entry to fix when the table has errors; return the
    remaining (incomplete-only) problems, which leave the computed amounts trustworthy."""
    problems = validate(book, clauses)
    errors = [p for p in problems if p.is_error]
    if errors:
        listed = "\n".join(f"  {p.line()}" for p in errors)
        raise RulesError(
            f"{path} 有 {len(errors)} 处错误，修正后才能启动"
            f"（或运行 policyqa rules check）：\n{listed}"
        )
    return problems


def without_invalid(book: RuleBook, clauses: Sequence[Clause]) -> RuleBook:
    """The table without the rules that have errors (their amounts cannot be trusted)."""
    bad = {p.ref.removeprefix("rule ") for p in validate(book, clauses) if p.is_error}
    if not bad:
        return book
    return replace(book, rules=tuple(r for r in book.rules if r.id not in bad))
