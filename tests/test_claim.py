"""A sum the asker asks to confirm is checked against the rule, never computed from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from policyqa.answer.claim import claim_line, claimed_sum
from policyqa.engine import Engine


@pytest.mark.parametrize(
    ("question", "amount", "plain"),
    [
        ("国家级孵化器,市财政一次性补200万,对吧?", 2000000, "国家级孵化器,市财政一次性补多少？"),
        ("市里奖三百万,是这个数吗?", 3000000, "市里奖多少？"),
        ("单个项目市级财政最多能贴500万?", 5000000, "单个项目市级财政最多能贴多少？"),
    ],
)
def test_a_claimed_sum_and_the_plain_question(question: str, amount: int, plain: str) -> None:
    claim = claimed_sum(question)
    assert claim is not None
    assert claim.amount_yuan == amount and claim.question == plain


@pytest.mark.parametrize(
    "question",
    [
        "横向项目实际支付80万元能支持多少？",  # a fact to compute from, not a claim
        "我们投了600万，市里补200万，对吧？",  # another sum: the claim may rest on it
        "市财政一次性补200万？",  # no confirming word, no cap said: not read as a check
    ],
)
def test_not_a_claim(question: str) -> None:
    assert claimed_sum(question) is None


def test_the_verdict() -> None:
    claim = claimed_sum("市里奖三百万,是这个数吗?")
    assert claim is not None
    assert claim_line(claim, Decimal(2000000)) == "不是300万元：按条文规定是200万元。"
    assert claim_line(claim, Decimal(3000000)) == "对，是300万元。"


def test_a_wrong_claim_gets_the_rules_figure(engine: Engine) -> None:
    answer = engine.answerer.answer("泰安新认定的省级孵化器,市财政一次性给运营机构补100万,对吧?")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 500000
    assert answer.answer.startswith("不是100万元：按条文规定是50万元。")
    assert answer.citations[0].clause_id == "taian-opinions-draft:3.6.17"
