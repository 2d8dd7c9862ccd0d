"""An eligibility question typed into the chat, answered by the same matching as the 资格匹配 tab.

"我们是日照的科技型中小企业，去年研发投入800万，能享受哪些政策？" is not a clause lookup: it asks
what the enterprise may get. `read_profile` reads a profile from such a question: region,
subject types, and a figure only where its phrase names what it is (one amount per phrase, given
to the input whose cue words stand in that phrase, never by position alone).
`eligibility_reply` words the match report for the chat. A stopgap: the question-frame work of
the answer stage will supply the profile later; until then this reader is deliberately small
and leaves anything uncertain out. Pure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from policyqa.corpus.regions import DISTRICT_SLUGS, SHANDONG_CITIES
from policyqa.resources import data_file, word_list
from policyqa.rules.match import MatchReport
from policyqa.rules.model import SUBJECT_TYPES, InputSpec
from policyqa.rules.money import find_quantities, format_yuan
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook
from policyqa.text import expand_abbreviations, normalize, normalize_query

CUES_FILE = "eligibility_cues.txt"
_PHRASES = re.compile(r"[,，。;；?？!！、]")
SHOWN_PER_GROUP = 5


class CueFileError(ValueError):
    """The cue list is damaged (empty, duplicated or blank-containing entries)."""


@functools.cache
def eligibility_cues() -> tuple[str, ...]:
    """The cue list, validated: non-empty, no spaces, no duplicates, in normal form."""
    cues = list(word_list(data_file(CUES_FILE)))
    bad = [c for c in cues if " " in c or normalize(c) != c]
    if not cues or bad or len(set(cues)) != len(cues):
        raise CueFileError(f"{CUES_FILE} 有误：为空、重复或含空格/非规范字符 {bad}")
    return tuple(cues)


def is_eligibility_question(question: str) -> bool:
    text = normalize(question)
    return any(cue in text for cue in eligibility_cues())


def region_in(text: str, regions: Sequence[str]) -> str | None:
    """The region a question names: a corpus region by its district or city, else a Shandong
    city (which the matching then reports as not covered); None when it names none."""
    names = [*DISTRICT_SLUGS, *SHANDONG_CITIES]
    for name in names:
        if name in text:
            known = next((r for r in regions if name in r), None)
            return known or f"{name}市"
    return None


def subjects_in(text: str) -> list[str]:
    """The subject types a question names, longest first, each span used once."""
    found: list[str] = []
    rest = text
    for subject in sorted(SUBJECT_TYPES, key=len, reverse=True):
        if subject in rest:
            found.append(subject)
            rest = rest.replace(subject, "　")
    return found


def figures_in(question: str, book: RuleBook) -> dict[str, Any]:
    """Figures the question states, one per phrase: a phrase (between punctuation) with exactly
    one amount gives it to the input whose cue in that phrase is the longest; a tie, a phrase
    with two amounts or one without a cue gives nothing (never guessed by position)."""
    specs: dict[str, InputSpec] = {}
    for rule in book.rules:
        for spec in rule.inputs:
            if spec.kind == "money":
                specs.setdefault(spec.name, spec)
    found: dict[str, list[Decimal]] = {}
    for phrase in _PHRASES.split(normalize_query(question)):
        amounts = [q for q in find_quantities(phrase) if q.kind == "money"]
        if len(amounts) != 1:
            continue
        strength = {
            name: max((len(c) for c in spec.cues if c in phrase), default=0)
            for name, spec in specs.items()
        }
        best = max(strength.values(), default=0)
        winners = [name for name, cue in strength.items() if cue == best]
        if best and len(winners) == 1:
            found.setdefault(winners[0], []).append(amounts[0].value)
    return {
        name: values if specs[name].multiple else values[0]
        for name, values in found.items()
        if specs[name].multiple or len(values) == 1
    }


def read_profile(question: str, regions: Sequence[str], book: RuleBook) -> EnterpriseProfile | None:
    """The enterprise profile an eligibility question describes, or None when it is not one
    or does not say where the enterprise is or what kind it is."""
    if not is_eligibility_question(question):
        return None
    text = expand_abbreviations(normalize(question))
    region, subjects = region_in(text, regions), subjects_in(text)
    if region is None or not subjects:
        return None
    try:
        return EnterpriseProfile.for_rules(
            {
                "region": region,
                "subject_types": list(subjects),
                "figures": figures_in(question, book),
            },
            book,
        )
    except ValidationError:
        return None


def _labels(book: RuleBook) -> dict[str, str]:
    return {s.name: s.label for r in book.rules for s in r.inputs}


def eligibility_reply(profile: EnterpriseProfile, report: MatchReport, book: RuleBook) -> str:
    """The chat's answer: how the question was read, then the groups of the match."""
    labels = _labels(book)
    read = [f"地区 {profile.region}", f"主体类型 {'、'.join(profile.subject_types)}"]
    for name, value in profile.figures.items():
        values = value if isinstance(value, list | tuple) else [value]
        shown = "、".join(format_yuan(v) if isinstance(v, Decimal) else str(v) for v in values)
        read.append(f"{labels.get(name, name)} {shown}")
    lines = [f"按资格匹配理解为：{'；'.join(read)}。", report.summary()]
    for result in report.group("obtainable"):
        amount = format_yuan(result.amount_yuan or Decimal(0))
        tag = "（计入组合）" if result.counted else "（就高不重复，不叠加）"
        lines.append(f"· 可获得：{result.rule.title} {amount}{tag} [{result.rule.clause_id}]")
    needs = report.group("needs_input")
    for result in needs[:SHOWN_PER_GROUP]:
        what = "；".join(result.missing) or "确认：" + "；".join(result.rule.requirements)
        lines.append(f"· 需补充：{result.rule.title}（{what}）[{result.rule.clause_id}]")
    if len(needs) > SHOWN_PER_GROUP:
        lines.append(f"· 另有{len(needs) - SHOWN_PER_GROUP}项需补充")
    lines.append("在“资格匹配”页填写已知金额，可看到全部规则、计算步骤与最佳组合。")
    return "\n".join(lines)
