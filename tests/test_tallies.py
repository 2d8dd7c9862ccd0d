"""Arithmetic on quoted figures: yearly targets over several years, two named figures summed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyqa.answer.tallies import figures_in, tally, years_totalled
from policyqa.text import normalize_query

WENDENG = "到2026年,每年新增国家科技型中小企业15家以上、国家高新技术企业20家以上。"
TARGETS = "国家高新技术企业数量达到230家以上,国家科技型中小企业数量达到340家以上。"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("三年累计至少多少", 3),
        ("2024到2026这三年下来至少新增多少家", 3),
        ("2025、2026两年合计至少多少人", 2),
        ("2024—2026年合计要签约落地多少个", 3),
        ("按2024—2026三年算一共至少多少", 3),
        ("每年新增多少家", None),
        ("到2026年达到多少家", None),
    ],
)
def test_the_years_a_total_is_asked_over(text: str, years: int | None) -> None:
    assert years_totalled(normalize_query(text)) == years


def test_a_yearly_target_over_several_years_is_the_named_figure_times_the_years() -> None:
    line = tally("文登每年新增国家高新技术企业多少家？三年累计至少多少？", [WENDENG])
    assert line == "按每年20家以上计，3年合计：20家 × 3 = 60家以上"


def test_the_figure_of_the_thing_named_is_taken_not_the_first() -> None:
    line = tally("每年新增国家科技型中小企业多少家，三年下来多少？", [WENDENG])
    assert line is not None and "15家 × 3 = 45家" in line


def test_two_named_figures_are_added() -> None:
    line = tally("国家高新技术企业和国家科技型中小企业的目标加起来多少家？", [TARGETS])
    assert line == "两项合计：230家 + 340家 = 570家以上"


def test_no_total_is_given_when_the_question_names_no_figure_of_the_sentence() -> None:
    assert tally("产学研合作项目三年累计多少个？", [WENDENG]) is None
    assert tally("每年新增国家高新技术企业多少家？", [WENDENG]) is None


def test_a_figure_is_named_only_by_the_words_of_its_own_part() -> None:
    sentence = "研究院形成三大服务板块,创收500万元以上;年度开展技术服务,科研收入200万元以上。"
    line = tally("研究院每年科研收入多少？三年算一共多少？", [sentence])
    assert line is not None and "200万元 × 3 = 600万元" in line


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=2, max_value=9))
def test_the_yearly_total_is_exact_for_any_figure(per_year: int, years: int) -> None:
    digits = "两三四五六七八九"[years - 2]
    sentence = f"每年新增孵化企业{per_year}家以上。"
    line = tally(f"每年新增孵化企业多少家？{digits}年累计多少？", [sentence])
    assert line is not None and line.endswith(f"= {per_year * years}家以上")
    assert figures_in(sentence)[0].yearly


CENTRES = "每年新培育认定省工程研究中心、省企业技术中心各100家左右。"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("如果连续三年都按最低要求办，一共多少场", 3),
        ("三年行动期内，按每年新增的下限算，累计新增多少家", 3),
        ("2024和2025两年山东新培育认定的省企业技术中心大约一共多少家", 2),
        ("整个三年行动方案期内至少新增多少家", 3),  # within the period: its total
    ],
)
def test_years_said_before_a_total_asked_later(text: str, years: int) -> None:
    assert years_totalled(normalize_query(text)) == years


def test_a_figure_stated_for_each_item_counts_once_per_item_asked() -> None:
    both = tally("省工程研究中心和省企业技术中心，两类加起来一年大概多少家？", [CENTRES])
    assert both == "2项各100家左右，合计：100家 × 2 = 200家左右"
    over_years = tally("省工程研究中心、省企业技术中心2024—2025两年两类加起来多少家？", [CENTRES])
    assert over_years is not None and "100家 × 2 × 2 = 400家左右" in over_years
    # One item named (the shared verb 新培育认定 names neither): once per year only.
    one = tally("2024和2025两年新培育认定的省企业技术中心一共多少家？", [CENTRES])
    assert one is not None and "100家 × 2 = 200家左右" in one


def test_the_figure_the_question_restates_is_the_one_totalled() -> None:
    sentence = "每年市内外高校、科研院所选聘不少于50人到企业担任科技副总。"
    line = tally("每年选聘科技副总不少于50人，2025、2026两年加起来至少多少人？", [sentence])
    assert line is not None and "50人 × 2 = 100人" in line


def test_each_yearly_figure_asked_is_totalled() -> None:
    line = tally("每年新增国家科技型中小企业和国家高企的目标，三年累计分别多少家？", [WENDENG])
    assert line is not None and "15家 × 3 = 45家以上" in line and "20家 × 3 = 60家以上" in line


def test_figures_named_by_the_words_after_them_are_added() -> None:
    sentence = "每年组织实施100项左右重大科技攻关项目、60项左右重大产业攻关项目。"
    line = tally("重大科技攻关项目和重大产业攻关项目，加起来大概多少项？", [sentence])
    assert line == "两项合计：100项 + 60项 = 160项左右"


def test_a_shortfall_is_the_restated_target_less_the_count_said() -> None:
    sentence = "全市高新技术企业突破1200家,规上高新技术产业产值年平均增长速度3%左右。"
    line = tally("高企目标是2026年突破1200家，假如现在全市有900家，还差多少家？", [sentence])
    assert line == "距目标还差：1200家 − 900家 = 300家"
    # The target not restated: no shortfall is worked.
    assert tally("假如现在全市有900家，还差多少家？", [sentence]) is None


def test_one_years_figure_less_anothers_of_the_thing_named() -> None:
    sentence = (
        "高新技术企业2024年突破3.5万家、2025年突破3.8万家,"
        "科技型中小企业2024年突破5万家、2025年突破5.5万家。"
    )
    assert tally("高新技术企业2025年比2024年多出多少家？", [sentence]) == (
        "2025年3.8万家 − 2024年3.5万家 = 3000家"
    )
    assert tally("科技型中小企业2025年比2024年多出多少家？", [sentence]) == (
        "2025年5.5万家 − 2024年5万家 = 5000家"
    )


def test_a_figure_named_by_the_words_after_it_is_totalled_over_the_years() -> None:
    sentence = "开展选聘,每年市内外高校、科研院所选聘不少于30人到企业担任科技副总。"
    line = tally("每年选聘多少人当科技副总？连着搞两年的话一共多少人？", [sentence])
    assert line == "按每年30人计，2年合计：30人 × 2 = 60人"


def test_a_total_of_yi_is_said_in_yi_beside_the_wan_worked_in() -> None:
    sentence = "推动关键技术攻关,财政每年投入资金6000万元以上。"
    line = tally("财政每年投入多少？两年累计多少？", [sentence])
    assert line == "按每年6000万元以上计，2年合计：6000万元 × 2 = 12000万元（1.2亿元）以上"
