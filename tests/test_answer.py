"""Answer composition on the real index: lookups, 分别 pairing, follow-ups, abstentions."""

from __future__ import annotations

import pytest

from policyqa.answer.compose import (
    MAX_QUESTION_CHARS,
    Answerer,
    QuestionError,
    best_sentences,
    coverage_summary,
    pair_respectively,
    resolve_followup,
    split_sentences,
    validate_question,
)
from policyqa.answer.contract import Turn
from policyqa.engine import Engine
from policyqa.search.retrieve import Retriever

ALIASES = ["泰安市", "泰安", "日照市", "日照", "文登", "威海", "山东"]


def test_lookup_answers_with_the_clause_sentence_and_cites_it(engine: Engine) -> None:
    answer = engine.answerer.answer("到2027年日照万人有效发明专利拥有量目标是多少？")
    assert not answer.abstained and answer.route == "lookup"
    assert "万人有效发明专利拥有量达到13件" in answer.answer
    assert answer.citations[0].clause_id == "rizhao-action-2025:1"
    assert answer.citations[0].text.startswith("工作目标")
    assert "[1]" in answer.answer and "依据" in answer.answer


def test_respectively_clause_answers_the_tier_asked(engine: Engine) -> None:
    national = engine.answerer.answer("泰安对新认定的国家级孵化器补多少？")
    assert national.calculation is not None and national.calculation.amount_yuan == 1_000_000
    assert "100万元" in national.answer
    provincial = engine.answerer.answer("泰安对新认定的省级孵化器补多少？")
    assert provincial.calculation is not None and provincial.calculation.amount_yuan == 500_000
    assert provincial.calculation.clause_id == "taian-opinions-draft:3.6.17"
    assert "征求意见稿" in provincial.answer  # the Tai'an document is a draft


def test_lookup_pairs_respectively_without_a_calculator(retriever: Retriever) -> None:
    answer = Answerer(retriever).answer("泰安对新认定的省级孵化器补多少？")
    assert answer.route == "lookup" and "省级为50万元" in answer.answer


def test_amount_question_is_computed_and_cites_the_rule_clause(engine: Engine) -> None:
    answer = engine.answerer.answer("横向项目实际支付80万元能支持多少？")
    assert answer.route == "calculation" and answer.calculation is not None
    assert answer.calculation.amount_yuan == 160_000
    assert answer.calculation.rule_id == "rz-horizontal-project"
    assert answer.citations[0].clause_id == answer.calculation.clause_id == "rizhao-rules-2025:5.14"
    assert "80万元 × 20% = 16万元" in answer.calculation.steps


def test_missing_input_is_asked_for_not_guessed(engine: Engine) -> None:
    answer = engine.answerer.answer("孵化器运营经费能支持多少？")
    assert answer.route == "needs_input" and answer.calculation is None
    assert "请提供" in answer.answer and not answer.abstained


def test_follow_up_carries_the_conversation(engine: Engine) -> None:
    first = "泰安对国家级孵化器补多少？"
    history = [Turn(role="user", content=first), Turn(role="assistant", content="100万元")]
    answer = engine.answerer.answer("那省级的呢？", history)
    assert answer.resolved_question == "泰安对省级孵化器补多少?"
    assert "50万元" in answer.answer
    assert {c.region for c in answer.citations} == {"泰安市"}


def test_traditional_question_finds_the_traditional_clause(engine: Engine) -> None:
    answer = engine.answerer.answer("國家科學技術二等獎獎勵多少？")
    assert answer.calculation is not None and answer.calculation.amount_yuan == 1_000_000
    assert "獲評國家科學技術一等獎和二等獎" in answer.citations[0].text


