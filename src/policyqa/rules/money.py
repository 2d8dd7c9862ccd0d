"""Numbers in Chinese policy text: money amounts, rates, ratios, counts and years, as Decimals.

Both traditional and simplified text, Arabic and Chinese numerals ("300万元", "1.5亿", "五十萬",
"连续三年", "1∶1"). Everything is matched on the `policyqa.text.normalize` form of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

import cn2an

from policyqa.text import normalize

QuantityKind = Literal["money", "percent", "ratio", "count", "years", "months", "date_year"]


class MoneyParseError(ValueError):
    """Text that does not hold exactly the one number the caller asked for."""


@dataclass(frozen=True)
class Quantity:
    """One number with its unit, found in normalized text (span offsets refer to that text).

    `value` is yuan for money, a fraction for percent (30% → 0.3), the number itself for
    counts and years; a ratio "5:2" has value 5/2 and `parts` (5, 2).
    """

    kind: QuantityKind
    value: Decimal
    unit: str
    text: str
    start: int
    end: int
    parts: tuple[int, int] | None = None


_CN_DIGIT = "零〇一二两三四五六七八九"
# Financial numerals (大写), as a sum is written on a form: "叁拾万元整"; cn2an reads them.
_CN_UPPER = "壹贰叁肆伍陆柒捌玖"
_CN_NUMERAL = f"[{_CN_DIGIT}{_CN_UPPER}十拾][{_CN_DIGIT}{_CN_UPPER}十拾百佰千仟万亿点]*"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIER_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
# Units after a number; longest first so "人次" wins over "人" and "个月" over "个".
_COUNT_UNITS = (
    "人次",
    "家",
    "个",
    "项",
    "人",
    "名",
    "次",
    "场",
    "所",
    "件",
    "台",
    "套",
    "户",
    "笔",
    "艘",
    "条",
)
# 块 (块钱) is how people say 元 ("十二万八千块"); see `_quantities` for "加一块".
_UNIT = "|".join(["元", "块钱", "块", "%", "个月", "年", *_COUNT_UNITS])
_SPOKEN_YUAN = ("块钱", "块")
_SPOKEN_YUAN_MIN = Decimal(100)  # below it, 块 is a lump or "together" (加一块), not money
_QUANTITY = re.compile(
    rf"百分之(?P<pct_cn>{_CN_NUMERAL})"
    rf"|(?<![\d.])(?P<ra>\d+):(?P<rb>\d+)(?![\d:])"
    rf"|(?<![\d.,])(?P<arabic>{_ARABIC})(?P<mult>(?:[十百千]?(?:万亿|[万亿]))|[千百])?(?P<unit1>{_UNIT})?"
    rf"|(?P<chinese>{_CN_NUMERAL})(?P<unit2>{_UNIT})?"
)
_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def _plain(value: Decimal) -> Decimal:
    """An int-valued Decimal without exponent when exact (1.5E+8 → 150000000), else normalized."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _multiplier(chars: str) -> Decimal:
    result = Decimal(1)
    for char in chars:
        result *= _MULTIPLIER_VALUE[char]
    return result


def chinese_to_decimal(numeral: str) -> Decimal:
    """A Chinese numeral ("五十万", "一亿五千万", "一点五亿", "两") as a Decimal."""
    if "点" in numeral:
        whole, _, rest = numeral.partition("点")
        digits = rest.rstrip("十百千万亿")
        multiplier = rest[len(digits) :]
        if not digits or any(d not in _DIGIT_VALUE for d in digits):
            raise MoneyParseError(f"无法识别的中文数字: {numeral}")
        fraction = Decimal("0." + "".join(str(_DIGIT_VALUE[d]) for d in digits))
        integer = chinese_to_decimal(whole) if whole else Decimal(0)
        return _plain((integer + fraction) * _multiplier(multiplier))
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError) as e:
        raise MoneyParseError(f"无法识别的中文数字: {numeral}") from e
    return _plain(Decimal(str(value)))


def _classify(value: Decimal, has_multiplier: bool, unit: str | None, digits: bool) -> QuantityKind:
    """`digits`: written digit by digit ("2025", "二〇二五"), as years of the calendar are."""
    if unit == "元" or (unit is None and has_multiplier):
        return "money"
    if unit == "%":
        return "percent"
    if unit == "年":
        is_date = digits and value == value.to_integral_value() and 1900 <= value <= 2200
        return "date_year" if is_date else "years"
    if unit == "个月":
        return "months"
    return "count"


def find_quantities(text: str) -> list[Quantity]:
    """Every number with a unit in already-normalized `text`, in order.

    A bare number without a unit is skipped, except a money amount written with 万/亿
    ("80万", "1.5亿"), which questions use without 元.
    """
    return list(_quantities(text))  # a fresh list: the caller may change it, the cache may not


