"""Which retrieved clause answers a question asking for a count ("多少项重大科技攻关项目").

Clauses on one topic rank close together; the one to quote is the one whose quoted sentence
states a figure in the unit asked (项, 家, 名 …) and whose own words (before and after it) the
question shares most ("每年组织实施100项左右重大科技攻关项目" over "每年组织实施20项左右前沿技术攻关
项目"), a yearly figure for a question asking per year and a plan's total for one that does
not. Owns `asked_unit`, `figure_hit`, and `count_unstated` (a count asked of a clause that
sets none for the thing). Pure: it reads the question and the sentences a lookup would quote
of each hit; it never searches and never changes a figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from policyqa.answer.tallies import Figure, figures_in, shared_run
from policyqa.text import normalize_query, split_sentences

# "多少家", "几项", "多少个": the count's unit ("哪几个" asks which, not how many).
_UNIT = re.compile(r"(?:多少|(?<![哪好])几)(家|项|名|人|个|件|场|所)")
# Units counting the same thing: people are counted in 名 or 人.
_SAME_UNIT = {"名": "人"}
_PER_YEAR = re.compile(r"每年|年均|每一年|一年|年度")
# "每年新增国家高新技术企业的目标是多少？": a count asked without its unit, of a kind of thing
# counted (企业, 项目 …); any counting unit of the clause's figures may answer it.
_BARE_COUNT_ASKED = re.compile(
    r"(?:企业|项目|机构|平台|中心|实验室|基地|人才)[^，,。？?]{0,6}多少[？?]?$"
)
_COUNTING_UNITS = frozenset("家项名人个件场所")
NAMED = 4  # characters of a figure's own words the question must share to name it
CONSIDERED = 5  # hits looked at: the ones a lookup cites and a little more
MARGIN = 2  # characters of shared wording by which another hit must beat the top one


def asked_unit(question: str) -> str | None:
    """The unit of the count a question asks for, if it asks for one — and only one: counts
    in two units ("几个…？…多少项？") may stand in two clauses, so no one clause is chosen."""
    units = {_SAME_UNIT.get(u, u) for u in _UNIT.findall(normalize_query(question))}
    return units.pop() if len(units) == 1 else None


def _figure_score(figure: Figure, unit: str | None, asked: str, per_year: bool) -> int | None:
    """How well the question names a figure of the unit asked (None: not a count asked)."""
    if not (
        _SAME_UNIT.get(figure.unit[-1], figure.unit[-1]) == unit
        or (unit is None and figure.unit[-1] in _COUNTING_UNITS)
    ):
        return None
    # A yearly figure ("每年新增15家") answers a question asking per year; a plan's total
    # ("45家以上") one that does not: the other kind counts for less.
    return figure.naming(asked) - (MARGIN if figure.yearly_part != per_year else 0)


def _asks_count(question: str) -> tuple[str | None, str, bool] | None:
    """(unit, normalized question, asks per year) of a count asked — the unit "%" for a rate
    ("企业牵头的比例要求是多少") —; None when neither is asked."""
    unit = asked_unit(question)
    asked = normalize_query(question)
    if unit is None and _asks_rate(asked):
        unit = "%"
    elif unit is None and not _BARE_COUNT_ASKED.search(asked):
        return None
    return unit, asked, bool(_PER_YEAR.search(asked))


# A rate asked of a target or a rule: its word, and an ask anywhere after it ("比例，泰安和省里
# 的要求分别是多少"); never a sum of money asked ("按比例能补多少钱").
_RATE_WORD = re.compile(r"(?:比例|占比|比重|强度)[^？?。]*?(?:多少|几)")
_MONEY_ASKED = re.compile(r"多少钱|[万亿]元|资金|补多少|奖多少|给多少|支持多少")
# A rate a sentence states, with the words before it that name it ("企业牵头的比例达到90%以上").
_RATE_FIGURE = re.compile(
    r"([\u4e00-\u9fff“”]{1,16})(?:达到|提高到|提升到|为|占|超过|不低于)?\d+(?:\.\d+)?%"
)


def _asks_rate(asked: str) -> bool:
    return bool(_RATE_WORD.search(asked)) and not _MONEY_ASKED.search(asked)


def _rates_named(sentence: str, asked: str) -> list[int]:
    return [shared_run(m.group(1), asked) for m in _RATE_FIGURE.finditer(normalize_query(sentence))]


def _best_named(question: str, sentences: Sequence[str]) -> tuple[int, int] | None:
    """(score, index) of the sentence whose count the question names best, if it asks one."""
    asks = _asks_count(question)
    if asks is None:
        return None
    unit, asked, per_year = asks
    if unit == "%":
        scored = [(score, i) for i, s in enumerate(sentences) for score in _rates_named(s, asked)]
    else:
        scored = [
            (score, i)
            for i, s in enumerate(sentences)
            for f in figures_in(normalize_query(s))
            if (score := _figure_score(f, unit, asked, per_year)) is not None
        ]
    return max(scored, key=lambda p: (p[0], -p[1])) if scored else None


def with_named_count(question: str, text: str, quoted: Sequence[str]) -> list[str]:
    """The quoted sentences, plus the clause's sentence stating the count the question names
    when the quote left it out ("市级以上创新平台45家以上" stands after the sentence on 2026 that
    the question's words chose), in clause order."""
    sentences = split_sentences(text)
    best = _best_named(question, sentences)
    if best is None or best[0] < NAMED or sentences[best[1]] in quoted:
        return list(quoted)
    in_quote = _best_named(question, quoted)
    if in_quote is not None and in_quote[0] >= best[0]:
        return list(quoted)
    keep = set(quoted) | {sentences[best[1]]}
    return [s for s in sentences if s in keep]


def figure_hit(
    question: str, texts: Sequence[str], quote: Callable[[str], Sequence[str]]
) -> int:
    """The index of the clause text to answer from (0 when the top one will do): the top
    clause unless its quote states no figure in the unit asked, or another clause's quote
    does with wording the question shares by `MARGIN` more characters."""
    if _asks_count(question) is None:
        return 0
    scored: list[tuple[int, int]] = []
    for i, text in enumerate(texts[:CONSIDERED]):
        # A figure is scored by its own words (before and after it), not its sentence's.
        best = _best_named(question, quote(text))
        if best is not None:
            scored.append((i, best[0]))
    if not scored:
        return 0
    best = max(scored, key=lambda p: (p[1], -p[0]))
    if best[1] < NAMED - MARGIN:
        return 0  # no clause's figure is the one the question names
    top = next((run for i, run in scored if i == 0), None)
    if top is not None and best[1] < top + MARGIN:
        return 0
    return best[0]


# Any number a clause writes: digits, or a Chinese numeral counting something ("两家", "十个");
# not 一批 or 一些, which count nothing.
_ANY_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万]+[个家项名人场件所次市县区]")
# The thing a count is asked of, written after the ask ("多少家引领型孵化器").
_COUNTED = re.compile(
    r"(?:多少|几)[家项名人个件场所](?:省级|市级)?([\u4e00-\u9fff“”+]{3,12}?)(?:[？?，,。]|$)"
)


