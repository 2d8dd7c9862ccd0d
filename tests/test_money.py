"""Numbers in Chinese text: amounts, counts, years, rates, ratios; formatting; round trips."""

from __future__ import annotations

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyqa.rules.money import (
    MoneyParseError,
    extract_numbers,
    find_quantities,
    format_rate,
    format_yuan,
    parse_amount,
    parse_count,
    parse_rate,
    parse_ratio,
    parse_years,
)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("300万元", 3_000_000),
        ("1.5亿", 150_000_000),
        ("五十万", 500_000),
        ("五十萬", 500_000),
        ("80万", 800_000),
        ("2000万元以内", 20_000_000),
        ("1,000万元", 10_000_000),
        ("３００萬元", 3_000_000),
        ("一点五亿元", 150_000_000),
        ("一亿五千万", 150_000_000),
        ("叁拾万元整", 300_000),  # financial numerals, as on a form
        ("壹佰贰拾万元", 1_200_000),
        ("三千万", 30_000_000),
        ("3千万", 30_000_000),
        ("十万元", 100_000),
        ("兩百萬元", 2_000_000),
        ("500元", 500),
        ("实际支付金额49.5万元", 495_000),
        ("十二万八千块", 128_000),  # 块 as people say 元
        ("五百块钱", 500),
    ],
)
def test_parse_amount(text: str, yuan: int) -> None:
    assert parse_amount(text) == Decimal(yuan)


@pytest.mark.parametrize(
    ("text", "count"), [("3家", 3), ("十个", 10), ("两项", 2), ("培育了12家高新技术企业", 12)]
)
def test_parse_count(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "years"), [("连续三年", 3), ("两年", 2), ("3年", 3), ("連續兩年", 2), ("前5年", 5)]
)
def test_parse_years(text: str, years: int) -> None:
    assert parse_years(text) == years


def test_a_financial_numeral_inside_a_word_is_no_number() -> None:
    assert extract_numbers("加强人才队伍建设") == []


def test_parse_rate_and_ratio() -> None:
    assert parse_rate("30%") == Decimal("0.3")
    assert parse_rate("百分之四十") == Decimal("0.4")
    assert parse_rate("增长超过100%") == Decimal(1)
    assert parse_ratio("1∶1") == (1, 1)
    assert parse_ratio("按照5∶2比例分擔") == (5, 2)


@pytest.mark.parametrize("text", ["没有数字", "一事一议", "100万元和200万元"])
def test_parse_amount_refuses_none_or_several(text: str) -> None:
    with pytest.raises(MoneyParseError):
        parse_amount(text)


def test_a_date_is_not_a_number_of_years() -> None:
    assert [(q.kind, q.value) for q in extract_numbers("2025年8月15日")] == [
        ("date_year", Decimal(2025))
    ]
    with pytest.raises(MoneyParseError):
        parse_years("2025年")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("二〇二五年", [("date_year", 2025)]),
        ("二零二六年支付300万元", [("date_year", 2026), ("money", 3_000_000)]),
        ("三年", [("years", 3)]),
        ("十年", [("years", 10)]),
        ("一年花300万，连着三年", [("years", 1), ("money", 3_000_000), ("years", 3)]),
    ],
)
def test_years_written_in_chinese(text: str, kinds: list[tuple[str, int]]) -> None:
    assert [(q.kind, q.value) for q in extract_numbers(text)] == [
        (kind, Decimal(value)) for kind, value in kinds
    ]


def test_chinese_numerals_without_unit_are_not_numbers() -> None:
    assert extract_numbers("一事一议、第一完成单位、一链一高校") == []


def test_extract_numbers_from_a_traditional_clause() -> None:
    text = (
        "實際支付金額50萬元以上的橫向項目,按項目實施成效給予實際發生費用的20%經費支持,"
        "每個項目最高支持100萬元,每家企業最高支持200萬元"
    )
    assert [(q.kind, q.value, q.unit) for q in extract_numbers(text)] == [
        ("money", Decimal(500_000), "元"),
        ("percent", Decimal("0.2"), "%"),
        ("money", Decimal(1_000_000), "元"),
        ("money", Decimal(2_000_000), "元"),
    ]


