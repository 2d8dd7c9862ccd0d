"""A sum of money a clause states for a named thing, asked for by that name.

"单户企业纳入风险补偿备案的贷款余额上限是多少" (贷款余额不超过2000万元), "关键技术攻关财政每年投入
资金多少" (财政每年投入资金5000万元以上), "科研收入目标是多少" (科研收入200万元以上): the figure is
no grant computed from the asker's facts but a number the clause writes after the very noun the
question names. A grant's own words (奖励, 补助, 贴息 …) are left to the calculators, which check
its requirements; a question with sums of its own asks what they earn, not what the clause
states. Pure: reads the question, the clause text and a word splitter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.asking import ASKS_TOTAL
from policyqa.rules.money import find_quantities
from policyqa.text import normalize_query

# A figure is asked: "多少", "几", or a limit word with a question word after it.
_ASKS = re.compile(r"多少|(?<![哪好])几(?!个|项|家|名|人|件)")
# A count, share or rate asked is another reading (figurehit, the share cue).
_ASKS_OTHER = re.compile(r"(?:多少|几)(?:家|项|名|人|个|件|场|所|次|倍|成)|比例|百分之|%|占比|比重")
# Where the words naming a figure begin: the clause part it stands in.
_PART = re.compile(r"[，,；;。：:、（）()]")
_SENTENCE = re.compile(r"[；;。]")
# Words between a figure's noun and the figure ("贷款余额不超过2000万元"), and a plan's
# bounds: they say how the figure binds, not what it is of.
_BINDING = re.compile(r"(?:不超过|不低于|超过|达到|达|为|在|约|累计|总计|合计|最高|最多|至少)+$")
_AFTER = re.compile(r"元?(?:以上|以下|左右|以内)")
# A yearly figure: the sentence says 每年 / 年度 / 年均 before it.
_YEARLY = re.compile(r"每年|年度|年均")
# What a grant is called: its sum is computed (and its requirements checked) by a rule.
_GRANT = re.compile(r"奖励|补助|补贴|资助|支持|贴息|补偿|奖补|给予|一次性")
# Words saying only that the noun is money: "投入多少钱" names "投入资金", "统筹了多少预算"
# names "统筹预算资金".
_MONEY_WORDS = frozenset({"资金", "经费", "金额", "款项", "预算"})
# Words saying only that a figure is reached ("培育企业实现产值6亿元以上": 产值 is the noun).
_REACHING_WORDS = frozenset({"实现", "完成"})
MIN_NOUN = 2  # characters of a noun the question must name
# A verb of putting money in or out said short ("投多少钱" names 投入, "支多少" 支出).
_SHORT_VERB = re.compile(r"^(?P<verb>[\u4e00-\u9fff])[入出]$")
_YEAR_WORDS = ("每年", "一年", "年均", "年度")


def _names(word: str, asked: str) -> bool:
    """Whether the question names a word of a figure's noun: as written, a verb said short
    before its money ("投多少钱", "投了多少"), or 每年 said as 一年."""
    if word in asked:
        return True
    if word in _YEAR_WORDS:
        return any(y in asked for y in _YEAR_WORDS)
    short = _SHORT_VERB.match(word)
    return bool(short and re.search(rf"{short['verb']}(?:了|过)?(?:多少|几)", asked))


@dataclass(frozen=True, slots=True)
class NamedSum:
    """A stated sum: the noun it is of, the words binding it before and after the figure
    ("不超过", "以上"), the amount and the clause part it stands in."""

    noun: str
    before: str
    after: str
    amount_yuan: Decimal
    part: str
    yearly: bool


def named_sum(
    question: str, clause_text: str, words: Callable[[str], Sequence[str]]
) -> NamedSum | None:
    """The one money figure of `clause_text` whose noun the question names; None when the
    question does not ask for a figure, has sums of its own, or names no figure or several."""
    asked = normalize_query(question)
    if not _ASKS.search(asked) or _ASKS_OTHER.search(asked):
        return None
    # Two questions asked ("…每年投入多少？…统筹多少？"): unless this clause names a figure
    # for each (a total asked of it aside), each is answered apart, by its own clause.
    asks = [s for s in re.split(r"[？?]", asked) if _ASKS.search(s)]
    if len(asks) > 1 and any(
        not ASKS_TOTAL.search(s) and not named_sums(s, clause_text, words) for s in asks
    ):
        return None
    if any(q.kind == "money" for q in find_quantities(asked)):
        return None
    found = named_sums(asked, clause_text, words)
    if len({(f.noun, f.amount_yuan) for f in found}) != 1:
        return None
    return found[0]


def named_sums(
    question: str, clause_text: str, words: Callable[[str], Sequence[str]]
) -> list[NamedSum]:
    """Every money figure of `clause_text` whose noun the question names, whatever else it
    asks ("培训多少人次、创收多少钱" names 创收's)."""
    asked = normalize_query(question)
    text = normalize_query(clause_text)
    found: list[NamedSum] = []
    for q in find_quantities(text):
        if q.kind != "money":
            continue
        start = max((m.end() for m in _PART.finditer(text, 0, q.start)), default=0)
        before = text[start : q.start]
        binding = _BINDING.search(before)
        noun = before[: binding.start()] if binding else before
        noun = noun.rsplit("的", 1)[-1]
        if len(noun) < MIN_NOUN or _GRANT.search(noun):
            continue
        named = [w for w in words(noun) if w not in _MONEY_WORDS | _REACHING_WORDS]
        if named and all(_names(w, asked) for w in named):
            end = next((m.start() for m in _PART.finditer(text, q.end)), len(text))
            bound = binding.group(0) if binding else ""
            after = _AFTER.match(text, q.end, end)
            trailing = after.group(0).lstrip("元") if after else ""
            sentence = max((m.end() for m in _SENTENCE.finditer(text, 0, q.start)), default=0)
            yearly = bool(_YEARLY.search(text, sentence, q.start))
            found.append(NamedSum(noun, bound, trailing, q.value, text[start:end], yearly))
    return found
