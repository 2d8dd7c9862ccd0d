"""Arithmetic on the figures a quoted sentence states: a yearly target over several years
("每年新增20家…三年累计至少多少" → 20家 × 3 = 60家) and the sum of two named figures
("高企和科技型中小企业的数量目标加起来" → 230家 + 340家 = 570家).

Owns `tally`: one Chinese line with the arithmetic shown, or None when the question asks for no
such total or the sentence does not state the figures it needs. Pure: it reads only the
question and the sentences a lookup already quotes, so every number it gives traces to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.asking import ASKS_TOTAL
from policyqa.rules.money import plain_number
from policyqa.text import normalize_query

# A count or sum a target states: "20家以上", "100项左右", "200万元以上", "3.8万家".
_FIGURE = re.compile(
    r"(\d+(?:\.\d+)?)(万|亿)?(家|个|人(?!次)|项|件|所|名|元)"
    r"(以上|左右|以内|及以上)?"
)
_NUMERALS = dict(zip("两二三四五六七八九十", (2, 2, 3, 4, 5, 6, 7, 8, 9, 10), strict=True))
# A total over years asked ("三年累计", "这三年下来", "两年合计", "按三年算一共").
_YEARS_TOTAL = re.compile(
    r"((?<!\d)\d|(?<![两二三四五六七八九十])[两二三四五六七八九十])年(?:下来|累计|合计|一共|总共|共|总目标|总计|算|加起来|内|里)"
)
_YEAR_RANGE = re.compile(r"(20\d\d)年?\s*(?:到|至|—|–|-|~|－)\s*(20\d\d)")
_TOTAL_ASKED = re.compile(r"累计|合计|一共|总共|总目标|总计|加起来|下来|算")
_EACH_YEAR = re.compile(r"每年|年均|每年度|年度")
_BREAK = re.compile(r"[，,。；;：:、]|和|及|与")


@dataclass(frozen=True)
class Figure:
    """A figure of a sentence with the words before it that name what it counts."""

    value: Decimal
    unit: str
    qualifier: str
    named: str
    yearly: bool

    def shown(self, value: Decimal | None = None) -> str:
        return f"{plain_number(self.value if value is None else value)}{self.unit}"


def tally(question: str, sentences: Sequence[str]) -> str | None:
    """The total the question asks of the quoted sentences' figures, as a line; None when it
    asks none or the sentences lack a figure for it (see the module docstring)."""
    text = normalize_query(question)
    figures = [f for s in sentences for f in figures_in(normalize_query(s))]
    if not figures:
        return None
    years = years_totalled(text)
    if years is not None:
        yearly = [f for f in figures if f.yearly]
        best = _best_named(text, yearly)
        if best is not None:
            total = best.value * years
            bound = _bound(best.qualifier)
            return (
                f"按每年{best.shown()}{best.qualifier}计，{years}年合计："
                f"{best.shown()} × {years} = {best.shown(total)}{bound}"
            )
    if ASKS_TOTAL.search(text):
        named = _two_named(text, figures)
        if named is not None:
            a, b = named
            total = a.value + b.value
            bound = _bound(a.qualifier if a.qualifier == b.qualifier else "")
            return f"两项合计：{a.shown()} + {b.shown()} = {a.shown(total)}{bound}"
    return None


def figures_in(sentence: str) -> list[Figure]:
    """The count and money figures of a normalized sentence, each with the words naming it:
    those since the last break (，、和 …) before it. Only those: the subject of a whole
    sentence ("海洋信息研究院…创收500万元…科研收入200万元") names none of its figures alone."""
    found: list[Figure] = []
    previous_end = 0
    for m in _FIGURE.finditer(sentence):
        head = sentence[: m.start()]
        part_start = max(head.rfind(mark) for mark in "。；;") + 1
        start = max((b.end() for b in _BREAK.finditer(sentence, 0, m.start())), default=0)
        phrase = sentence[max(previous_end, part_start, start) : m.start()]
        previous_end = m.end()
        # Figures are added in the unit the sentence writes them in (200万元, 3.8万家).
        value, unit = Decimal(m.group(1)), f"{m.group(2) or ''}{m.group(3)}"
        yearly = bool(_EACH_YEAR.search(sentence[part_start : m.start()]))
        found.append(Figure(value, unit, m.group(4) or "", phrase, yearly))
    return found


def years_totalled(text: str) -> int | None:
    """How many years a normalized question asks a total over ("三年累计" → 3,
    "2024到2026这三年下来" → 3, "2025、2026两年合计" → 2); None when it asks no total."""
    m = _YEARS_TOTAL.search(text)
    if m:
        said = m.group(1)
        return int(said) if said.isdigit() else _NUMERALS.get(said)
    span = _YEAR_RANGE.search(text)
    if span and _TOTAL_ASKED.search(text[span.end() :]):
        first, last = int(span.group(1)), int(span.group(2))
        return last - first + 1 if last > first else None
    return None


def _bound(qualifier: str) -> str:
    return {"以上": "以上", "及以上": "以上", "左右": "左右"}.get(qualifier, "")


def _overlap(a: str, b: str) -> int:
    """The length of the longest run of characters `a` and `b` share."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _best_named(text: str, figures: Sequence[Figure]) -> Figure | None:
    """The figure whose naming words the question shares most (at least four characters)."""
    scored = sorted(((_overlap(f.named, text), i) for i, f in enumerate(figures)), reverse=True)
    if not scored or scored[0][0] < 4:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two figures named alike: which one is asked is not clear
    return figures[scored[0][1]]


def _two_named(text: str, figures: Sequence[Figure]) -> tuple[Figure, Figure] | None:
    """Two figures of one unit that the question names by their words, in sentence order."""
    named = [f for f in figures if len(f.named) >= 2 and _overlap(f.named, text) >= 4]
    if len(named) != 2 or named[0].unit != named[1].unit:
        return None
    return named[0], named[1]