def count_unstated(question: str, clause_text: str) -> bool:
    """True when the clause sets no number where it names the thing counted ("多少家引领型
    孵化器": the sentence on 引领型孵化器 says 遴选培育, no count), or none at all. A count in
    another unit than asked ("16市" for 多少个) is a number the clause sets."""
    clause = normalize_query(clause_text)
    if not _ANY_NUMBER.search(clause):
        return True
    counted = _COUNTED.search(normalize_query(question))
    if counted is None:
        return False
    naming = [s for s in split_sentences(clause) if counted.group(1) in s]
    return bool(naming) and not any(_ANY_NUMBER.search(s) for s in naming)


# A rate asked ("按研发费用的百分之几补", "补偿的比例具体是多少", "几个百分点"), not a sum.
_RATE_ASKED = re.compile(
    r"百分之几|百分之多少|百分比|几个百分点|多少个百分点|几成"
    r"|(?:比例|比率|比重|占比|强度)(?:具体)?(?:是|为|要|按)?(?:多少|几)(?![钱万元])"
)
# A rate a clause states: 30%, 百分之三十, 3个百分点, 六成, 5∶2.
_RATE = re.compile(
    r"\d+(?:\.\d+)?\s*%|百分之|个百分点|[一二三四五六七八九\d]成(?!果|立|为|效|员)|\d\s*[∶:]\s*\d"
)


def rate_unstated(question: str, clause_text: str) -> bool:
    """True when a question asks a rate and the clause answering it states none ("与省级相同
    比例的风险补偿", "按规定落实研发投入补助": the rate is set elsewhere)."""
    if _RATE_ASKED.search(normalize_query(question)) is None:
        return False
    return _RATE.search(normalize_query(clause_text)) is None
