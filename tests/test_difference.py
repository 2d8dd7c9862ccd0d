"""The difference of two sums answered: asked in a follow-up, or beside a comparison."""

from __future__ import annotations

import pytest

from policyqa.answer.contract import Answer, Calculation, Citation, Turn
from policyqa.answer.difference import asks_difference, difference_answer, without_difference
from policyqa.engine import Engine


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("两个差多少？", True),
        ("比刚才那个少多少？", True),
        ("这两个最高额度差多少？", True),
        ("哪个高？高多少？", True),
        ("少了200万还能拿多少？", False),  # a sum of its own: a new question
        ("要是少投五百万呢，差多少？", False),
        ("那泰安呢？", False),
    ],
)
def test_a_difference_asked(question: str, asked: bool) -> None:
    assert asks_difference(question) is asked


def test_a_comparison_part_loses_the_comparisons_asks() -> None:
    assert without_difference("上限,日照分别是多少?相差多少?") == "上限,日照分别是多少？"
    assert without_difference("日照单个项目最高支持额,哪个高?差多少?") == (
        "日照单个项目最高支持额是多少？"
    )


def _answer(region: str, clause: str, amount: int) -> Answer:
    cited = Citation(
        doc_id="d", title="t", region=region, clause_id=clause, path=clause, text="", score=1.0
    )
    calc = Calculation(rule_id=clause, clause_id=clause, inputs={}, amount_yuan=amount, steps=[])
    return Answer(question="q", answer="a", abstained=False, citations=[cited], calculation=calc)


def test_the_difference_of_two_sums_names_the_higher() -> None:
    rizhao, taian = _answer("日照市", "a:1", 2000000), _answer("泰安市", "b:1", 5000000)
    worked = difference_answer("差多少？", "r", rizhao, taian)
    assert worked is not None and worked.calculation is not None
    assert worked.calculation.amount_yuan == 3000000
    assert "泰安市较高，两者相差300万元（500万元 − 200万元）" in worked.answer
    assert [c.clause_id for c in worked.citations] == ["a:1", "b:1"]


def test_no_difference_without_two_sums_of_two_clauses() -> None:
    one, again = _answer("日照市", "a:1", 1), _answer("日照市", "a:1", 2)
    same = difference_answer("差多少？", "r", one, again)
    assert same is None
    nothing = _answer("日照市", "a:2", 3).model_copy(update={"calculation": None})
    assert difference_answer("差多少？", "r", _answer("日照市", "a:1", 1), nothing) is None


def _history(*asked: str) -> list[Turn]:
    pairs = [(Turn(role="user", content=q), Turn(role="assistant", content="…")) for q in asked]
    return [t for pair in pairs for t in pair]


def test_a_follow_up_asks_how_far_apart_the_two_answers_are(engine: Engine) -> None:
    history = _history("日照重大科技创新专项，每项最多给多少钱？", "市重点研发计划项目呢？")
    answer = engine.answerer.answer("这两个最高额度差多少？", history)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 2500000
    cited = [c.clause_id for c in answer.citations]
    assert cited == ["rizhao-rules-2025:6.1.17", "rizhao-rules-2025:6.1.18"]


def test_a_comparison_asking_the_gap_computes_it(engine: Engine) -> None:
    question = "揭榜挂帅项目单个项目的市级资金支持上限,日照和泰安分别是多少?相差多少?"
    answer = engine.answerer.answer(question)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 3000000
    assert "200万元" in answer.answer and "500万元" in answer.answer
