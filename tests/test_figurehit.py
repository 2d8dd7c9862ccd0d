"""The clause answering a count asked: the one whose quoted figure the question's words name."""

from __future__ import annotations

import pytest

from policyqa.answer.figurehit import asked_unit, figure_hit, rate_unstated, with_named_count
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


WENDENG_GOALS = (
    "到2026年,国家高新技术企业数量达到230家以上,国家科技型中小企业数量达到340家以上。"
    "争创山东省科技创新强县,获批省级以上各类科技项目15项以上、市级以上创新平台45家以上。"
)


def test_the_sentence_stating_the_count_named_joins_the_quote() -> None:
    question = "文登到2026年市级以上创新平台多少家？"
    first, second = split_sentences(WENDENG_GOALS)
    assert with_named_count(question, WENDENG_GOALS, [first]) == [first, second]
    # Already quoted, or no count asked: the quote stands as chosen.
    assert with_named_count(question, WENDENG_GOALS, [second]) == [second]
    assert with_named_count("文登的创新平台怎么建？", WENDENG_GOALS, [first]) == [first]


def test_a_rate_asked_prefers_the_clause_stating_the_rate_named() -> None:
    land = "强化要素保障。对纳入省重大项目清单的科技创新项目新增用地实行省级统筹保障。"
    lead = "每年组织实施100项左右重大科技攻关项目,企业牵头的比例达到90%以上。"
    question = "企业牵头重大项目的比例，省里的要求是多少？"
    assert figure_hit(question, [land, lead], split_sentences) == 1
    # A sum of money asked by a rate is not a rate asked.
    money = "企业牵头的比例达到要求能补多少钱？"
    assert figure_hit(money, [land, lead], split_sentences) == 0


def test_a_comparison_quotes_each_sides_count(engine: Engine) -> None:
    answer = engine.answerer.answer(
        "创新平台对比一下：日照到2027年新布局省级创新平台多少家，文登到2026年市级以上创新平台多少家？"
    )
    assert "30家以上" in answer.answer and "45家以上" in answer.answer
    cited = {c.clause_id for c in answer.citations}
    assert {"rizhao-action-2025:1", "wendeng-plan-2024:2"} <= cited
