"""The clause answering a count asked: the one whose quoted figure the question's words name."""

from __future__ import annotations

from policyqa.answer.figurehit import asked_unit, figure_hit
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