# An answer reads the same question's numbers 4-5 times over (frame, inputs, items, years);
# bounded, and the values are frozen (Decimal, str, int), so a cached result is shared safely.
@lru_cache(maxsize=4096)
def _quantities(text: str) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        if m.group("pct_cn"):
            value = chinese_to_decimal(m.group("pct_cn")) / 100
            found.append(Quantity("percent", _plain(value), "%", m.group(0), m.start(), m.end()))
            continue
        if m.group("ra"):
            a, b = int(m.group("ra")), int(m.group("rb"))
            if a == 0 or b == 0:
                continue
            ratio = _plain(Decimal(a) / Decimal(b))
            found.append(Quantity("ratio", ratio, ":", m.group(0), m.start(), m.end(), (a, b)))
            continue
        if m.group("arabic"):
            number = Decimal(m.group("arabic").replace(",", ""))
            mult = m.group("mult") or ""
            unit = m.group("unit1")
            value = number * _multiplier(mult)
            digits = True
        else:
            numeral = m.group("chinese")
            unit = m.group("unit2")
            if unit is None and not numeral.endswith(("万", "亿")):
                continue
            try:
                value = chinese_to_decimal(numeral)
            except MoneyParseError:
                continue
            mult = numeral[-1] if numeral.endswith(("万", "亿")) else ""
            digits = all(c in _DIGIT_VALUE for c in numeral)  # 二〇二五 like 2025
        if unit is None and not mult:
            continue
        if unit in _SPOKEN_YUAN:
            if value < _SPOKEN_YUAN_MIN:
                continue
            unit = "元"
        if unit == "次" and text[m.end() : m.end() + 1] == "性":
            continue  # 一次性: once and for all, not a count of times
        kind = _classify(value, bool(mult), unit, digits)
        if kind == "percent":
            value = value / 100
        found.append(Quantity(kind, _plain(value), unit or "", m.group(0), m.start(), m.end()))
    return tuple(found)


def extract_numbers(text: str) -> list[Quantity]:
    """Every number with a unit in any text (traditional or simplified, any width)."""
    return find_quantities(normalize(text))


def _only(text: str, kinds: Iterable[QuantityKind], what: str) -> Quantity:
    wanted = set(kinds)
    matches = [q for q in extract_numbers(text) if q.kind in wanted]
    if len(matches) != 1:
        problem = "没有" if not matches else f"有{len(matches)}个"
        raise MoneyParseError(f"“{text}”中{problem}{what}，请只写一个{what}")
    return matches[0]


def parse_amount(text: str) -> Decimal:
    """The one money amount in `text`, in yuan ("300万元", "1.5亿", "五十万", "2000万元以内").

    A unit written twice ("2亿亿", "3万万") is refused: read as written it would silently drop
    the second unit, and 万万 (an old word for 亿) is not what a form expects.
    """
    found = _only(text, ["money"], "金额")
    if re.match(r"\s*[万亿]", text[found.end :]):
        raise MoneyParseError(f"“{text}”的单位重复，请只写一个单位（如 2亿元、300万元）")
    return found.value


def parse_count(text: str) -> int:
    """The one count in `text` ("3家", "十个", "两项")."""
    return int(_only(text, ["count"], "数量").value)


def parse_years(text: str) -> int:
    """The one number of years in `text` ("连续三年", "两年", "3年")."""
    return int(_only(text, ["years"], "年数").value)


def parse_rate(text: str) -> Decimal:
    """The one percentage in `text` as a fraction ("30%", "百分之四十" → 0.3, 0.4)."""
    return _only(text, ["percent"], "比例").value


def parse_ratio(text: str) -> tuple[int, int]:
    """The one ratio in `text` ("1∶1", "5:2") as its two parts."""
    parts = _only(text, ["ratio"], "比例").parts
    if parts is None:  # pragma: no cover - ratios always carry parts
        raise MoneyParseError(f"“{text}”中没有比例")
    return parts


def plain_number(value: Decimal) -> str:
    """A number without trailing zeros or exponent (12.50 → "12.5", 1E+1 → "10")."""
    return format(value.normalize(), "f")


def format_yuan(amount: Decimal) -> str:
    """An amount in yuan the way the documents write it: 2000000 → "200万元", 5000 → "5000元".

    Shown to the fen: 999999.999 (an exact step of a calculation) is "100万元".
    """
    amount = _plain(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if amount != amount.to_integral_value():
        return f"{amount.quantize(Decimal('0.01'))}元"
    if abs(amount) >= 10**12 and amount % 10**8 == 0:
        return f"{plain_number(amount / 10**12)}万亿元"  # "6.36万亿元", as plans write it
    if abs(amount) >= 10**8 and amount % 10**4 == 0:
        return (
            f"{plain_number(amount / 10**8)}亿元"
            if amount % 10**6 == 0
            else f"{plain_number(amount / 10**4)}万元"
        )
    if abs(amount) >= 10**4:
        return f"{plain_number(amount / 10**4)}万元"
    return f"{plain_number(amount)}元"


def format_rate(rate: Decimal) -> str:
    """A fraction as the documents' percentage: 0.3 → "30%"."""
    return f"{plain_number(Decimal(rate) * 100)}%"
