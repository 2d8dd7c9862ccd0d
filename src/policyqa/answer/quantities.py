"""The figures of a question as frame quantities: value, unit and the role each one plays.

Owns joining a 亿 and a following 万 into one amount ("1亿2000万" → 1.2亿), reading a per-year
list ("三年分别投入100万、200万、300万"), and the role of each figure from the words around it:
a growth rate (增长150%), a loss (亏损80万), a count (两个), a rate, or a base amount; and a
figure restated as the question means it (`restate`: 每月/每季度 figures per year, "实际支付了一半"
of a contract sum). Numbers
themselves are parsed by `policyqa.rules.money` (Arabic and Chinese numerals, cn2an); nothing
here parses a digit. Never decides which rule an input belongs to (`answer.reading`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from policyqa.answer.frame_types import FrameQuantity, QuantityRole
from policyqa.rules.money import (
    Quantity,
    chinese_to_decimal,
    find_quantities,
    format_yuan,
    plain_number,
)

_GROWTH = re.compile(r"(增长|增幅|增加|提高|提升|同比|翻)[了]?[约近达]?$")
_LOSS = re.compile(r"(亏损|损失|亏了|亏掉|赔了)[了]?[约近达]?$")
_LOSS_AFTER = re.compile(r"^的?(亏损|损失)")
_PER_YEAR = re.compile(
    r"(\d+|[一二两三四五六七八九十])年(?:里|内|中|间)?(?:每年)?分别|每年分别|逐年分别"
)
# "三年实际支付运营经费分别为…": a span of years, then (a few words on) 分别.
_YEARS_THEN_EACH = re.compile(
    # A comma may come between ("连续两年享受省研发补助，分别是20万和35万").
    r"(?:\d+|[一二两三四五六七八九十])年[^。；;？?\d]{0,24}?分别(?:为|是|达到)?"
)
# "第一年、第二年、第三年…", "前年和去年…", "2025年、2026年…": two or more years enumerated.
_YEAR_WORD = r"(?:第[一二三四五六七八九十\d]+年|[前去今明]年|20\d\d年)"
_YEAR_LIST = re.compile(
    rf"{_YEAR_WORD}(?:[、和及与，,]{_YEAR_WORD})+[^，。,；;？?\d]{{0,14}}"  # up to the first figure
)
# "连续三年实际支付运营经费100万、150万、200万": a span of N years, then N figures in a row
# (without 分别, the count of figures must match the years).
_SPAN_OF_YEARS = re.compile(
    r"(?:连续|这|近|头|前|过去)?(\d+|[两三四五六七八九十])年[^，。,；;？?\d]{0,14}?"
    r"(?=\d|[一二两三四五六七八九十百千]+万)"
)
_LIST_GAP = re.compile(r"^[、，,和及与]?$")
_UNIT: dict[str, str] = {"money": "yuan", "count": "count", "percent": "percent", "years": "year"}


def _joined(text: str, found: list[Quantity]) -> list[Quantity]:
    """Quantities with "1亿" + "2000万" written together joined into one amount."""
    out: list[Quantity] = []
    for q in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "money"
            and q.kind == "money"
            and prev.end == q.start
            and prev.text.endswith("亿")
            and "万" in q.text
            and q.value < Decimal(10**8)
        ):
            out[-1] = Quantity(
                "money", prev.value + q.value, q.unit, text[prev.start : q.end], prev.start, q.end
            )
            continue
        out.append(q)
    return out


def _role(text: str, q: Quantity) -> QuantityRole:
    before = text[max(0, q.start - 6) : q.start]
    if q.kind == "percent":
        return "growth_rate" if _GROWTH.search(before) else "rate"
    if q.kind == "count":
        return "count"
    if q.kind == "money":
        if _LOSS.search(before) or _LOSS_AFTER.match(text[q.end : q.end + 4]):
            return "loss"
        return "base"
    return "unknown"


def _per_year_run(text: str, found: list[Quantity], start: int) -> list[Quantity]:
    """The money amounts listed one after another from `start` (、 和 between them)."""
    run: list[Quantity] = []
    for q in found:
        if q.start < start or q.kind != "money":
            continue
        gap_from = run[-1].end if run else start
        if run and not _LIST_GAP.match(text[gap_from : q.start]):
            break
        if not run and q.start - start > 8:
            break
        run.append(q)
    return run


_YEAR_BEFORE = re.compile(rf"{_YEAR_WORD}[^，。,；;？?\d]{{0,14}}$")


def _year_by_year(text: str, found: list[Quantity]) -> list[Quantity]:
    """Amounts each led by its own year ("去年花了100万、今年300万"), two or more in a row."""
    run: list[Quantity] = []
    prev_end = 0
    for q in found:
        if q.kind != "money":
            continue
        if _YEAR_BEFORE.search(text[prev_end : q.start]):
            run.append(q)
        elif len(run) < 2:
            run = []
        else:
            break
        prev_end = q.end
    return run if len(run) >= 2 else []


# "头两年各付了200万，第三年付了300万": the same figure for each of N years, then later years.
_EACH_OF_YEARS = re.compile(r"(\d+|[两三四五六七八九十])年(?:都)?各[^，,。；;？?\d]{0,6}$")
_LATER_YEAR = re.compile(r"第[一二三四五六七八九十\d]+年[^，,。；;？?\d]{0,8}$")


def _repeats(text: str, q: Quantity) -> int:
    m = _EACH_OF_YEARS.search(text, 0, q.start)
    return int(chinese_to_decimal(m.group(1))) if m else 1


def _each_year(text: str, found: Sequence[Quantity]) -> list[Quantity]:
    """The figure said for each of N years ("头两年各付了200万"), with the figures of the
    ordinal years said after it; [] when no figure is said for each of several years."""
    money = [q for q in found if q.kind == "money"]
    first = next((q for q in money if _EACH_OF_YEARS.search(text, 0, q.start)), None)
    if first is None:
        return []
    run = [first]
    for q in money[money.index(first) + 1 :]:
        if not _LATER_YEAR.search(text, run[-1].end, q.start):
            break
        run.append(q)
    return run


# "第一年实付120万，之后每年比上一年增长50%，三年都达标": a first year's figure grown by the same
# rate each later year, over a number of years the question states.
_GROWS_YEARLY = re.compile(
    r"(?:之后|以后|此后|往后|后面|后两年|随后)?(?:每年|逐年)(?:都)?"
    r"(?:比上一?年|较上一?年|比前一年|同比)?(?:增长|增加|递增|上涨|涨|多)了?(?=\d)"
)
_YEARS_SPANNED = re.compile(r"(?<![\d第上前去今明])(?:连续)?([两三四五六七八九十]|\d)年")


def _compounded(text: str, found: Sequence[Quantity]) -> tuple[list[Decimal], int, int] | None:
    """(the yearly figures, start, end) when a first year's amount grows by one rate each later
    year over a stated number of years; None when any of the three is not said."""
    grows = _GROWS_YEARLY.search(text)
    if grows is None:
        return None
    rate = next((q for q in found if q.kind == "percent" and q.start == grows.end()), None)
    first = next((q for q in reversed(found) if q.kind == "money" and q.end <= grows.start()), None)
    if rate is None or first is None or grows.start() - first.end > 4:
        return None
    spans = {int(chinese_to_decimal(m.group(1))) for m in _YEARS_SPANNED.finditer(text)}
    if len(spans) != 1 or not 2 <= (years := spans.pop()) <= 10:
        return None
    factor = 1 + rate.value
    values = [first.value * factor**k for k in range(years)]
    return values, first.start, rate.end


def _per_year_starts(text: str) -> list[int]:
    """Where a per-year list of amounts may begin: after "N年(每年)分别", after "N年…分别为",
    after two or more years enumerated ("第一年、第二年", "前年和去年", "2025年、2026年")."""
    starts = [m.end() for m in _PER_YEAR.finditer(text)]
    starts += [m.end() for m in _YEARS_THEN_EACH.finditer(text)]
    starts += [m.end() for m in _YEAR_LIST.finditer(text)]
    return sorted(set(starts))


def frame_quantities(text: str) -> tuple[FrameQuantity, ...]:
    """Every figure of a normalized question with its unit and role, in order.

    Calendar years (2025年) are the frame's years, not quantities; a per-year list is one
    quantity with role per_year whose `values` are the yearly figures and whose value is
    their sum.
    """
    found = [q for q in _joined(text, find_quantities(text)) if q.kind != "date_year"]
    listed: set[int] = set()
    out: list[FrameQuantity] = []
    each = _each_year(text, found)
    if each:
        listed.update(q.start for q in each)
        values = [q.value for q in each for _ in range(_repeats(text, q))]
        out.append(
            FrameQuantity(
                plain_number(sum(values, Decimal(0))),
                "yuan",
                "per_year",
                text[each[0].start : each[-1].end],
                tuple(plain_number(v) for v in values),
            )
        )
    grown = None if each else _compounded(text, found)
    if grown is not None:
        values, start, end = grown
        listed.update(q.start for q in found if start <= q.start < end)
        out.append(
            FrameQuantity(
                plain_number(sum(values, Decimal(0))),
                "yuan",
                "per_year",
                text[start:end],
                tuple(plain_number(v) for v in values),
            )
        )
    spans = {m.end(): int(chinese_to_decimal(m.group(1))) for m in _SPAN_OF_YEARS.finditer(text)}
    for start in sorted({*_per_year_starts(text), *spans}):
        run = _per_year_run(text, found, start)
        if start in spans and start not in _per_year_starts(text) and len(run) != spans[start]:
            continue
        if len(run) >= 2 and not any(q.start in listed for q in run):
            listed.update(q.start for q in run)
            total = sum((q.value for q in run), Decimal(0))
            out.append(
                FrameQuantity(
                    plain_number(total),
                    "yuan",
                    "per_year",
                    text[run[0].start : run[-1].end],
                    tuple(plain_number(q.value) for q in run),
                )
            )
    led = _year_by_year(text, found)
    if led and not any(q.start in listed for q in led):
        listed.update(q.start for q in led)
        out.append(
            FrameQuantity(
                plain_number(sum((q.value for q in led), Decimal(0))),
                "yuan",
                "per_year",
                text[led[0].start : led[-1].end],
                tuple(plain_number(q.value) for q in led),
            )
        )
    for q in found:
        if q.start in listed or q.kind not in _UNIT:
            continue
        value = q.value * 100 if q.kind == "percent" else q.value
        unit = _UNIT[q.kind]
        out.append(FrameQuantity(plain_number(value), unit, _role(text, q), q.text))  # type: ignore[arg-type]
    doubled = _DOUBLED.search(text)
    if doubled and not any(q.role == "growth_rate" for q in out):
        out.append(
            FrameQuantity(
                plain_number(_doubling_growth(doubled)), "percent", "growth_rate", doubled.group(0)
            )
        )
    return tuple(out)


# "翻了一番" (×2, +100%), "翻两番" (×4, +300%), "增长了一倍" (+100%): a growth rate in words.
# "翻了一番还多" states no exact rate: nothing is derived from it.
_DOUBLED = re.compile(
    r"(?:翻了?(?P<fan>一|两|二|三|1|2|3)番|增长了?(?P<bei>一|两|二|三|1|2|3)倍)(?!还多|多|以上|有余)"
)
_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "1": 1, "2": 2, "3": 3}


def _doubling_growth(m: re.Match[str]) -> Decimal:
    """The growth in percent that a doubling phrase states."""
    if m.group("fan"):
        return Decimal(2 ** _SMALL[m.group("fan")] - 1) * 100
    return Decimal(_SMALL[m.group("bei")]) * 100


def total_loss_means_investment(text: str) -> bool:
    """ "全部亏损" / "血本无归": the loss equals the whole investment (a derivable input)."""
    return bool(
        re.search(
            r"全部亏损|全部亏掉|全部亏光|亏光|赔光|亏完|全亏|血本无归|全部损失|全额亏损|颗粒无收",
            text,
        )
    )


# "清算后收回来650万": what came back of an investment (the loss is the rest).
_RECOVERED = re.compile(r"(?:收回|回收|拿回|追回)(?:了|来)?")


def recovered_amount(text: str) -> Quantity | None:
    """The money a question says was recovered of a failed investment, if it says so."""
    for q in find_quantities(text):
        if q.kind == "money" and _RECOVERED.search(text[max(0, q.start - 5) : q.start]):
            return q
    return None


# --- figures stated per month or quarter, or as a part of another figure ------------------------

# "每月10万元", "每季度实际支付30万元", "月均5万": the figure is for a month or a quarter.
# ("一个季度大概花七十五万" is per quarter too; "一季度" is the first quarter, not each.)
_PER_PERIOD = re.compile(r"(每个?月|月均|每一?个?季度|季均|一个季度|一个月)[^，,。；;\d]{0,10}$")
_PERIODS_IN_YEAR = {"月": 12, "季": 4}
# A year asked about ("一年能拿多少", "全年", "当年"): what a per-month figure is scaled to.
_YEAR_ASKED = re.compile(r"一年|全年|每年|年度|一整年|按年|当年|这一年|今年|去年")
# "…100万，实际支付了一半 / 三分之一 / 六成", "总投入1200万，其中科技投入占一半": the figure
# meant is that part of the one before.
_PART_WORDS = (
    r"(一半|半数|(?:[一二三四五六七八九十]|\d)成|([一二三四五六七八九十]|\d+)分之([一二三四五六七八九十]|\d+)"
    r"|(\d+(?:\.\d+)?)%)"
)
_PART_AFTER = re.compile(
    r"^[^，,。；;\d]{0,8}[，,]?[^，,。；;\d]{0,8}?(?:支付|付|到位|拨付|花|使用|用|占)了?"
    + _PART_WORDS
)
# "只亏了一成 / 亏了一半 / 损失了30%": the loss is that part of the investment.
# ("损失差不多一半": the part said roughly is the part computed with, shown as a step.)
_LOST_PART = re.compile(
    r"(?:亏|赔|损失)(?:了|掉了?|损了?)?(?:差不多|大概|大约|约|将近|接近|近)?" + _PART_WORDS
)
# "原计划科技投入300万，后来投入翻了一番 / 实际比原计划增长了150%": the figure meant is the
# planned one grown by that much.
_PLANNED_BEFORE = re.compile(r"(?:原计划|原来|原定|计划|预算)[^，,。；;\d]{0,8}$")
_LATER = re.compile(r"后来|之后|实际|最终|最后")
_GROWN_AFTER = re.compile(
    rf"^[^。；;\d]{{0,20}}?(?:{_LATER.pattern})[^。；;\d]{{0,14}}?"
    r"(?:增长了?|增加了?|提高了?|多了|追加了?|加了)(\d+(?:\.\d+)?)%"
)
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def _small(text: str) -> int:
    return int(text) if text.isdigit() else _DIGITS[text]


def _part(match: re.Match[str]) -> Decimal:
    word = match.group(1)
    if word in ("一半", "半数"):
        return Decimal(1) / 2
    if word.endswith("%"):
        return Decimal(match.group(4)) / 100
    if word.endswith("成"):
        return Decimal(_small(word[0])) / 10
    return Decimal(_small(match.group(3))) / Decimal(_small(match.group(2)))


def lost_part(text: str) -> Decimal | None:
    """The part of an investment a question says was lost ("只亏了一成" → 0.1), if it says so."""
    m = _LOST_PART.search(text)
    return _part(m) if m else None


def _grown(text: str, q: Quantity) -> Restated | None:
    """A planned figure grown later ("原计划300万，后来投入翻了一番"): the grown figure."""
    if not _PLANNED_BEFORE.search(text[max(0, q.start - 12) : q.start]):
        return None
    after = text[q.end : q.end + 40]
    percent = _GROWN_AFTER.match(after)
    if percent:
        rate, said = Decimal(percent.group(1)), f"增长{percent.group(1)}%"
    else:
        doubled = _DOUBLED.search(after)
        before = after[: doubled.start()] if doubled else ""
        if doubled is None or not _LATER.search(before) or re.search(r"[。；;\d]", before):
            return None
        rate, said = _doubling_growth(doubled), doubled.group(0)
    value = (q.value * (1 + rate / 100)).quantize(Decimal("0.01"))
    step = f"{format_yuan(q.value)}{said}：按{format_yuan(value)}计"
    return Restated(replace(q, value=value), step)


@dataclass(frozen=True)
class Restated:
    """A money figure as the question means it, with the step that says how it was read, or
    `unusable` when it cannot be used as stated (a monthly figure, no year asked)."""

    quantity: Quantity
    step: str = ""
    unusable: str = ""


def restate(text: str, q: Quantity, yearly: bool) -> Restated:
    """`q` per year when stated per month or quarter and a year is asked about (or the rule pays
    yearly); `q` times the part paid when the question says only part of it was ("合同100万，
    实际支付了一半"); `q` itself otherwise. A figure per month with no year to scale it to is
    `unusable`: the amount would be a month's, which no rule pays."""
    if q.kind != "money":
        return Restated(q)
    grown = _grown(text, q)
    if grown is not None:
        return grown
    part = _PART_AFTER.match(text[q.end : q.end + 24])
    if part:
        value = (q.value * _part(part)).quantize(Decimal("0.01"))  # yuan, to the fen
        shown = format_yuan(value)
        step = f"{format_yuan(q.value)}的{part.group(1)}：按{shown}计"
        return Restated(replace(q, value=value), step)
    period = _PER_PERIOD.search(text[max(0, q.start - 14) : q.start])
    if not period:
        return Restated(q)
    unit = "季" if "季" in period.group(1) else "月"
    if not (yearly or _YEAR_ASKED.search(text)):
        label = "每季度" if unit == "季" else "每月"
        return Restated(q, unusable=f"{format_yuan(q.value)}为{label}金额，请说明全年金额")
    times = _PERIODS_IN_YEAR[unit]
    value = q.value * times
    label = "季度" if unit == "季" else "月"
    step = f"每{label}{format_yuan(q.value)} × {times} = 全年{format_yuan(value)}"
    return Restated(replace(q, value=value), step)