def test_extract_numbers_years_ratio_and_counts() -> None:
    found = extract_numbers("連續三年按照30%給予支持;按照1∶1配套;每年度新培育1家企業補助5萬元")
    assert [(q.kind, q.value) for q in found] == [
        ("years", Decimal(3)),
        ("percent", Decimal("0.3")),
        ("ratio", Decimal(1)),
        ("count", Decimal(1)),
        ("money", Decimal(50_000)),
    ]


def test_people_counts_with_wan_are_counts() -> None:
    assert [(q.kind, q.value) for q in extract_numbers("新培养技能人才1.5万人以上")] == [
        ("count", Decimal(15_000))
    ]


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (Decimal(2_000_000), "200万元"),
        (Decimal(160_000), "16万元"),
        (Decimal(12_345), "1.2345万元"),
        (Decimal(5_000), "5000元"),
        (Decimal(0), "0元"),
        (Decimal(150_000_000), "1.5亿元"),
        (Decimal(123_450_000), "12345万元"),
        (Decimal("2857142.857"), "2857142.86元"),
        (Decimal("999999.999"), "100万元"),
        (Decimal("3333333.33"), "3333333.33元"),
    ],
)
def test_format_yuan(yuan: Decimal, text: str) -> None:
    assert format_yuan(yuan) == text


def test_format_rate() -> None:
    assert format_rate(Decimal("0.3")) == "30%"
    assert format_rate(Decimal("0.028")) == "2.8%"
    assert format_rate(Decimal(1)) == "100%"


@given(
    st.integers(min_value=1, max_value=10**7), st.sampled_from(["万", "万元", "萬元", "亿", "亿元"])
)
def test_arabic_amounts_round_trip(n: int, unit: str) -> None:
    scale = 10**8 if unit.startswith("亿") else 10**4
    assert parse_amount(f"{n}{unit}") == n * scale


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(99_999), places=2))
def test_decimal_amounts_round_trip(d: Decimal) -> None:
    assert parse_amount(f"{d}万元") == d * 10**4
    assert parse_amount(f"{d}亿") == d * 10**8


@given(st.integers(min_value=1, max_value=9_999), st.sampled_from(["万", "万元", "亿", "亿元"]))
def test_chinese_amounts_round_trip(n: int, unit: str) -> None:
    scale = 10**8 if unit.startswith("亿") else 10**4
    assert parse_amount(f"{cn2an.an2cn(n)}{unit}") == n * scale


@given(st.integers(min_value=1, max_value=10**11))
def test_formatted_amounts_parse_back(yuan: int) -> None:
    assert parse_amount(format_yuan(Decimal(yuan))) == yuan


@given(st.integers(min_value=1, max_value=99))
def test_chinese_years_and_counts_round_trip(n: int) -> None:
    assert parse_years(f"连续{cn2an.an2cn(n)}年") == n
    assert parse_count(f"{cn2an.an2cn(n)}家") == n


@pytest.mark.parametrize("typed", ["2亿亿", "3万万元", "5万 万"])
def test_a_unit_written_twice_is_refused(typed: str) -> None:
    with pytest.raises(MoneyParseError, match="单位重复"):
        parse_amount(typed)


def test_yicixing_is_no_count() -> None:
    assert extract_numbers("市里一次性给运营机构补助多少") == []
    assert [q.value for q in extract_numbers("一年申报两次")] == [1, 2]


def test_kuai_below_a_hundred_is_no_sum() -> None:
    # "两个加一块" (together), "三块牌子" (lumps): no money.
    assert [q.kind for q in find_quantities("两个加一块能拿多少")] == ["count"]
    assert find_quantities("挂了三块牌子") == []
