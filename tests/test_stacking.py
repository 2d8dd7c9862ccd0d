"""Whether grants stack: the documents' rule on overlapping support answers."""

from __future__ import annotations

import pytest

from policyqa.answer.asking import ASKS_SHARE
from policyqa.answer.stacking import asks_stacking, stacking_sentence
from policyqa.engine import Engine


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("同一企业同时符合多项支持政策，可以叠加享受吗？", True),
        ("一家企业同时够得上好几条补助，钱能叠着拿吗？", True),
        ("同時夠得上好幾項支持政策，能不能每項都拿？", True),
        ("首次认定的规上高企能拿多少？", False),
    ],
)
def test_asks_stacking(question: str, asks: bool) -> None:
    assert asks_stacking(question) is asks


def test_the_sentence_stating_the_rule_is_found() -> None:
    rule = "同一企业符合以上多项支持政策标准的,按照“就高、不重复”原则予以补助。"
    assert stacking_sentence(f"为落实若干政策，制定本细则。{rule}") == rule
    assert stacking_sentence("对新认定的省级孵化器给予50万元补助。") is None


@pytest.mark.parametrize(
    ("question", "share"),
    [
        ("重大科技攻关项目里企业牵头的比例，省里和泰安各要求多少？", True),
        ("研发投入强度目标是多少？", True),
        ("按30%的比例，市里和区县各补多少钱？", False),  # money asked
        ("按5:2的比例分担，区县承担多少？", False),
    ],
)
def test_a_share_asked_is_no_sum(question: str, share: bool) -> None:
    assert bool(ASKS_SHARE.search(question)) is share


def test_whether_grants_stack_is_answered_by_the_rule_on_overlapping_support(
    engine: Engine,
) -> None:
    answer = engine.answerer.answer(
        "日照那个实施细则里，要是一家企业同时够得上好几条补助，钱能叠着拿吗？"
    )
    assert answer.citations[0].clause_id == "rizhao-rules-2025:p2"
    assert "就高" in answer.answer


def test_an_amount_asked_besides_is_told_with_the_rule(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "同一家日照企业，今年既是首次认定的规上高企，又在中国创新创业大赛拿了奖，"
        "这两项补助能叠加吗？最多拿多少？"
    )
    assert answer.calculation is not None and answer.calculation.amount_yuan == 200_000
    assert "能否叠加：「同一企业符合以上多项支持政策标准的" in answer.answer
    assert "rizhao-rules-2025:p2" in [c.clause_id for c in answer.citations]
