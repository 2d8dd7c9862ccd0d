"""A plan's target rate applied to a base the asker supposes: projections, not grants.

"假设2023年全社会研发经费是2000亿元，按年均增长10%左右，2025年大约多少？" (the base grown at
the plan's yearly rate over the years between), "假设泰安2026年地区生产总值是3500亿元，要达到研发
投入强度目标，研发经费得投多少？" (the base times the plan's share for the year asked). The rate
is the one the clause states, named by the question's words (强度, 比重, 年均增长) and, when the
clause states one per year ("2024年达到52%、2025年达到53%"), the one of the year asked. Pure: it
reads the question and one clause, and computes nothing the clause does not state a rate for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.tallies import shared_run
from policyqa.rules.money import find_quantities, format_yuan
from policyqa.text import normalize_query, split_sentences

# A base the asker supposes ("假设…是2000亿元", "如果…12万亿元").
_SUPPOSED = re.compile(r"假设|假如|如果|若是|要是|按照?.{0,6}算")
# A grant is computed by a rule that checks its requirements, never projected.
_GRANT = re.compile(r"补助|补贴|奖励|资助|贴息|补偿|能拿|支持多少|给多少|补多少|奖多少")
_ASKS = re.compile(r"多少|几")
_YEAR = re.compile(r"(20\d\d)年")
# A rate a clause states, with the words naming it before it, and a year it may belong to.
_RATE = re.compile(r"((?:20\d\d年)?)(?:达到|提高到|提升到|为|超过|不低于)?(\d+(?:\.\d+)?)%")
_GROWTH = re.compile(r"年均增长|年平均增长|年均增速|年平均增长速度")
NAMED = 2  # characters of the rate's words the question must share


@dataclass(frozen=True, slots=True)
class Projection:
    """A base the asker supposes, the clause's rate, and the figure they give."""

    kind: str  # "growth" or "share"
    base_yuan: Decimal
    rate: Decimal
    years: int
    amount_yuan: Decimal
    sentence: str
    steps: tuple[str, ...]


def projection(question: str, clause_text: str) -> Projection | None:
    """The projection a question asks of a clause's rate; None unless it supposes one base
    sum, asks a figure (not a grant), and the clause states a rate its words name."""
    text = normalize_query(question)
    if not _SUPPOSED.search(text) or _GRANT.search(text) or not _ASKS.search(text):
        return None
    money = [q for q in find_quantities(text) if q.kind == "money"]
    if len(money) != 1:
        return None
    base = money[0]
    years = [int(y) for y in _YEAR.findall(text)]
    rate = _named_rate(text, clause_text, years)
    if rate is None:
        return None
    value, sentence, growth = rate
    percent = f"{_plain(value * 100)}%"
    if growth:
        before = [int(y) for y in _YEAR.findall(text[: base.start])]
        later = [y for y in years if before and y > before[-1]]
        if not before or not later:
            return None
        span = later[-1] - before[-1]
        amount = base.value * (1 + value) ** span
        steps = (
            f"{before[-1]}年：{format_yuan(base.value)}（贵方假设的基数）",
            f"按年均增长{percent}，{span}年后（{later[-1]}年）："
            f"{format_yuan(base.value)} × (1 + {percent})^{span} = {format_yuan(amount)}",
        )
        return Projection("growth", base.value, value, span, amount, sentence, steps)
    amount = base.value * value
    steps = (
        f"{format_yuan(base.value)}（贵方假设的基数） × {percent} = {format_yuan(amount)}",
    )
    return Projection("share", base.value, value, 0, amount, sentence, steps)


# The question asks a count by the plan's share ("按…比例的要求", "按这个算", "按行动计划的要求").
_BY_SHARE = re.compile(r"按.{0,14}?(?:比例|占比|要求|目标|标准)|按这个算|按此计算")
_AT_LEAST = re.compile(r"至少|起码|最少|最低|不少于")


@dataclass(frozen=True, slots=True)
class CountShare:
    """A count the asker states, the clause's share of it, and the fewest it asks for."""

    base: int
    unit: str
    rate: Decimal
    fewest: int
    sentence: str


def count_share(question: str, clause_text: str, unit: str | None) -> CountShare | None:
    """"每年约100项攻关项目和60项产业攻关项目，按企业牵头比例的要求，企业牵头的至少多少项？":
    the counts stated (added up) times the share the clause sets, rounded up as a minimum is;
    None unless the question asks a count in the unit of the counts it states, by a share."""
    text = normalize_query(question)
    if unit is None or not _BY_SHARE.search(text) or _GRANT.search(text):
        return None
    # "一个功能区" says which, not how many: a lone 一 counts nothing.
    counts = [
        q
        for q in find_quantities(text)
        if q.kind == "count" and q.unit == unit and not q.text.startswith("一")
    ]
    if not counts or any(q.kind == "money" for q in find_quantities(text)):
        return None
    rate = _named_rate(text, clause_text, [int(y) for y in _YEAR.findall(text)])
    if rate is None or rate[2]:
        return None
    base = sum(q.value for q in counts)
    share = base * rate[0]
    fewest = int(share.to_integral_value(rounding="ROUND_CEILING"))
    if share != fewest and not _AT_LEAST.search(text):
        return None  # a fraction of a project, with no minimum asked: no count to give
    return CountShare(int(base), unit, rate[0], fewest, rate[1])


def count_share_line(c: CountShare) -> str:
    percent = f"{_plain(c.rate * 100)}%"
    worked = f"{c.base}{c.unit} × {percent} = {_plain(c.base * c.rate)}{c.unit}"
    return f"按条文的比例测算：{worked}，至少{c.fewest}{c.unit}。"


def _named_rate(
    text: str, clause_text: str, years: list[int]
) -> tuple[Decimal, str, bool] | None:
    """(rate, its sentence, whether it is a yearly growth) of the clause rate the question
    names best: by the words before it, then by the year asked."""
    best: tuple[int, int, Decimal, str, bool] | None = None
    for sentence in split_sentences(clause_text):
        plain = normalize_query(sentence)
        for m in _RATE.finditer(plain):
            start = max(0, m.start() - 16)
            words = plain[start : m.start()]
            # "…比重2024年达到52%、2025年达到53%": the words are those before the first year.
            run = re.sub(r"20\d\d年(?:达到)?\d+(?:\.\d+)?%[、，,]?", "", words)
            named = shared_run(run or words, text)
            if named < NAMED:
                continue
            year = int(m.group(1)[:4]) if m.group(1) else None
            on_year = 1 if year is not None and year in years else 0
            if year is not None and years and not on_year:
                continue  # another year's rate
            growth = bool(_GROWTH.search(words))
            score = (named, on_year)
            if best is None or score > best[:2]:
                best = (*score, Decimal(m.group(2)) / 100, sentence, growth)
    if best is None:
        return None
    if best[4] != bool(_GROWTH.search(text)):
        return None  # a growth asked of a share, or a share of a growth: not what was asked
    return best[2], best[3], best[4]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def projection_summary(p: Projection) -> str:
    """The answer's first line: the projected figure, said as the estimate it is."""
    return (
        f"按条文的目标测算，约为{format_yuan(p.amount_yuan)}"
        "（以贵方假设的基数推算，仅供参考，不是条文规定的数额）。"
    )
