"""A question asking two things split into its asks, and each answered with its own citation."""

from __future__ import annotations

import pytest

from policyqa.answer.multiask import renumbered, split_asks
from policyqa.engine import Engine

PLACES = ("泰安", "日照", "文登", "山东")


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        # Two sentences: the place of the first carried into the second.
        (
            "泰安到2026年高新技术企业要突破多少家？新引进培养的高层次科技人才要多少名？",
            ("泰安到2026年高新技术企业要突破多少家?", "泰安新引进培养的高层次科技人才要多少名?"),
        ),
        # Two asks of one sentence share its subject.
        (
            "文登方案里提到威海海洋信息科学与技术研究院一年要创收多少、科研收入多少？",
            (
                "文登方案里提到威海海洋信息科学与技术研究院一年要创收多少",
                "文登方案里提到威海海洋信息科学与技术研究院一年要科研收入多少?",
            ),
        ),
        # A part naming its own place keeps its own subject.
        (
            "科技型中小企业：文登2026年要达到多少家，山东2025年全省要突破多少家？",
            ("科技型中小企业:文登2026年要达到多少家", "山东2025年全省要突破多少家?"),
        ),
        # "X和Y各是多少": one question per item.
        (
            "山东每年组织实施的重大科技攻关项目和重大产业攻关项目各是多少项？",
            (
                "山东每年组织实施的重大科技攻关项目是多少项?",
                "山东每年组织实施的重大产业攻关项目是多少项?",
            ),
        ),
        (
            "日照的重大科技创新专项和市重点研发计划项目，每个项目最高分别支持多少钱？",
            (
                "日照的重大科技创新专项,每个项目最高支持多少钱?",
                "日照的市重点研发计划项目,每个项目最高支持多少钱?",
            ),
        ),
    ],
)
def test_a_question_is_split_into_its_asks(question: str, parts: tuple[str, ...]) -> None:
    assert split_asks(question, PLACES) == parts


@pytest.mark.parametrize(
    "question",
    [
        "日照到2027年万人有效发明专利拥有量要达到多少？",  # one ask
        "泰安对新认定的国家级、省级孵化器分别补多少？",  # a 分别 list of tiers: paired, not split
        "山东每年新培育认定的省工程研究中心和省企业技术中心，两类加起来一年大概多少家？",  # a total
        "文登每年要为全区储备省外及海外高端人才多少人，整个方案期合计多少？",  # a total
        "省里高企目标2025年比2024年多出多少家？",  # a difference
        "日照这份若干政策实施细则是哪个部门发的？什么时候印发的？",  # publication
        "全省科技型中小企业数量2024年和2025年各要突破多少家？",  # years, not items
    ],
)
def test_a_question_asking_one_thing_or_a_total_is_not_split(question: str) -> None:
    assert split_asks(question, PLACES) == ()


def test_citation_numbers_follow_the_joined_list() -> None:
    assert renumbered("甲[1]，乙[2]", ["a", "b"], ["x", "b", "a"]) == "甲[3]，乙[2]"
    assert renumbered("甲[2]", ["a", "b"], ["a"]) == "甲"


def test_each_ask_is_quoted_with_its_own_clause(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "文登每年要新增多少家市级以上创新平台？每年争创省级以上科技项目多少个？"
    )
    assert not answer.abstained
    assert "15家" in answer.answer and "5个" in answer.answer
    cited = [c.clause_id for c in answer.citations]
    assert {"wendeng-plan-2024:3.3", "wendeng-plan-2024:3.4"} <= set(cited)
    assert "1. " in answer.answer and "2. " in answer.answer


def test_a_second_figure_of_the_same_clause_is_quoted(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "泰安到2026年高新技术企业要突破多少家？新引进培养的高层次科技人才要多少名？"
    )
    assert "1200家" in answer.answer and "200名" in answer.answer
