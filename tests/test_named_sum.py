"""A sum a clause states for a named noun, asked by that noun: the figure, never a grant's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from policyqa.answer.named_sum import named_sum
from policyqa.engine import Engine
from policyqa.search.tokenize import default_tokenizer

LOANS = (
    "单户企业纳入风险补偿备案的贷款余额不超过2000万元。对备案科技成果转化贷款中的不良贷款,"
    "按照本金损失给予风险补偿。由省财政按实际支付贷款利息的40%给予企业贴息支持,每家企业最高贴息50万元。"
)
PLAN = "开展关键技术攻关,争取企业牵头项目达到80%以上,财政每年投入资金5000万元以上。"
INSTITUTE = (
    "年度培训船员3000人次以上,创收500万元以上;年度开展技术服务10次以上,科研收入200万元以上。"
)
words = default_tokenizer().tokens


@pytest.mark.parametrize(
    ("question", "text", "noun", "before", "after", "amount"),
    [
        ("单户企业贷款余额上限是多少？", LOANS, "贷款余额", "不超过", "", 2000),
        ("關鍵技術攻關財政每年投入多少資金？", PLAN, "财政每年投入资金", "", "以上", 5000),
        ("科研收入目标是多少？", INSTITUTE, "科研收入", "", "以上", 200),
        ("创收要达到多少？", INSTITUTE, "创收", "", "以上", 500),
        # 资金 only says the noun is money: "投入多少钱" names "投入资金".
        ("财政每年投入多少钱？", PLAN, "财政每年投入资金", "", "以上", 5000),
        # 投入 said short, 每年 said as 一年.
        ("财政每年在关键技术攻关上至少投多少钱？", PLAN, "财政每年投入资金", "", "以上", 5000),
        ("市财政一年打算投多少钱进去？", PLAN, "财政每年投入资金", "", "以上", 5000),
    ],
)
def test_the_figure_after_the_noun_asked(
    question: str, text: str, noun: str, before: str, after: str, amount: int
) -> None:
    found = named_sum(question, text, words)
    assert found is not None
    assert (found.noun, found.before, found.after) == (noun, before, after)
    assert found.amount_yuan == Decimal(amount) * 10_000


@pytest.mark.parametrize(
    "question",
    [
        "风险补偿能拿多少？",  # the grant: its rule computes it, with its requirements
        "贴息每家最高多少？",  # a grant's cap is the rule's, not a stated figure
        "贷款余额是1000万元，能补多少？",  # sums of its own ask what they earn
        "科研收入的目标占比多少？",  # a share asked
        "每年开展技术服务多少次？",  # a count asked
        "贷款余额有什么要求？",  # no figure asked
        "财政每年投了什么？",  # 投 said, but no figure asked
    ],
)
def test_no_stated_figure_for_other_asks(question: str) -> None:
    assert named_sum(question, LOANS + INSTITUTE, words) is None


def test_a_yearly_figure_is_marked_so_a_total_over_years_can_be_worked() -> None:
    plan = named_sum("财政每年投入资金多少？", PLAN, words)
    loans = named_sum("贷款余额上限多少？", LOANS, words)
    assert plan is not None and plan.yearly
    assert loans is not None and not loans.yearly


def test_a_stated_figure_is_answered_as_a_calculation_citing_its_clause(engine: Engine) -> None:
    answer = engine.answerer.answer("日照单户企业纳入风险补偿备案的贷款余额上限是多少？")
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 20_000_000
    assert answer.calculation.clause_id == "rizhao-rules-2025:4.11"
    assert "贷款余额不超过2000万元" in answer.answer


def test_a_target_sum_in_a_plan_is_stated_not_refused(engine: Engine) -> None:
    answer = engine.answerer.answer("文登到2026年规上工业企业研发投入要达到多少钱？")
    assert not answer.abstained
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 1_500_000_000


def test_a_total_over_years_of_a_yearly_figure(engine: Engine) -> None:
    answer = engine.answerer.answer("日照关键技术攻关财政每年投入资金多少？按三年算合计多少？")
    assert answer.calculation is not None
    assert answer.calculation.amount_yuan == 150_000_000
    assert "3年合计1.5亿元以上" in answer.answer
