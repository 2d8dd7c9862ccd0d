"""A plan's rate applied to a base the asker supposes: growth over years, or a share."""

from __future__ import annotations

from decimal import Decimal

from policyqa.answer.projection import count_share, count_share_line, projection
from policyqa.engine import Engine
from policyqa.rules.money import find_quantities, format_yuan

SHANDONG = (
    "总体目标全社会研发经费投入年均增长10%左右,规模以上高新技术产业产值占规模以上工业总产值"
    "比重2024年达到52%、2025年达到53%。"
)
TAIAN = (
    "工作目标2026年,全社会研发经费投入大幅增加,投入强度达到2.8%,"
    "规上高新技术产业产值年平均增长速度3%左右。"
)


def test_growth_over_the_years_between() -> None:
    q = "假设2023年全社会研发经费是2000亿元,按年均增长10%左右,2025年大约多少?"
    p = projection(q, SHANDONG)
    assert p is not None and p.kind == "growth" and p.years == 2
    assert p.amount_yuan == Decimal("242000000000")


def test_a_share_of_the_year_asked() -> None:
    q = "如果2025年山东规上工业总产值是12万亿元,规上高新技术产业产值应达到多少?"
    p = projection(q, SHANDONG)
    assert p is not None and p.kind == "share" and p.rate == Decimal("0.53")
    assert format_yuan(p.amount_yuan) == "6.36万亿元"
    intensity = projection("假设泰安2026年GDP是3500亿元,按研发投入强度目标研发经费得投多少?", TAIAN)
    assert intensity is not None and intensity.amount_yuan == Decimal("9800000000")


def test_no_projection_without_a_supposed_base_or_for_a_grant() -> None:
    assert projection("全社会研发经费年均增长多少?", SHANDONG) is None
    assert projection("假设研发投入2000万元,按10%能拿多少补助?", SHANDONG) is None
    # A share asked of a clause stating only a growth rate for it is not projected.
    growth_only = "研发经费年均增长10%。"
    assert projection("假设2024年研发经费是2000亿元,比重要达到多少?", growth_only) is None


def test_trillions_are_read_and_shown() -> None:
    assert find_quantities("12万亿元")[0].value == Decimal("12000000000000")


def test_a_projection_cites_the_plans_target(engine: Engine) -> None:
    q = "假设2023年山东全社会研发经费是2500亿元,按行动计划里定的年均增速,2025年大约能到多少?"
    answer = engine.answerer.answer(q)
    assert answer.calculation is not None and answer.calculation.amount_yuan == 302500000000
    assert answer.citations[0].clause_id == "shandong-rd-2024:1"
    assert "仅供参考" in answer.answer


RIZHAO_PROJECTS = "分别招引落地项目10个以上,新招引项目中战略性新兴产业项目占比不低于30%。"


def test_a_count_by_the_plans_share_is_rounded_up_to_the_fewest() -> None:
    q = "我们是一个功能区,今年新招引落地了12个项目,按行动计划的要求,其中新兴产业项目至少几个?"
    c = count_share(q, RIZHAO_PROJECTS, "个")
    assert c is not None and (c.base, c.fewest) == (12, 4)  # 一个功能区 counts no project
    assert count_share_line(c) == "按条文的比例测算：12个 × 30% = 3.6个，至少4个。"
    # No share asked by, or no count stated: not this reading.
    unasked = "今年新招引落地了12个项目,战略性新兴产业项目有几个?"
    assert count_share(unasked, RIZHAO_PROJECTS, "个") is None
    uncounted = "按行动计划的要求,战略性新兴产业项目至少几个?"
    assert count_share(uncounted, RIZHAO_PROJECTS, "个") is None
