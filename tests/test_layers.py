"""Another level's part of the same cost (创新券: 省财政 60%/40% beneath 市级 20%)."""

from __future__ import annotations

import pytest

from policyqa.answer.contract import Turn
from policyqa.answer.layers import tier_named
from policyqa.engine import Engine
from policyqa.rules.table import RuleBook
from policyqa.text import normalize_query

VOUCHER = "rz-voucher-user"


def _layer(engine: Engine):  # type: ignore[no-untyped-def]
    book = engine.rules
    assert isinstance(book, RuleBook)
    layer = book.get(VOUCHER).beneath
    assert layer is not None
    return layer


@pytest.mark.parametrize(
    ("text", "case"),
    [
        ("我们在省财政直管县", "省财政直管县"),
        ("所在县是省财政直管县", "省财政直管县"),
        ("我们不在省财政直管县", "其他地区"),
        ("所在地区不是省财政直管县", "其他地区"),
        ("属于非直管县", "其他地区"),
        ("我们是日照的小微企业", None),
        ("我们不在省财政直管县，省里补多少，要是在省财政直管县呢", "省财政直管县"),
        ("我们在省财政直管县，省里补多少，要是不在省财政直管县呢", "其他地区"),
    ],
)
def test_the_case_of_the_provincial_rate_is_read_with_its_negation(
    engine: Engine, text: str, case: str | None
) -> None:
    tier = tier_named(normalize_query(text), _layer(engine))
    assert (tier.name if tier else None) == case


@pytest.mark.parametrize(
    ("question", "amount", "step"),
    [
        (
            "我们是日照的小微企业，不在省财政直管县，用共享科学仪器花了70万元，省里和市里一共补多少？",
            420_000,
            "省财政：70万元 × 40% = 28万元",
        ),
        (
            "日照的中小企业，在省财政直管县，用共享仪器花了30万，省里能补多少？",
            180_000,
            "省财政：30万元 × 60% = 18万元",
        ),
        (
            "我们不在省财政直管县，用共享仪器的费用省里已经按比例补了16万元，市级还能补多少？",
            80_000,
            "省财政已补16万元，对应费用为16万元 ÷ 40% = 40万元",
        ),
        (
            "我们在省财政直管县，共享仪器费用省里和市里合计补了48万，其中市级财政补了多少？",
            120_000,
            "省财政和市级财政合计已补48万元，对应费用为48万元 ÷ 80% = 60万元",
        ),
    ],
)
def test_the_provincial_part_both_parts_or_a_part_from_a_grant(
    engine: Engine, question: str, amount: int, step: str
) -> None:
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.rule_id == VOUCHER
    assert answer.calculation.amount_yuan == amount
    assert step in answer.calculation.steps


def test_the_city_part_alone_is_unchanged_and_keeps_its_yearly_cap(engine: Engine) -> None:
    answer = engine.answerer.answer("日照中小企业用共享科学仪器一年花了300万，市级能补多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 500_000


def test_the_provincial_part_without_the_county_case_is_asked_for(engine: Engine) -> None:
    answer = engine.answerer.answer("日照中小企业用共享科学仪器花了50万，省里能补多少？")
    assert answer.calculation is None and "省财政直管县" in answer.answer


def test_a_dialogue_moves_from_the_city_part_to_the_province_and_adds_them(
    engine: Engine,
) -> None:
    first = "我们是小微企业，不在省财政直管县，用共享科学仪器花了50万元，日照市级能补多少？"
    history = [Turn(role="user", content=first), Turn(role="assistant", content="10万元。")]
    second = engine.answerer.answer("那省里能补多少？", history)
    assert second.calculation is not None and second.calculation.amount_yuan == 200_000
    history += [
        Turn(role="user", content="那省里能补多少？"),
        Turn(role="assistant", content="20万元。"),
    ]
    both = engine.answerer.answer("两个加起来呢？", history)
    assert both.calculation is not None and both.calculation.amount_yuan == 300_000
    history += [
        Turn(role="user", content="两个加起来呢？"),
        Turn(role="assistant", content="30万元。"),
    ]
    city = engine.answerer.answer("要是一年花了300万，市级最多补多少？", history)
    assert city.calculation is not None and city.calculation.amount_yuan == 500_000
