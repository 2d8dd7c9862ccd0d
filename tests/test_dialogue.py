"""Dialogue state: each follow-up is resolved against the previous turn's resolved question,
for any number of turns (real index and model)."""

from __future__ import annotations

from policyqa.answer.compose import resolve_followup
from policyqa.answer.contract import Turn
from policyqa.engine import Engine

ALIASES = ["泰安市", "泰安", "日照市", "日照", "文登", "威海", "山东"]


def _history(*questions: str) -> list[Turn]:
    turns: list[Turn] = []
    for q in questions:
        turns += [Turn(role="user", content=q), Turn(role="assistant", content="……")]
    return turns


def test_third_turn_carries_the_second_turns_meaning() -> None:
    history = _history("泰安对新认定的国家级孵化器补多少？", "那省级的呢？")
    resolved = resolve_followup("那加速器呢？", history, ALIASES)
    # Turn 2 swapped the tier; turn 3 swaps the subject of that resolved question.
    assert "省级" in resolved and "加速器" in resolved and "国家级" not in resolved


def test_any_number_of_turns() -> None:
    history = _history(
        "泰安对新认定的国家级孵化器补多少？", "那省级的呢？", "那加速器呢？", "那孵化器呢？"
    )
    resolved = resolve_followup("那国家级的呢？", history, ALIASES)
    assert "国家级" in resolved and "孵化器" in resolved and "泰安" in resolved


def test_standalone_question_is_not_rewritten() -> None:
    history = _history("泰安对新认定的国家级孵化器补多少？")
    question = "日照市区共建孵化器运营经费支持比例是多少？"
    assert resolve_followup(question, history, ALIASES) == question


def test_three_turns_answered_on_the_real_index(engine: Engine) -> None:
    first = "泰安对新认定的国家级孵化器补多少？"
    second = engine.answerer.answer("那省级的呢？", _history(first))
    assert second.calculation is not None and second.calculation.amount_yuan == 500_000
    third = engine.answerer.answer("那加速器呢？", _history(first, "那省级的呢？"))
    assert third.calculation is not None and third.calculation.amount_yuan == 300_000
    assert third.frame is not None and "加速器" in third.frame["resolved"]


def test_a_follow_up_naming_an_uncovered_district_replaces_the_region(engine: Engine) -> None:
    history = _history("文登区对新认定的孵化器有什么支持？")
    answer = engine.answerer.answer("那环翠区呢？", history)
    assert answer.resolved_question is not None and "环翠区" in answer.resolved_question
    assert "文登区" not in answer.resolved_question
    assert answer.abstained and answer.calculation is None
