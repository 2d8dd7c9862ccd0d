"""The clause answering a count asked: the one whose quoted figure the question's words name."""

from __future__ import annotations

import pytest

from policyqa.answer.figurehit import asked_unit, figure_hit, rate_unstated
from policyqa.engine import Engine
from policyqa.text import split_sentences

FRONTIER = "聚焦元宇宙等领域,每年组织实施20项左右前沿技术攻关项目。"
MAJOR = "每年组织实施100项左右重大科技攻关项目、60项左右重大产业攻关项目。"
NO_FIGURE = "深化全周期培育体系建设。"


def test_the_unit_asked() -> None:
    assert asked_unit("每年组织实施多少项重大科技攻关项目？") == "项"
    assert asked_unit("科技型中小企业要达到几家？") == "家"
    assert asked_unit("最高补助多少万元？") is None
    assert asked_unit("要壮大的新兴产业包括哪几个？") is None  # which, not how many
    assert asked_unit("每年选聘多少名科技副总？") == "人"  # 名 and 人 count people alike
    assert asked_unit("每年争创几个科技项目？三年总目标是多少项？") is None


def test_the_clause_whose_figure_the_question_names_is_chosen() -> None:
    question = "山东省每年组织实施多少项重大科技攻关项目？"
    assert figure_hit(question, [FRONTIER, MAJOR], split_sentences) == 1
    # The top clause names the figure as well as any other: it stays.
    frontier = "每年组织实施多少项前沿技术攻关项目？"
    assert figure_hit(frontier, [FRONTIER, MAJOR], split_sentences) == 0


def test_a_top_clause_stating_no_count_gives_way_to_one_that_does() -> None:
    assert figure_hit("重大产业攻关项目多少项？", [NO_FIGURE, MAJOR], split_sentences) == 1
    # No clause states a count in the unit asked: the ranking stands.
    assert figure_hit("培育体系多少家？", [NO_FIGURE, MAJOR], split_sentences) == 0


def test_a_count_is_quoted_from_the_clause_stating_it(engine: Engine) -> None:
    answer = engine.answerer.answer("山东省每年组织实施多少项重大科技攻关项目？")
    assert "100项左右重大科技攻关项目" in answer.answer
    assert answer.citations[0].clause_id == "shandong-rd-2024:2.3.8"


def test_a_plans_total_answers_a_question_not_asking_per_year() -> None:
    yearly = "到2026年,每年为我区储备省外及海外高端人才10人以上。"
    total = "推动签约落地产学研合作项目60个以上,储备省外及海外高端人才30人以上。"
    three_years = "文登三年储备省外及海外高端人才多少人？"
    assert figure_hit(three_years, [yearly, total], split_sentences) == 1
    each_year = "文登每年储备省外及海外高端人才多少人？"
    assert figure_hit(each_year, [yearly, total], split_sentences) == 0


@pytest.mark.parametrize(
    ("question", "clause", "unstated"),
    [
        ("研发投入补助按百分之几补？", "对符合条件的,按规定落实企业研发投入补助政策。", True),
        ("风险补偿的比例具体是多少？", "按照本金损失给予与省级相同比例的风险补偿。", True),
        ("风险补偿的比例具体是多少？", "按照本金损失的30%给予风险补偿。", False),
        ("占比要提高几个百分点？", "有研发活动的企业占比提高3个百分点以上。", False),
        ("两级按什么比例分担？", "市、区县两级按5∶2比例分担。", False),
        ("研发投入补助能拿多少钱？", "按规定落实企业研发投入补助政策。", False),  # no rate asked
    ],
)
def test_a_rate_asked_is_unstated_only_when_the_clause_states_none(
    question: str, clause: str, unstated: bool
) -> None:
    assert rate_unstated(question, clause) is unstated


def test_a_rate_no_clause_states_is_not_covered(engine: Engine) -> None:
    answer = engine.answerer.answer("泰安的企业研发投入财政补助，具体是按研发费用的百分之几给？")
    assert answer.abstained and answer.calculation is None
    assert "比例" in answer.answer
