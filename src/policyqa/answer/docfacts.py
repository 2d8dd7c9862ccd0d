"""Facts about a document as a whole that its text states: who interprets it, when it takes
effect, the years it plans for — and which documents a question names by their kind.

Owns `fact_asked` / `facts_asked` (what such a question asks: "interpret", "effective" or "period"),
`documents_named` (the documents a question names as "日照的行动计划和实施细则"),
`fact_sentence` (the sentence of a document's clauses that states the fact: "本文件由市科技局…
负责解释", "本文件自印发之日起施行") and `period_of` (a plan's years: its title's range, else
the year its target section aims at). Pure: it reads clauses and the manifest, never
retrieves, and states only what a document's text or manifest says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from policyqa.corpus.manifest import DocumentMeta
from policyqa.corpus.segment import Clause
from policyqa.text import normalize, split_sentences

Fact = Literal["interpret", "effective", "period"]

_ASKS: tuple[tuple[Fact, re.Pattern[str]], ...] = (
    (
        "interpret",
        re.compile(r"负责解释|解释权|由谁解释|(?:哪个|哪些|什么)(?:部门|单位)[^，,。？?]{0,4}解释"),
    ),
    (
        "effective",
        re.compile(
            r"(?:什么时候|何时|哪天|几时|哪一天|从哪天|哪日|啥时候|啥时)(?:开始|起)?(?:施行|执行|生效|实行)"
            r"|施行日期|生效日期|起施行"
        ),
    ),
    (
        "period",
        re.compile(
            r"(?:覆盖|管的是|涵盖|规划期|实施期|执行期|行动期)[^，,。？?]{0,6}"
            r"(?:哪几年|哪些年|哪一年|哪年|几年|哪两年|哪三年)"
            r"|目标年份|到哪一年结束|哪一年结束|截止到哪一年|截至哪一年"
        ),
    ),
)
# The sentence stating each fact in a document's own text.
_STATES: dict[Fact, re.Pattern[str]] = {
    "interpret": re.compile(r"负责解释|解释权"),
    "effective": re.compile(r"施行|生效|有效期"),
}
# What a question calls a document, most specific first; a title ending in one is that kind.
_KINDS = ("实施细则", "实施意见", "行动计划", "行动方案", "细则", "意见", "计划", "方案")
_TITLE_RANGE = re.compile(r"(20\d\d)\s*[—–\-~至到]\s*(20\d\d)年?")
_AIMED_YEAR = re.compile(r"(?:到|至)?(20\d\d)年")


def fact_asked(question: str) -> Fact | None:
    """The document fact a normalized question asks for, if it asks for one (the first of
    several)."""
    facts = facts_asked(question)
    return facts[0] if facts else None


def facts_asked(question: str) -> tuple[Fact, ...]:
    """Every document fact a question asks for ("从什么时候开始执行？由哪个部门负责解释？"), in
    the order of `_ASKS`."""
    text = normalize(question)
    return tuple(fact for fact, cue in _ASKS if cue.search(text))


def kind_of(title: str) -> str | None:
    """The kind of document a title names (行动计划, 实施细则 …), if any."""
    plain = re.sub(r"\(.*?\)", "", normalize(title))
    return next((k for k in _KINDS if k in plain), None)


def documents_named(question: str, documents: Sequence[DocumentMeta]) -> list[DocumentMeta]:
    """The documents a question names by kind and place ("日照的行动计划和实施细则",
    "文登的方案和山东省的研发行动计划"), in the order it names them; a kind alone names the
    documents of that kind in the places the question names, or anywhere when it names none."""
    text = normalize(question)
    places = [d for d in documents if place_of(d.region) in text]
    named: list[tuple[int, DocumentMeta]] = []
    for doc in documents:
        kind = kind_of(doc.title)
        if kind is None or (places and doc not in places):
            continue
        # The kind, or its last two characters as a question shortens it (方案 of 行动方案).
        at = next((text.find(k) for k in (kind, kind[-2:]) if k in text), -1)
        if at >= 0:
            named.append((at, doc))
    return [d for _, d in sorted(named, key=lambda p: p[0])]


def place_of(region: str) -> str:
    """A region as a question names it: 威海市文登区 → 文登, 日照市 → 日照, 山东省 → 山东."""
    last = re.split(r"(?<=[市])", region)[-1] or region
    return re.sub(r"[省市区县]$", "", last)


def fact_sentence(fact: Fact, clauses: Sequence[Clause]) -> tuple[Clause, str] | None:
    """The clause and sentence of a document's clauses that state `fact`, if any does."""
    cue = _STATES.get(fact)
    if cue is None:
        return None
    for clause in clauses:
        for sentence in split_sentences(clause.text):
            if cue.search(normalize(sentence)):
                return clause, sentence
    return None


def target_clause(clauses: Sequence[Clause]) -> Clause | None:
    """A document's target section (工作目标, 主要目标, 总体目标), if it has one."""
    return next((c for c in clauses if "目标" in c.heading), None)


def period_of(doc: DocumentMeta, target: Clause | None) -> str | None:
    """A plan's years as a phrase: its title's range ("2024—2025年"), else the first year its
    target section names ("2027年"); None when neither states one."""
    m = _TITLE_RANGE.search(normalize(doc.title))
    if m:
        return f"{m.group(1)}—{m.group(2)}年"
    if target is not None:
        year = _AIMED_YEAR.search(normalize(target.text))
        if year:
            return f"{year.group(1)}年"
    return None
