"""Facts a document states about itself: who interprets it, when it takes effect, its years."""

from __future__ import annotations

import pytest

from policyqa.answer.docfacts import documents_named, fact_asked, facts_asked, kind_of
from policyqa.engine import Engine
from policyqa.text import normalize


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("日照实施细则最后由哪个部门负责解释？", "interpret"),
        ("日照这个实施细则从什么时候开始执行？", "effective"),
        ("日照细则从啥时候开始执行？", "effective"),
        ("山东省那个科技研发创新行动计划管的是哪两年？", "period"),
        ("日照实施细则是哪天发的，从什么时候开始施行？", "effective"),
        ("山东省科技研发创新行动计划覆盖哪几年？", "period"),
        ("文登的方案和山东省的研发行动计划，规划期分别到哪一年结束？", "period"),
        ("日照的行動計劃和泰安的實施意見，目標年份分別定在哪一年？", "period"),
        ("日照对新认定的省级孵化器补多少？", None),
        ("什么时候开始申报？", None),
    ],
)
def test_the_fact_asked(question: str, fact: str | None) -> None:
    assert fact_asked(question) == fact


def test_every_fact_asked_in_one_question() -> None:
    question = "日照实施细则从什么时候开始执行？由哪个部门负责解释？"
    assert facts_asked(question) == ("interpret", "effective")
    assert facts_asked("日照对新认定的省级孵化器补多少？") == ()


def test_two_facts_asked_are_answered_both(engine: Engine) -> None:
    answer = engine.answerer.answer("日照实施细则从什么时候开始执行？由哪个部门负责解释？")
    assert "负责解释" in normalize(answer.answer) and "施行" in answer.answer


def test_kind_of_a_title() -> None:
    assert kind_of("威海市文登区科技创新发展三年行动方案(2024—2026年)") == "行动方案"
    assert kind_of("泰安市人民政府关于…的实施意见(征求意见稿)") == "实施意见"


def test_documents_named_by_kind_and_place(engine: Engine) -> None:
    docs = engine.answerer.documents.documents
    named = documents_named("日照的行动计划和实施细则哪个先印发？", docs)
    assert [d.id for d in named] == ["rizhao-action-2025", "rizhao-rules-2025"]
    named = documents_named("文登的方案和山东省的研发行动计划", docs)
    assert [d.id for d in named] == ["wendeng-plan-2024", "shandong-rd-2024"]
    assert documents_named("孵化器补多少", docs) == []


@pytest.mark.parametrize(
    ("question", "wanted", "clause"),
    [
        ("日照实施细则最后由哪个部门负责解释？", ["市科技局"], "rizhao-rules-2025:p2"),
        (
            "日照这个实施细则从什么时候开始执行？",
            ["印发之日", "2025年8月15日"],
            "rizhao-rules-2025:p2",
        ),
        ("山东省科技研发创新行动计划覆盖哪几年？", ["2024—2025年"], "shandong-rd-2024:1"),
        (
            "日照的行动计划和泰安的实施意见，目标年份分别定在哪一年？",
            ["2027年", "2026年"],
            "rizhao-action-2025:1",
        ),
    ],
)
def test_document_facts_are_quoted_from_the_document(
    engine: Engine, question: str, wanted: list[str], clause: str
) -> None:
    answer = engine.answerer.answer(question)
    assert not answer.abstained
    assert all(w in normalize(answer.answer) for w in wanted)
    assert clause in [c.clause_id for c in answer.citations]


def test_two_documents_dates_and_which_came_first(engine: Engine) -> None:
    answer = engine.answerer.answer("日照的行动计划和实施细则哪个先印发？分别是哪天？")
    assert "2025年7月16日" in answer.answer and "2025年8月15日" in answer.answer
    assert "较早印发的是日照市《关于强化科技创新推动新质生产力发展的行动计划》" in answer.answer


def test_a_document_stating_no_such_fact_is_not_given_another_s(engine: Engine) -> None:
    answer = engine.answerer.answer("文登三年行动方案由哪个部门负责解释？")
    assert "本文件由市科技局" not in answer.answer