def test_who_is_responsible(engine: Engine) -> None:
    answer = engine.answerer.answer("日照使用创新券的补助由哪个部门负责？")
    assert answer.citations[0].clause_id == "rizhao-rules-2025:3.5"
    assert "由市科技局、市财政局负责" in answer.answer
    taian = engine.answerer.answer("泰安的重大科技攻关项目由谁负责？")
    assert "由市科技局、市财政局负责" in taian.answer


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("北京对孵化器补多少？", "region_not_covered:北京"),
        ("个人所得税怎么交", "topic_not_covered:个人所得税"),
        ("你们觉得人生的意义是什么", "below_relevance_floor"),
        ("的了吗", "empty_query"),
    ],
)
def test_abstentions_say_what_the_corpus_covers(engine: Engine, question: str, reason: str) -> None:
    answer = engine.answerer.answer(question)
    assert answer.abstained and answer.abstain_reason == reason
    assert answer.citations == [] and answer.calculation is None
    assert "本知识库收录" in answer.answer and "泰安市" in answer.answer
    assert not any(ch.isdigit() for ch in answer.answer.split("本知识库收录")[0])


def test_resolve_followup_replaces_slots() -> None:
    history = [Turn(role="user", content="泰安对国家级孵化器补多少？")]
    assert resolve_followup("那省级的呢？", history, ALIASES) == "泰安对省级孵化器补多少?"
    assert resolve_followup("日照呢？", history, ALIASES) == "日照对国家级孵化器补多少?"
    amount = [Turn(role="user", content="横向项目实际支付80万元能支持多少？")]
    assert (
        resolve_followup("那120万元呢？", amount, ALIASES) == "横向项目实际支付120万元能支持多少?"
    )


def test_resolve_followup_appends_or_leaves_standalone_questions() -> None:
    history = [Turn(role="user", content="日照对孵化器有什么支持？")]
    assert resolve_followup("那加速器呢？", history, ALIASES) == "日照对加速器有什么支持?"
    assert resolve_followup("那要交什么材料呢？", history, ALIASES) == (
        "日照对孵化器有什么支持，要交什么材料呢?"
    )
    standalone = "揭榜挂帅项目最高支持多少？"
    assert resolve_followup(standalone, history, ALIASES) == standalone
    assert resolve_followup("那省级的呢？", [], ALIASES) == "那省级的呢？"


def test_pair_respectively_ignores_words_outside_the_list() -> None:
    sentence = (
        "对新认定的国家级、省级孵化器,市级财政分别一次性给予孵化器运营机构100万元、50万元资金补助"
    )
    assert pair_respectively(sentence, "省级孵化器") == ("省级", "50万元")
    assert pair_respectively(sentence, "国家级的") == ("国家级", "100万元")
    assert pair_respectively(sentence, "孵化器补多少") is None
    prize = "對獲評國家科學技術一等獎和二等獎的項目(個人),分別給予200萬元、100萬元獎勵。"
    assert pair_respectively(prize, "一等奖") == ("一等奖", "200万元")


def test_best_sentences_prefers_the_sentence_that_answers() -> None:
    filler = "完善服务体系" * 40
    text = (
        f"构建孵化体系。{filler}。对新认定的省级孵化器给予50万元。对新认定的省级加速器给予30万元。"
    )
    words = {"省级": 1.0, "加速器": 2.0}
    assert best_sentences(text, words, lambda s: [w for w in words if w in s]) == [
        "对新认定的省级加速器给予30万元。"
    ]
    assert split_sentences("甲。乙；丙") == ["甲。", "乙；", "丙"]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "问题为空"),
        ("  \u200b ", "问题为空"),
        ("x" * (MAX_QUESTION_CHARS + 1), "问题过长"),
        ("孵化器\ud800", "孤立代理项"),
    ],
)
def test_invalid_questions(question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        validate_question(question)


def test_control_characters_are_dropped() -> None:
    assert validate_question("孵化器\x00补助\x07") == "孵化器补助"


def test_coverage_summary_names_every_document(engine: Engine) -> None:
    summary = coverage_summary(engine.corpus.manifest)
    for region in ["山东省", "日照市", "泰安市", "威海市文登区"]:
        assert region in summary
    assert "征求意见稿" in summary and "2024—2026年" in summary
