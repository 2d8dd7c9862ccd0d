"""The question frame parser: polarity, several quantities, per-year lists, gazetteer cases."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyqa.answer.frame import attributes_in, build_frame, denied, set_aside, tiers_in, years_in
from policyqa.answer.gazetteer import region_mentions
from policyqa.answer.overview import sentence_naming, topic_of
from policyqa.answer.quantities import frame_quantities, restate
from policyqa.engine import Engine
from policyqa.rules.money import Quantity, find_quantities
from policyqa.text import normalize_query

COVERED = ("日照市", "泰安市", "威海市文登区", "山东省")


@pytest.mark.parametrize(
    ("question", "name", "polarity"),
    [
        ("我们不是科技型中小企业，研发投入能补多少", "科技型中小企业", "negative"),
        ("我们是科技型中小企业", "科技型中小企业", "positive"),
        ("公司尚未认定为高新技术企业", "高新技术企业", "negative"),
        ("一家非高新技术企业", "高新技术企业", "negative"),
        ("我们还不是一家科技型中小企业", "科技型中小企业", "negative"),
        ("我们是规上企业", "规模以上企业", "positive"),
        ("科技型中小企业资格还没拿到", "科技型中小企业", "negative"),
        ("我们是规上企业，但一直没评上科技型中小企业", "科技型中小企业", "negative"),
        ("去年被评为科技型中小企业", "科技型中小企业", "positive"),
    ],
)
def test_attribute_polarity(question: str, name: str, polarity: str) -> None:
    found = {a.name: a.polarity for a in attributes_in(normalize_query(question))}
    assert found[name] == polarity


def test_a_word_inside_a_longer_attribute_counts_once() -> None:
    names = [a.name for a in attributes_in("我们是科技型中小企业")]
    assert names == ["科技型中小企业"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("1.2亿元", [("120000000", "base")]),
        ("八十万", [("800000", "base")]),
        ("投资1亿2000万，亏损300万", [("120000000", "base"), ("3000000", "loss")]),
        ("研发投入增长150%", [("150", "growth_rate")]),
        ("占比30%", [("30", "rate")]),
        ("两个省级孵化器", [("2", "count")]),
        ("2024年投入500万元", [("5000000", "base")]),
    ],
)
def test_quantities_with_roles(question: str, expected: list[tuple[str, str]]) -> None:
    got = [(q.value, q.role) for q in frame_quantities(normalize_query(question))]
    assert got == expected


def test_per_year_list_is_one_quantity_with_the_yearly_values() -> None:
    found = frame_quantities(normalize_query("三年分别投入100万、200万和300万"))
    per_year = [q for q in found if q.role == "per_year"]
    assert len(per_year) == 1
    assert per_year[0].values == ("1000000", "2000000", "3000000")
    assert per_year[0].value == "6000000"


@pytest.mark.parametrize(
    ("text", "name", "status", "covered_by"),
    [
        ("岚山区的企业", "日照市岚山区", "covered", "日照市"),
        ("威海环翠区的孵化器", "威海市环翠区", "uncovered_district", "威海市文登区"),
        ("文登区", "威海市文登区", "covered", "威海市文登区"),
        ("济南市历下区", "济南市历下区", "uncovered", None),
        ("在青岛", "青岛市", "uncovered", None),
        ("泰安", "泰安市", "covered", "泰安市"),
        ("深圳南山区", "深圳市南山区", "uncovered", None),
    ],
)
def test_gazetteer_classifies_places(
    text: str, name: str, status: str, covered_by: str | None
) -> None:
    (mention,) = region_mentions(text, COVERED)
    assert (mention.name, mention.status, mention.covered_by) == (name, status, covered_by)


def test_ordinary_words_are_not_places() -> None:
    assert [r.name for r in region_mentions("日照市中小企业", COVERED)] == ["日照市"]


@pytest.mark.parametrize(
    "text",
    ["日照企业跟山东大学签了横向项目", "日照企业与山东理工大学合作", "日照企业在日照银行贷款"],
)
def test_an_institution_named_after_a_place_is_no_place(text: str) -> None:
    assert [r.name for r in region_mentions(text, COVERED)] == ["日照市"]


def test_tiers_with_counts_and_payer_tiers_ignored() -> None:
    tiers = tiers_in(
        normalize_query("泰安新认定了两个省级孵化器、一个国家级加速器，市级资金给多少")
    )
    assert [(t.tier, t.subject, t.count) for t in tiers] == [
        ("省级", "孵化器", 2),
        ("国家级", "加速器", 1),
    ]


def test_an_aside_naming_the_same_place_does_not_take_the_covered_question() -> None:
    aside, rest = set_aside("今天日照天气咋样?顺便问下,日照对拿了国家科学技术二等奖的项目奖多少钱?")
    assert "天气" in aside and rest.startswith("顺便问下,日照对")


def test_years_and_set_aside_topic() -> None:
    assert years_in("文登区到2030年的目标") == (2030,)
    aside, rest = set_aside("增值税的事先不管，日照新认定的国家级孵化器补多少")
    assert aside == "增值税的事" and rest.startswith("日照")


@pytest.mark.parametrize(
    ("question", "asks_amount", "intent"),
    [
        ("哪些文件提到了揭榜挂帅", False, "doc_list"),
        ("有哪几份文件说到了科技特派员", False, "doc_list"),
        ("有几个政策文件提到了量子计算", False, "doc_list"),
        ("泰安的文件是哪个部门发布的", False, "metadata"),
        ("日照新认定的省级孵化器补多少", True, "amount"),
        ("申请孵化器补助需要什么条件", True, "lookup"),
    ],
)
def test_intent(question: str, asks_amount: bool, intent: str) -> None:
    frame = build_frame(question, COVERED, asks_amount)
    assert frame.intent == intent


def test_comparison_needs_two_covered_regions() -> None:
    assert build_frame("日照和泰安对省级孵化器分别补多少", COVERED, True).intent == "comparison"
    assert build_frame("泰安对省级孵化器补多少", COVERED, True).intent == "amount"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("泰安和日照对揭榜挂帅项目的支持上限各是多少", "comparison"),
        ("日照、泰安对科技成果转化贷款贴息怎么规定", "comparison"),
        ("日照市与泰安对省级加速器补多少", "comparison"),
        ("日照的企业在泰安新认定省级加速器补多少", "amount"),  # two places, one question
        # A share each place requires, the places apart and a document named with each.
        ("企业牵头重大项目的比例，泰安的实施意见和日照的行动计划各要求多少", "comparison"),
    ],
)
def test_two_places_asked_side_by_side_are_a_comparison(question: str, intent: str) -> None:
    assert build_frame(question, COVERED, True).intent == intent


def test_frame_is_json_ready() -> None:
    frame = build_frame("我们不是科技型中小企业，在岚山区，投了300万", COVERED, True)
    data = frame.to_json()
    assert data["subjects"][0]["polarity"] == "negative"
    assert data["regions"][0]["covered_by"] == "日照市"
    assert data["quantities"][0]["value"] == "3000000"


# --- properties ------------------------------------------------------------------------------

_amounts = st.integers(min_value=1, max_value=9999)


@given(_amounts)
def test_wan_amount_is_read_exactly(n: int) -> None:
    (q,) = frame_quantities(f"投入{n}万元")
    assert Decimal(q.value) == Decimal(n) * 10_000 and q.unit == "yuan"


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=9999))
def test_yi_wan_mix_is_one_amount(yi: int, wan: int) -> None:
    (q,) = frame_quantities(f"投资{yi}亿{wan}万")
    assert Decimal(q.value) == Decimal(yi) * 10**8 + Decimal(wan) * 10**4


@given(st.lists(_amounts, min_size=2, max_size=5))
def test_per_year_values_and_sum(values: list[int]) -> None:
    listed = "、".join(f"{v}万" for v in values)
    found = frame_quantities(f"{len(values)}年分别投入{listed}")
    (per_year,) = [q for q in found if q.role == "per_year"]
    assert [Decimal(v) for v in per_year.values] == [Decimal(v) * 10_000 for v in values]
    assert Decimal(per_year.value) == sum(Decimal(v) * 10_000 for v in values)


@given(st.integers(min_value=1, max_value=999))
def test_growth_rate_is_a_percent_with_its_role(p: int) -> None:
    (q,) = frame_quantities(f"研发投入同比增长{p}%")
    assert q.role == "growth_rate" and Decimal(q.value) == p and q.unit == "percent"


@given(st.sampled_from("一二三四五六七八九"), st.sampled_from(["万", "十万", "百万", "千万"]))
def test_chinese_numeral_amounts(digit: str, mult: str) -> None:
    (q,) = frame_quantities(f"拿到{digit}{mult}")
    value = "一二三四五六七八九".index(digit) + 1
    scale = {"万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7}[mult]
    assert Decimal(q.value) == value * scale


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("三年实际支付运营经费分别为200万元、300万元、400万元", ("2000000", "3000000", "4000000")),
        (  # the years said, then a fact, then 分别
            "三年都达到约定条件,每年实际付的运营经费分别是100万、150万、180万",
            ("1000000", "1500000", "1800000"),
        ),
        (
            "第一年、第二年、第三年实际支付运营经费100万元、150万元、200万元",
            ("1000000", "1500000", "2000000"),
        ),
        ("前年和去年使用共享仪器分别花了100万元和300万元", ("1000000", "3000000")),
        ("2025年、2026年实际支付运营经费分别为80万元和120万元", ("800000", "1200000")),
        ("去年使用共享仪器花了150万元，今年花了400万元", ("1500000", "4000000")),
        (  # one rate of growth over the years stated
            "第一年实付运营经费120万，之后每年比上一年增长50%，三年都达到约定条件",
            ("1200000", "1800000", "2700000"),
        ),
        ("第一年付运营费150万,后面每年比上一年涨20%,连续三年", ("1500000", "1800000", "2160000")),
    ],
)
def test_per_year_list_phrasings(question: str, values: tuple[str, ...]) -> None:
    found = frame_quantities(normalize_query(question))
    (per_year,) = [q for q in found if q.role == "per_year"]
    assert per_year.values == values


@pytest.mark.parametrize(
    "question",
    [
        "两个横向项目实际支付分别为800万元和300万元",  # items, not years
        "连续三年每年实际支付运营经费50万元",  # one figure for every year
        "首轮投资1000万元，去年亏损了120万元",  # one year named
        "第一年实付运营经费120万，之后每年增长50%",  # growth, but over how many years?
        "第一年实付运营经费120万，今年研发投入增长50%，三年",  # not a yearly growth
    ],
)
@pytest.mark.parametrize("suffix", ["", "，能拿多少？"])
def test_not_a_per_year_list(question: str, suffix: str) -> None:
    found = frame_quantities(normalize_query(question + suffix))
    assert not [q for q in found if q.role == "per_year"]


@given(st.lists(_amounts, min_size=2, max_size=4))
def test_year_led_amounts_are_a_per_year_list(values: list[int]) -> None:
    years = ["前年", "去年", "今年", "明年"][: len(values)]
    text = "，".join(f"{y}花了{v}万元" for y, v in zip(years, values, strict=True))
    (per_year,) = [q for q in frame_quantities(text) if q.role == "per_year"]
    assert [Decimal(v) for v in per_year.values] == [Decimal(v) * 10_000 for v in values]


def test_grades_joined_share_the_subject_when_a_total_is_asked() -> None:
    each = tiers_in(normalize_query("主持国家级和省级自然科学基金项目各一项，一共多少？"))
    assert [(t.tier, t.subject, t.count) for t in each] == [
        ("国家级", "自然科学基金", 1),
        ("省级", "自然科学基金", 1),
    ]
    # "分别" asks for each grade's figure: no total, the first grade names no subject of its own.
    respectively = tiers_in(normalize_query("新认定的国家级和省级孵化器分别补多少？"))
    assert [t.tier for t in respectively] == ["省级"]


@pytest.mark.parametrize(
    ("question", "aside"),
    [
        ("增值税的事先不管，泰安孵化器补多少？", "增值税的事"),
        ("先不说个人所得税，日照高企能拿多少？", "先不说个人所得税"),
        ("除了加计扣除以外，日照创新券补多少？", "除了加计扣除以外"),
        ("不考虑社保的问题，横向项目支持多少？", "不考虑社保的问题"),
    ],
)
def test_a_topic_set_aside_before_or_after_the_dismissal(question: str, aside: str) -> None:
    head, rest = set_aside(normalize_query(question))
    assert head == aside and rest and aside not in rest


def test_a_question_without_a_dismissal_is_kept_whole() -> None:
    text = normalize_query("日照不考虑学历吗？横向项目支持多少")
    assert set_aside(text) == ("", text)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("有哪几份文件说到了科技特派员？", "科技特派员"),
        ("哪些文件里写到技术经纪人？", "技术经纪人"),
        ("哪些文件提到过孵化器的内容？", "孵化器"),
        ("首台(套)装备、首批次材料这些说法，在哪几份文件里出现过？", "首台(套)装备、首批次材料"),
        ("博士后工作站、博士后基地这类平台，哪些文件有提到？", "博士后工作站、博士后基地"),
        # Quotes are not part of the topic; a bracketed gloss with 或 only explains it.
        ("哪些文件里讲到了“飞地”孵化器？", "飞地孵化器"),
        ("哪些文件提到了「飞地」（飞地孵化器或人才飞地）？", "飞地"),
        ("提到“科技副总”的有哪些文件？", "科技副总"),
        # The topic before the list cue, pointing words (这个说法, 相关的内容) dropped.
        ("“先投后股”这个说法在哪几份文件里出现？", "先投后股"),
        ("首台（套）装备这个说法，哪些文件提到了？", "首台(套)装备"),
        ("概念验证中心哪几份文件提过？", "概念验证中心"),
        ("元宇宙这个方向，哪些文件里有布局？", "元宇宙"),
        ("博士后相关的内容，哪几份文件里有？", "博士后"),
    ],
)
def test_topic_of_a_document_list_question(question: str, topic: str) -> None:
    assert topic_of(question) == topic


def test_a_topic_is_named_as_written_or_split_within_one_sentence() -> None:
    text = "推荐企业建设国家级博士后科研工作站。支持博士后创新实践基地建设。"
    assert sentence_naming("博士后工作站", text) == "推荐企业建设国家级博士后科研工作站。"
    assert sentence_naming("博士后基地", text) == "支持博士后创新实践基地建设。"
    assert sentence_naming("量子计算", text) is None
    assert sentence_naming("博士后实验", "博士后科研工作站。实验室建设。") is None  # two sentences


def test_sentence_naming_quotes_the_sentence_with_the_topic() -> None:
    text = "推动国有企业创新示范。支持建设新型研发机构。其他事项。"
    assert sentence_naming("新型研发机构", text) == "支持建设新型研发机构。"
    assert sentence_naming("量子", text) is None


def _money(text: str) -> Quantity:
    return next(q for q in find_quantities(text) if q.kind == "money")


@pytest.mark.parametrize(
    ("question", "yearly", "yuan", "step"),
    [
        (
            "合同金额100万，已实际支付了一半，能支持多少",
            False,
            500_000,
            "100万元的一半：按50万元计",
        ),
        ("合同额300万，实际支付了三分之一", False, 1_000_000, "300万元的三分之一：按100万元计"),
        ("预算200万，到位了六成", False, 1_200_000, "200万元的六成：按120万元计"),
        ("合同额三百万元，目前按合同付了60%", False, 1_800_000, "300万元的60%：按180万元计"),
        ("每季度实际支付30万元，一年能拿多少", False, 1_200_000, "每季度30万元 × 4 = 全年120万元"),
        ("每月花费3万元，补助多少", True, 360_000, "每月3万元 × 12 = 全年36万元"),
        ("一个季度大概花二十万，一年下来能补多少", False, 800_000, "每季度20万元 × 4 = 全年80万元"),
        ("一季度花了二十万，能补多少", False, 200_000, ""),
        ("项目总投入八百万，其中科技投入占一半", False, 4_000_000, "800万元的一半：按400万元计"),
        ("实际支付80万元，能支持多少", False, 800_000, ""),
    ],
)
def test_a_figure_is_restated_as_the_question_means_it(
    question: str, yearly: bool, yuan: int, step: str
) -> None:
    text = normalize_query(question)
    restated = restate(text, _money(text), yearly)
    assert (restated.quantity.value, restated.step, restated.unusable) == (yuan, step, "")


def test_a_monthly_figure_without_a_year_is_not_used() -> None:
    text = normalize_query("每月使用共享仪器花费3万元，创新券补助多少")
    restated = restate(text, _money(text), yearly=False)
    assert restated.unusable == "3万元为每月金额，请说明全年金额"


@pytest.mark.parametrize(
    ("question", "tiers"),
    [
        ("主持了1项国家自然科学基金项目和2项省自然科学基金项目", [("国家级", 1), ("省级", 2)]),
        ("新获批山东省重点实验室", [("省级", 1)]),
        ("日照市孵化器的运营补贴", []),  # the city's incubator, not a 市级 grade
        ("国家级孵化器", [("国家级", 1)]),
        # The count after what it counts; a kind of carrier between the grade and its thing.
        ("主持國家自然科學基金項目3項、省自然科學基金項目4項", [("国家级", 3), ("省级", 4)]),
        ("新认定的国家级科技企业加速器", [("国家级", 1)]),
        ("国家科学技术进步奖特等奖", [("特等奖", 1)]),
        # The grade given after the thing, then again with a count only.
        ("一家孵化器新认定为国家级，还有两家新认定为省级", [("国家级", 1), ("省级", 2)]),
        ("市级财政给孵化器补多少", []),  # who pays, not a grade
    ],
)
def test_grades_written_without_ji(question: str, tiers: list[tuple[str, int]]) -> None:
    assert [(t.tier, t.count) for t in tiers_in(normalize_query(question))] == tiers


@pytest.mark.parametrize(
    ("question", "aside", "rest"),
    [
        (
            "日照首次认定的规上高企补多少？另外增值税怎么交？",
            "另外增值税怎么交",
            "日照首次认定的规模以上高新技术企业补多少？",
        ),
        (
            "顺便问一下今天天气怎么样，泰安新认定的省级加速器补多少？",
            "顺便问一下今天天气怎么样",
            "泰安新认定的省级加速器补多少？",
        ),
        ("高新技术企业的增值税优惠是多少？", "", "高新技术企业的增值税优惠是多少?"),  # all of it
    ],
)
def test_an_off_topic_part_of_its_own_is_set_aside(question: str, aside: str, rest: str) -> None:
    text = normalize_query(question)
    assert set_aside(text) == (aside, normalize_query(rest) if aside else text)


def test_the_answer_says_what_it_set_aside(engine: Engine) -> None:
    answer = engine.answerer.answer("泰安新认定的省级加速器补多少？顺便问下公积金怎么提取。")
    assert not answer.abstained and answer.calculation is not None
    assert answer.calculation.amount_yuan == 300_000
    assert answer.answer.endswith(
        "另：“顺便问下公积金怎么提取”不在已收录的科技创新政策范围内，未作回答。"
    )


@pytest.mark.parametrize(
    ("question", "growth"),
    [
        ("今年研发投入1000万元，比上年翻了一番", "100"),
        ("研发投入翻两番", "300"),
        ("较上年增长了一倍", "100"),
        ("比上年翻了一番还多", None),  # more than doubled: no exact rate
    ],
)
def test_a_doubling_in_words_is_a_growth_rate(question: str, growth: str | None) -> None:
    rates = [
        q.value for q in frame_quantities(normalize_query(question)) if q.role == "growth_rate"
    ]
    assert rates == ([growth] if growth else [])


@pytest.mark.parametrize(
    ("question", "term", "is_denied"),
    [
        ("投资一家非新兴产业的企业", "新兴产业", True),
        ("不属于新兴产业、未来产业的企业", "未来产业", True),  # a later item of a denied list
        ("不属于新兴产业和未来产业", "未来产业", True),
        ("投资一家新兴产业企业", "新兴产业", False),
        ("不是钢铁企业，属于未来产业", "未来产业", False),  # the negation is in another clause
        ("投资一家企业", "新兴产业", False),  # not mentioned
    ],
)
def test_denied_terms(question: str, term: str, is_denied: bool) -> None:
    assert denied(normalize_query(question), term) is is_denied


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("尽职免责条件也满足，股权投资风险准备金能给补偿吗", "amount"),  # a condition stated
        ("申请孵化器补助需要满足什么条件", "lookup"),  # conditions asked for
        ("日照对首次认定的规上高企那笔补助，我们还能申请吗", "amount"),
    ],
)
def test_conditions_stated_are_no_conditions_asked(question: str, intent: str) -> None:
    asks = bool(re.search(r"补|钱|能申请|能给", question))
    assert build_frame(question, COVERED, asks).intent == intent


def test_a_year_may_lead_its_figure_by_a_longer_phrase() -> None:
    text = normalize_query("2025年用共享科学仪器设备花了300万，2026年花了180万")
    listed = [q for q in frame_quantities(text) if q.role == "per_year"]
    assert [q.values for q in listed] == [("3000000", "1800000")]


@pytest.mark.parametrize(
    ("question", "yuan", "step"),
    [
        ("签了一个400万元的横向项目，目前实际只付了一半", 2_000_000, "400万元的一半：按200万元计"),
        ("原计划科技投入300万，后来投入翻了一番", 6_000_000, "300万元翻了一番：按600万元计"),
        ("原计划科技投入200万，实际科技投入总额比原计划增长了150%", 5_000_000, "按500万元计"),
        ("科技投入300万，比上年增长了150%", 3_000_000, ""),  # no plan: the figure is as said
    ],
)
def test_a_figure_is_restated_as_paid_or_as_grown(question: str, yuan: int, step: str) -> None:
    text = normalize_query(question)
    restated = restate(text, _money(text), yearly=False)
    assert restated.quantity.value == yuan
    assert step in restated.step and (step or not restated.step)


def test_a_part_lost_is_read_as_a_fraction() -> None:
    from policyqa.answer.quantities import lost_part

    assert lost_part("最后只亏了一成") == Decimal("0.1")
    assert lost_part("亏了一半") == Decimal("0.5")
    assert lost_part("损失了30%") == Decimal("0.3")
    assert lost_part("全部亏损") is None


def test_region_parts_split_one_question_per_place() -> None:
    from policyqa.answer.frame import region_parts

    text = normalize_query("日照的专项最高支持多少？泰安的攻关项目最高支持多少？")
    regions = region_mentions(text, COVERED)
    assert region_parts(text, regions) == {
        "日照市": "日照的专项最高支持多少?",
        "泰安市": "泰安的攻关项目最高支持多少?",
    }
    one = normalize_query("日照的专项最高支持多少？还有别的吗？")
    assert region_parts(one, region_mentions(one, COVERED)) is None


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        # One sentence, cut at the comma a place follows; the topic before it goes to each part.
        (
            "重大攻关这块，日照的专项每项最高给多少，泰安攻关项目最高给多少？",
            {
                "日照市": "重大攻关这块,日照的专项每项最高给多少",
                "泰安市": "重大攻关这块,泰安攻关项目最高给多少?",
            },
        ),
        (
            "科技成果轉化的貸款貼息，泰安單個項目上限是多少？日照每家企業最高又是多少？",
            {
                "泰安市": "科技成果转化的贷款贴息,泰安单个项目上限是多少?",
                "日照市": "科技成果转化的贷款贴息,日照每家企业最高又是多少?",
            },
        ),
    ],
)
def test_region_parts_cut_at_a_place_and_carry_the_topic(
    question: str, parts: dict[str, str]
) -> None:
    from policyqa.answer.frame import region_parts

    text = normalize_query(question)
    assert region_parts(text, region_mentions(text, COVERED)) == parts


@pytest.mark.parametrize(
    "question",
    [
        "日照的孵化器补多少，泰安呢？",  # the second place asks nothing of its own: a follow-up
        "我们是日照的企业，泰安的孵化器补多少？",  # the first part asks nothing
    ],
)
def test_a_comma_before_a_place_that_asks_nothing_does_not_split(question: str) -> None:
    from policyqa.answer.frame import region_parts

    text = normalize_query(question)
    assert region_parts(text, region_mentions(text, COVERED)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有1个项目拿了国家科技一等奖，还有2个拿了二等奖", [("一等奖", 1), ("二等奖", 2)]),
        ("一个项目获得一等奖，另外三个项目获评二等奖", [("一等奖", 1), ("二等奖", 3)]),
        ("国家自然科学基金项目有2项，省自然科学基金4项", [("国家级", 2), ("省级", 4)]),
    ],
)
def test_counts_said_apart_from_their_grade(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(t.tier, t.count) for t in tiers_in(normalize_query(text))] == expected


def test_a_topic_left_for_later_is_set_aside() -> None:
    question = "厂房租金的事回头再说，泰安新认定的省级加速器能拿多少？"
    aside, rest = set_aside(normalize_query(question))
    assert aside == "厂房租金的事" and rest.startswith("泰安新认定的省级加速器")


def test_the_whole_province_names_the_one_provincial_region() -> None:
    covered = ["日照市", "泰安市", "山东省"]
    found = region_mentions("泰安和全省的目标分别是多少", covered)
    assert [(r.name, r.status) for r in found] == [("泰安市", "covered"), ("山东省", "covered")]
    assert region_mentions("全省的目标", ["日照市"]) == ()


def test_an_object_word_across_a_phrase_boundary_is_not_named() -> None:
    from policyqa.answer.frame import objects_in

    assert "上市" not in objects_in(normalize_query("在省补助基础上市里再补多少"))
    assert "上市" in objects_in(normalize_query("企业上市了市里奖励多少"))


def test_an_off_topic_part_holding_the_only_ask_is_not_set_aside() -> None:
    # The rest only sets the scene: the question is the off-topic part, answered as a whole.
    assert set_aside(normalize_query("博士来日照工作，购房补贴有多少？"))[0] == ""
    aside, rest = set_aside(normalize_query("日照共享仪器补多少，顺便问下公积金怎么提取"))
    assert "公积金" in aside and "共享仪器" in rest


def test_a_part_going_on_about_the_aside_belongs_to_it() -> None:
    aside, rest = set_aside(normalize_query("日照对人才有没有个人所得税返还？返还比例是多少？"))
    assert aside == "" and "个人所得税" in rest


def test_an_award_count_before_the_conferrer_name_counts_the_grade() -> None:
    text = normalize_query("拿了1项国家科技一等奖、2项国家科学技术奖二等奖，一共奖多少")
    assert [(t.tier, t.count) for t in tiers_in(text)] == [("一等奖", 1), ("二等奖", 2)]
