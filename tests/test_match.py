"""Questions → rule and inputs → amount; enterprise profiles → the rules that may apply."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from policyqa.answer.amounts import (
    NoRuleSelectedError,
    calculate_for_question,
    calculate_from_clauses,
)
from policyqa.answer.choice import select_rule
from policyqa.answer.reading import read_inputs, years_asked
from policyqa.rules.formulas import MissingInputError
from policyqa.rules.match import (
    GROUPS,
    match_profile,
    match_provisions,
    match_report,
    region_applies,
)
from policyqa.rules.profile import EnterpriseProfile, ProfileError, load_profile
from policyqa.rules.table import RuleBook, load_rules
from policyqa.settings import PROJECT_ROOT
from policyqa.text import normalize_query

BOOK: RuleBook = load_rules(PROJECT_ROOT / "corpus")
W = 10_000


def _clause(clause_id: str) -> list[Any]:
    return BOOK.for_clause(clause_id)


# --- reading questions -------------------------------------------------------------------------

READINGS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "rz-incubator-operating",
        "我们孵化器每年支付运营经费300万元，连续三年，能拿多少支持？",
        {"operating_cost_yuan": 300 * W, "operating_years": 3},
    ),
    ("rz-horizontal-project", "横向项目实际支付80万元", {"horizontal_project_paid_yuan": [80 * W]}),
    (
        "rz-horizontal-project",
        "横向项目最高能拿100万吗？我们付了49万",
        {"horizontal_project_paid_yuan": [49 * W]},
    ),
    (
        "rz-horizontal-project",
        "两个横向课题分别支付600万元和300万元",
        {"horizontal_project_paid_yuan": [600 * W, 300 * W]},
    ),
    (
        "rz-equity-loss-compensation",
        "首轮投资1000万元，投资失败损失了150万元，新材料企业",
        {
            "first_round_investment_yuan": 1000 * W,
            "investment_loss_yuan": 150 * W,
            "industry": "新材料",
        },
    ),
    (
        "rz-rd-high-growth",
        "省补助80万，今年研发费用1200万，去年550万",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1200 * W,
            "rd_investment_prev_yuan": 550 * W,
        },
    ),
    ("rz-incubation-cultivation", "我们是一家孵化器，今年培育了12家高企", {"cultivated_count": 12}),
    (
        "rz-loan-risk-compensation",
        "不良貸款本金損失1000萬元，省級補償比例40%",
        {"bad_loan_principal_loss_yuan": 1000 * W, "provincial_compensation_rate": Decimal("0.4")},
    ),
    ("rz-nsf-host", "主持国家自然科学基金项目能拿多少", {"level": "国家级"}),
    ("rz-nsf-host", "拿了国自然项目，日照给依托单位多少钱？", {"level": "国家级"}),
    ("rz-nsf-host", "拿了省自然项目", {"level": "省级"}),
    # A count between the cue and the amount ("日照一家…企业") does not hide the cue.
    (
        "rz-equity-loss-compensation",
        "投资机构首轮投资日照一家新兴产业企业500万元，投资失败损失300万元，符合尽职免责条件",
        {
            "first_round_investment_yuan": 500 * W,
            "investment_loss_yuan": 300 * W,
            "industry": "新兴产业",
        },
    ),
    (
        "rz-equity-loss-compensation",
        "我们首轮投资了日照一家新材料企业800万元，能拿多少投资损失补偿？",
        {"first_round_investment_yuan": 800 * W, "industry": "新材料"},
    ),
    # "一年花300万" is per year; the duration is the other number of years.
    (
        "rz-incubator-operating",
        "孵化器运营费一年花300万，连着三年，日照一共给多少钱？",
        {"operating_cost_yuan": 300 * W, "operating_years": 3},
    ),
    (
        "rz-incubator-operating",
        "日照市区共建孵化器一年实际支付运营经费300万元,能支持多少，连续三年呢?",
        {"operating_cost_yuan": 300 * W, "operating_years": 3},
    ),
    (
        "rz-incubator-operating",
        "孵化器一年实际支付运营经费300万元",
        {"operating_cost_yuan": 300 * W, "operating_years": 1},
    ),
    # A total over the years is read per year.
    (
        "rz-incubator-operating",
        "孵化器运营费三年一共花了300万",
        {"operating_cost_yuan": 100 * W, "operating_years": 3},
    ),
    ("rz-national-sci-award", "获得国家科学技术二等奖", {"award_grade": "二等奖"}),
    ("ta-incubator-recognition", "国家级、省级孵化器分别补多少", {}),
]


@pytest.mark.parametrize(("rule_id", "question", "inputs"), READINGS)
def test_read_inputs(rule_id: str, question: str, inputs: dict[str, Any]) -> None:
    assert read_inputs(question, BOOK.get(rule_id)).inputs == inputs


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("连续三年", [3]),
        ("连着三年", [3]),
        ("3年", [3]),
        ("连續兩年", [2]),
        ("孵化器运营费一年花300万，连着三年", [3]),
        ("一年服务总额400万元", [1]),
        ("支持一年和三年分别多少", [1, 3]),
        ("第一年300万，第二年200万", []),
        ("2025年支付300万元", []),
    ],
)
def test_years_asked(question: str, years: list[int]) -> None:
    assert years_asked(normalize_query(question)) == years


def test_read_inputs_reports_what_is_missing() -> None:
    reading = read_inputs(
        "投资机构首轮投资了500万元能补偿多少", BOOK.get("rz-equity-loss-compensation")
    )
    assert reading.inputs == {"first_round_investment_yuan": 500 * W}
    assert reading.prompts == ("请提供投资失败造成的实际损失金额",)


def test_two_amounts_for_one_input_are_not_guessed() -> None:
    reading = read_inputs("利息100万元，本金2000万元", BOOK.get("rz-loan-interest-subsidy"))
    assert reading.inputs == {"loan_interest_yuan": 100 * W}
    reading = read_inputs("一个是100万元，另一个200万元", BOOK.get("rz-loan-interest-subsidy"))
    assert reading.inputs == {}
    assert reading.notes == ("问题中有多个金额，无法确定哪一个是实际支付的贷款利息",)


SELECTIONS: list[tuple[str, str, str | None]] = [
    ("rizhao-rules-2025:1.2", "获得国家科学技术二等奖奖励多少", "rz-national-sci-award"),
    ("rizhao-rules-2025:1.2", "获得山东省科学技术奖，省奖金额20万元", "rz-provincial-sci-award"),
    ("rizhao-rules-2025:1.2", "获得科学技术奖能奖励多少", None),
    ("rizhao-rules-2025:3.5", "我们使用共享仪器花了100万元，创新券能补多少", "rz-voucher-user"),
    ("rizhao-rules-2025:3.5", "作为仪器供给方，服务总额300万元", "rz-voucher-provider"),
    ("rizhao-rules-2025:3.5", "创新券能补多少", None),
    (
        "rizhao-rules-2025:6.1.19",
        "揭榜挂帅项目科技投入150万元，属于生物医药",
        "rz-jiebang-emerging",
    ),
    ("rizhao-rules-2025:6.1.19", "揭榜挂帅项目科技投入300万元", "rz-jiebang-general"),
    ("rizhao-rules-2025:6.1.19", "钢铁企业揭榜挂帅项目科技投入300万元", "rz-jiebang-general"),
    ("rizhao-rules-2025:3.6", "研发投入今年1200万去年550万，翻倍了", "rz-rd-high-growth"),
    ("rizhao-rules-2025:3.6", "省里研发补助80万，市里配套多少", "rz-rd-matching"),
    ("taian-opinions-draft:3.6.17", "新认定的省级加速器补助多少", "ta-accelerator-recognition"),
    ("taian-opinions-draft:3.6.17", "新认定的国家级孵化器补助多少", "ta-incubator-recognition"),
    ("rizhao-rules-2025:5.14", "随便问问", "rz-horizontal-project"),
    # Words both sides of the 创新券 share (共享仪器) do not count; 供给方/服务总额 do.
    (
        "rizhao-rules-2025:3.5",
        "日照共享仪器供给方一年服务总额400万元，能补助多少？",
        "rz-voucher-provider",
    ),
    # No distinguishing word: the cue beside the amount (花了) decides.
    ("rizhao-rules-2025:3.5", "在日照用别家的共享仪器花了100万，能补多少钱？", "rz-voucher-user"),
    (
        "rizhao-rules-2025:1.2",
        "拿了个省科技奖，省里规定奖金20万，日照给多少？",
        "rz-provincial-sci-award",
    ),
    ("rizhao-rules-2025:6.1.19", "浆纸行业的揭榜挂帅项目科技投入180万元", "rz-jiebang-general"),
    ("rizhao-rules-2025:6.1.19", "新能源汽车企业揭榜挂帅项目投入150万元", "rz-jiebang-general"),
    ("rizhao-rules-2025:6.1.19", "氢能领域的揭榜挂帅项目科技投入600万元", "rz-jiebang-emerging"),
    (
        "taian-opinions-draft:3.6.17",
        "泰安国家级孵化器新认定下来，能拿多少钱？",
        "ta-incubator-recognition",
    ),
    # The thing named (加速器) outweighs the grade another rule lists (国家级 孵化器): the
    # 加速器 rule, which then pays no 国家级 one (`test_a_grant_the_clause_does_not_make_…`).
    (
        "taian-opinions-draft:3.6.17",
        "泰安对新认定的国家级加速器补助多少?",
        "ta-accelerator-recognition",
    ),
]


@pytest.mark.parametrize(("clause_id", "question", "rule_id"), SELECTIONS)
def test_select_rule(clause_id: str, question: str, rule_id: str | None) -> None:
    chosen = select_rule(question, _clause(clause_id))
    assert (chosen.id if chosen else None) == rule_id


def test_select_rule_with_no_candidates() -> None:
    assert select_rule("孵化器", []) is None


QUESTIONS: list[tuple[str, str, int]] = [
    ("rizhao-rules-2025:1.1", "孵化器每年实际支付运营经费300万元，连续三年，能拿多少？", 200 * W),
    ("rizhao-rules-2025:1.1", "孵化器运营经费300万能补多少", 90 * W),
    ("rizhao-rules-2025:5.14", "横向项目实际支付80万元，能支持多少", 16 * W),
    ("rizhao-rules-2025:5.14", "横向项目我们付了49万，能支持吗", 0),
    ("rizhao-rules-2025:5.14", "横向项目实际支付600万元", 100 * W),
    ("rizhao-rules-2025:4.9", "首轮投资1000万元，损失150万元，能补偿多少", 150 * W),
    ("rizhao-rules-2025:4.11", "科技成果转化贷款支付利息200万元，贴息多少", 50 * W),
    ("rizhao-rules-2025:6.1.19", "揭榜挂帅项目，新能源领域，科技投入150万元", 45 * W),
    ("rizhao-rules-2025:6.1.19", "揭榜挂帅项目科技投入150万元", 0),
    ("rizhao-rules-2025:6.1.21", "主持省自然科学基金项目给多少", 5 * W),
    ("rizhao-rules-2025:3.8", "孵化器今年新培育了3家高新技术企业", 15 * W),
    ("taian-opinions-draft:3.6.17", "新认定的省级孵化器补助多少", 50 * W),
    ("rizhao-rules-2025:6.1.17", "重大科技创新专项最多支持多少", 300 * W),
]


@pytest.mark.parametrize(("clause_id", "question", "amount"), QUESTIONS)
def test_calculate_for_question(clause_id: str, question: str, amount: int) -> None:
    calc = calculate_for_question(question, _clause(clause_id))
    assert calc.amount_yuan == amount
    assert calc.clause_id == clause_id


def test_a_missing_figure_is_asked_for() -> None:
    with pytest.raises(MissingInputError, match="^请提供每年实际支付的运营经费金额$"):
        calculate_for_question("孵化器运营经费能补多少", _clause("rizhao-rules-2025:1.1"))
    with pytest.raises(MissingInputError, match="国家级还是省级"):
        calculate_for_question("主持自然科学基金项目能拿多少", _clause("rizhao-rules-2025:6.1.21"))


def test_an_undecided_rule_lists_the_choices() -> None:
    with pytest.raises(NoRuleSelectedError, match="rz-voucher-user.*rz-voucher-provider"):
        calculate_for_question("创新券能补多少", _clause("rizhao-rules-2025:3.5"))


# --- profiles --------------------------------------------------------------------------------


def test_profile_accepts_chinese_amounts_and_rates() -> None:
    profile = EnterpriseProfile(
        region="日照市",
        subject_types=("金融机构",),
        bad_loan_principal_loss_yuan="1000万元",
        provincial_compensation_rate="40%",
        horizontal_project_paid_yuan=["80万", 500_000],
    )
    assert profile.bad_loan_principal_loss_yuan == 1000 * W
    assert profile.provincial_compensation_rate == Decimal("0.4")
    assert profile.horizontal_project_paid_yuan == (80 * W, 50 * W)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rd_investment_yuan", -5, "金额不能为负数"),
        ("loan_interest_yuan", 2 * 10**12, "超过1万亿元"),
        ("horizontal_project_paid_yuan", [80 * W, -1], "金额不能为负数"),
        ("loan_interest_yuan", "很多", "没有金额"),
        # A sign in front of Chinese text is not silently dropped.
        ("loan_interest_yuan", "-80万元", "金额不能为负数"),
        ("loan_interest_yuan", "负80万元", "金额不能为负数"),
        ("rd_investment_yuan", "NaN", "金额不是有效数值"),
        ("rd_investment_yuan", "Infinity", "金额不是有效数值"),
        ("rd_investment_yuan", float("nan"), "金额不是有效数值"),
        ("provincial_compensation_rate", "140%", "less than or equal to 1"),
        ("subject_types", ["外星企业"], "未知的主体类型"),
        ("cultivated_count", -1, "greater than or equal to 0"),
        ("unknown_field", 1, "Extra inputs are not permitted"),
    ],
)
def test_profile_validation(field: str, value: Any, message: str) -> None:
    data: dict[str, Any] = {"region": "日照市", "subject_types": ["企业"], field: value}
    with pytest.raises(ValidationError, match=message):
        EnterpriseProfile.model_validate(data)


def test_every_rule_input_is_accepted_as_a_profile_figure() -> None:
    # Figures are a mapping checked against the inputs the rules declare (issue 14).
    sample = {"money": "30万元", "count": 3, "years": 2, "rate": "40%"}
    for rule in BOOK.rules:
        for spec in rule.inputs:
            tiers = [t.name for t in rule.formula.tier_options()]
            value = tiers[0] if spec.kind == "tier" else sample[spec.kind]
            data = {"region": "日照市", "subject_types": ["企业"], spec.name: value}
            profile = EnterpriseProfile.for_rules(data, BOOK)
            assert spec.name in profile.figures, (rule.id, spec.name)


def test_load_profile(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(
        json.dumps({"region": "日照市", "subject_types": ["孵化器"]}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert load_profile(path).subject_types == ("孵化器",)
    with pytest.raises(ProfileError, match="找不到"):
        load_profile(tmp_path / "none.json")
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ProfileError, match="不是有效的 UTF-8 JSON"):
        load_profile(path)
    path.write_text('{"region": "日照市", "subject_types": ["企业"], "loan_interest_yuan": -1}')
    with pytest.raises(ProfileError, match="金额不能为负数"):
        load_profile(path)


@pytest.mark.parametrize(
    ("rule_region", "profile_region", "applies"),
    [
        ("日照市", "日照市", True),
        ("日照市", "日照市东港区", True),
        ("日照市", "泰安市", False),
        ("威海市文登区", "威海市文登区", True),
        ("威海市文登区", "威海市环翠区", False),
        ("山东省", "日照市", True),
        ("山东省", "江苏省南京市", False),
    ],
)
def test_region_applies(rule_region: str, profile_region: str, applies: bool) -> None:
    assert region_applies(rule_region, profile_region) is applies


def test_a_rizhao_tech_sme_without_figures_gets_nothing_counted() -> None:
    profile = EnterpriseProfile(region="日照市", subject_types=("科技型中小企业",))
    report = match_report(profile, BOOK)
    groups = {name: [r.rule_id for r in report.group(name)] for name in GROUPS}
    # Nothing is computed from figures the profile does not give.
    assert groups["obtainable"] == [] and report.combination == [] and report.total_yuan == 0
    # Rules meant for this kind of enterprise (科技型中小企业, and 中小微企业 it implies) ask for
    # their figures; the rest is open to any 企业 and the profile gives no evidence for it.
    assert groups["needs_input"] == ["rz-rd-high-growth", "rz-voucher-user", "rz-rd-matching"]
    assert "rz-national-sci-award" in groups["related"]
    assert "rz-new-variety" in groups["related"] and "rz-event-hosting" in groups["related"]
    assert len(report.results) == 17
    matching = next(r for r in report.results if r.rule_id == "rz-rd-matching")
    assert any("省企业研究开发财政补助" in m for m in matching.missing), matching.missing
    # Without a computed amount nothing supersedes anything under 就高不重复.
    assert all(r.superseded_by is None for r in report.results)
    assert all(any("不叠加" in n for n in r.notes) for r in report.results)


def test_computed_amounts_come_first_and_a_maximum_never_supersedes_them() -> None:
    profile = EnterpriseProfile(
        region="日照市",
        subject_types=("科技型中小企业", "高新技术企业"),
        horizontal_project_paid_yuan=["80万元"],
        provincial_rd_subsidy_yuan="30万元",
        shared_instrument_fee_yuan="50万元",
    )
    report = match_report(profile, BOOK)
    obtainable = report.group("obtainable")
    assert [(r.rule_id, r.amount_yuan) for r in obtainable] == [
        ("rz-rd-matching", 30 * W),
        ("rz-horizontal-project", 16 * W),
        ("rz-voucher-user", 10 * W),
    ]
    assert all(r.calculation is not None and r.calculation.steps for r in obtainable)
    assert report.results[: len(obtainable)] == obtainable
    # The 300万 maximum of 重大科技创新专项 is unproven: it supersedes nothing.
    major = next(r for r in report.results if r.rule_id == "rz-major-special-project")
    assert major.group == "related" and major.superseded_by is None and not major.counted
    assert obtainable[0].superseded_by is None
    assert {r.superseded_by for r in obtainable[1:]} == {"rz-rd-matching"}
    assert [r.rule_id for r in report.combination] == ["rz-rd-matching"]
    assert report.total_yuan == 30 * W
    growth = next(r for r in report.results if r.rule_id == "rz-rd-high-growth")
    assert growth.group == "needs_input" and len(growth.missing) == 2
    assert report.summary().startswith("可获得3项，最佳组合合计30万元；需补充1项")


@pytest.mark.parametrize(
    ("profile", "code", "words"),
    [
        (
            EnterpriseProfile(region="北京市", subject_types=("企业",)),
            "region_not_covered",
            ("北京市", "日照市", "泰安市"),
        ),
        (
            EnterpriseProfile(region="泰安市", subject_types=("投资机构",)),
            "subject_not_covered",
            ("投资机构", "孵化器"),
        ),
    ],
)
def test_an_empty_result_says_why(
    profile: EnterpriseProfile, code: str, words: tuple[str, ...]
) -> None:
    report = match_report(profile, BOOK)
    assert report.empty_reason is not None and report.empty_reason.code == code
    assert all(w in report.empty_reason.message for w in words)
    assert report.summary() == report.empty_reason.message


def test_a_profile_with_something_to_get_has_no_empty_reason() -> None:
    profile = EnterpriseProfile(region="日照市", subject_types=("科技型中小企业",))
    assert match_report(profile, BOOK).empty_reason is None


def test_figures_are_computed_and_the_highest_kept() -> None:
    profile = EnterpriseProfile(
        region="日照市莒县",
        subject_types=("孵化器",),
        operating_cost_yuan="300万元",
        operating_years=3,
        cultivated_count=4,
    )
    results = match_profile(profile, BOOK)
    assert [(r.rule_id, r.amount_yuan, r.basis) for r in results] == [
        ("rz-incubator-operating", 200 * W, "computed"),
        ("rz-incubation-cultivation", 20 * W, "computed"),
        ("rz-platform-new", 100 * W, "maximum"),
        ("rz-event-hosting", 50 * W, "maximum"),
    ]
    assert results[0].calculation is not None
    assert results[0].calculation.steps[-1] == "累计最高200万元 → 200万元"
    # Computed grants are compared; the maxima of the others are not proven and supersede
    # nothing, nor are they superseded.
    assert [r.group for r in results] == ["obtainable", "obtainable", "needs_input", "needs_input"]
    assert [r.superseded_by for r in results] == [None, "rz-incubator-operating", None, None]
    provisions = [p.title for p in match_provisions(profile, BOOK)]
    assert provisions == ["飞地孵化器“一事一议”支持"]


def test_a_known_figure_below_a_threshold_rules_a_rule_out() -> None:
    profile = EnterpriseProfile(
        region="日照市",
        subject_types=("科技型中小企业",),
        horizontal_project_paid_yuan=[49 * W],
        rd_investment_yuan=1100 * W,
        rd_investment_prev_yuan=500 * W,
    )
    results = {r.rule_id: r for r in match_profile(profile, BOOK)}
    horizontal = results["rz-horizontal-project"]
    assert not horizontal.qualifies and horizontal.amount_yuan == 0
    assert horizontal.reason is not None and "低于50万元" in horizontal.reason
    growth = results["rz-rd-high-growth"]
    assert not growth.qualifies and growth.reason is not None and "未超过500万元" in growth.reason
    ordered = list(results)
    assert ordered[-2:] == ["rz-horizontal-project", "rz-rd-high-growth"]


def test_industry_outside_the_categories_is_not_counted() -> None:
    profile = EnterpriseProfile(
        region="日照市",
        subject_types=("投资机构",),
        industry="钢铁",
        first_round_investment_yuan="1000万",
        investment_loss_yuan="300万",
    )
    (result,) = match_profile(profile, BOOK)
    assert result.rule_id == "rz-equity-loss-compensation"
    assert not result.qualifies and result.amount_yuan == 0
    assert result.reason is not None and "钢铁" in result.reason


def test_a_taian_profile_sees_the_draft_note_and_no_rizhao_rule() -> None:
    profile = EnterpriseProfile(region="泰安市", subject_types=("孵化器",), level="省级")
    (result,) = match_profile(profile, BOOK)
    assert (result.rule_id, result.amount_yuan, result.basis) == (
        "ta-incubator-recognition",
        50 * W,
        "computed",
    )
    assert result.notes[0] == "所在文件为征求意见稿，尚未正式施行，条款可能调整"
    assert result.superseded_by is None


def test_report_lines_and_dict() -> None:
    profile = EnterpriseProfile(region="泰安市", subject_types=("企业",))
    report = match_report(profile, BOOK)
    assert report.lines()[:2] == [
        "可获得0项；需补充0项；其他可能相关2项（未计入）。",
        "【其他可能相关】",
    ]
    assert report.lines()[2] == (
        "1. 重大科技攻关项目市级财政资金支持：单个项目市级财政资金支持不超过 500万元"
        "  [taian-opinions-draft:3.3.7]"
    )
    as_dict = report.results[0].to_dict()
    assert as_dict["amount_yuan"] == 5_000_000
    assert as_dict["clause_id"] == "taian-opinions-draft:3.3.7"
    json.dumps(as_dict, ensure_ascii=False)


# (ranked clauses, question, clause used, amount in yuan): what the engine asks the calculator.
FROM_CLAUSES: list[tuple[list[str], str, str, int]] = [
    (
        ["rizhao-rules-2025:3.5"],
        "日照共享仪器供给方一年服务总额400万元，能补助多少？",
        "rizhao-rules-2025:3.5",
        50 * W,
    ),
    (
        ["rizhao-rules-2025:3.5"],
        "在日照用别家的共享仪器花了100万，能补多少钱？",
        "rizhao-rules-2025:3.5",
        20 * W,
    ),
    (
        ["rizhao-rules-2025:4.9"],
        "投资机构首轮投资日照一家新兴产业企业500万元，投资失败损失300万元，符合尽职免责条件，"
        "能补偿多少？",
        "rizhao-rules-2025:4.9",
        100 * W,
    ),
    (
        ["rizhao-rules-2025:4.9"],
        "首轮投资日照一家未来产业企业2000万元，投资失败损失1500万元，能补偿多少？",
        "rizhao-rules-2025:4.9",
        200 * W,
    ),
    (
        ["rizhao-rules-2025:6.1.19"],
        "日照一个浆纸行业的揭榜挂帅项目科技投入180万元，能获得资金支持吗？",
        "rizhao-rules-2025:6.1.19",
        0,
    ),
    (
        ["rizhao-rules-2025:6.1.19"],
        "日照生物医药领域揭榜挂帅项目科技投入90万元，能获得资金支持吗？",
        "rizhao-rules-2025:6.1.19",
        0,
    ),
    (
        ["rizhao-rules-2025:6.1.19"],
        "日照氢能领域的揭榜挂帅项目科技投入600万元，能支持多少？",
        "rizhao-rules-2025:6.1.19",
        180 * W,
    ),
    (
        ["rizhao-rules-2025:6.1.21"],
        "拿了国自然项目，日照给依托单位多少钱？",
        "rizhao-rules-2025:6.1.21",
        10 * W,
    ),
    (
        ["rizhao-rules-2025:1.1"],
        "孵化器运营费一年花300万，连着三年，日照一共给多少钱？",
        "rizhao-rules-2025:1.1",
        200 * W,
    ),
    (
        ["rizhao-rules-2025:1.1"],
        "孵化器运营费一年花300万,日照给多少，连续三年呢?",
        "rizhao-rules-2025:1.1",
        200 * W,
    ),
    (
        ["rizhao-rules-2025:1.1"],
        "日照市区共建孵化器一年实际支付运营经费300万元,能支持多少，连续三年呢?",
        "rizhao-rules-2025:1.1",
        200 * W,
    ),
    (
        ["rizhao-rules-2025:1.1"],
        "孵化器运营费一年花300万，日照给多少？",
        "rizhao-rules-2025:1.1",
        90 * W,
    ),
    (["rizhao-rules-2025:1.1"], "孵化器运营费三年一共花了300万", "rizhao-rules-2025:1.1", 90 * W),
    (
        ["rizhao-rules-2025:1.2"],
        "拿了个省科技奖，省里规定奖金20万，日照给多少？",
        "rizhao-rules-2025:1.2",
        10 * W,
    ),
    (
        ["taian-opinions-draft:3.6.17"],
        "泰安对新认定的国家级孵化器补助多少?",
        "taian-opinions-draft:3.6.17",
        100 * W,
    ),
    (
        ["rizhao-rules-2025:6.2.23"],
        "新获批的山东省技术创新中心能给多少",
        "rizhao-rules-2025:6.2.23",
        200 * W,
    ),
    # The top clause cannot tell its rules apart and a lower one's rule is named: use that one.
    (
        ["rizhao-rules-2025:5.15", "rizhao-rules-2025:1.2"],
        "拿了个省科技奖，省里规定奖金20万，日照给多少？",
        "rizhao-rules-2025:1.2",
        10 * W,
    ),
    (
        ["rizhao-action-2025:3.3.5", "rizhao-rules-2025:6.1.19"],
        "日照集成电路领域的揭榜挂帅项目科技投入150万元，能支持多少？",
        "rizhao-rules-2025:6.1.19",
        45 * W,
    ),
    # The top clause decides when it can, even if a lower one would fit too.
    (
        ["rizhao-rules-2025:5.14", "rizhao-rules-2025:1.1"],
        "横向项目实际支付80万元，能支持多少",
        "rizhao-rules-2025:5.14",
        16 * W,
    ),
]


@pytest.mark.parametrize(("ranked", "question", "clause_id", "amount"), FROM_CLAUSES)
def test_amounts_from_ranked_clauses(
    ranked: list[str], question: str, clause_id: str, amount: int
) -> None:
    answer = calculate_from_clauses(question, ranked, BOOK)
    assert answer is not None and answer.calculation is not None, answer
    assert answer.clause_id == clause_id == answer.calculation.clause_id
    assert answer.calculation.amount_yuan == amount
    assert answer.calculation.to_contract()["amount_yuan"] == amount


@pytest.mark.parametrize(
    ("question", "steps"),
    [
        (
            "日照一个浆纸行业的揭榜挂帅项目科技投入180万元，能获得资金支持吗？",
            (
                "“浆纸”属于传统产业，不属于新兴产业、未来产业领域，按一般项目的条件计算",
                "180万元低于200万元，不符合“单个项目科技投入总额不低于200万元”的条件，不予支持",
            ),
        ),
        (
            "日照生物医药领域揭榜挂帅项目科技投入90万元，能获得资金支持吗？",
            (
                "“生物医药”属于新兴产业领域",
                "90万元低于100万元，不符合“新兴产业、未来产业领域项目科技投入总额不低于100万元”"
                "的条件，不予支持",
            ),
        ),
        (
            "揭榜挂帅项目科技投入150万元",
            (
                "未说明属于新兴产业、未来产业领域，按一般项目的条件计算（新兴产业、未来产业领域另有规定）",
                "150万元低于200万元，不符合“单个项目科技投入总额不低于200万元”的条件，不予支持",
            ),
        ),
        (
            "孵化器运营费一年花300万，连着三年，日照一共给多少钱？",
            ("300万元 × 30% = 90万元/年", "× 3年 = 270万元", "累计最高200万元 → 200万元"),
        ),
        (
            "孵化器运营费三年一共花了300万",
            ("300万元为3年合计，每年按100万元计", "100万元 × 30% = 30万元/年", "× 3年 = 90万元"),
        ),
    ],
)
def test_steps_say_why(question: str, steps: tuple[str, ...]) -> None:
    clause = "rizhao-rules-2025:6.1.19" if "揭榜" in question else "rizhao-rules-2025:1.1"
    answer = calculate_from_clauses(question, [clause], BOOK)
    assert answer is not None and answer.calculation is not None
    assert answer.calculation.steps == steps
    if answer.calculation.amount_yuan == 0:
        assert answer.calculation.reason == steps[-1]
        assert answer.summary.startswith("按“")


@pytest.mark.parametrize(
    ("ranked", "question"),
    [
        # Support without an amount (一事一议) is answered from the clause, never computed.
        (["rizhao-rules-2025:1.1"], "飞地孵化器能支持多少钱"),
        (["rizhao-rules-2025:6.2.23"], "新筹建的全国重点实验室能给多少钱"),
        (["rizhao-rules-2025:6.2.23"], "日照對新籌建的國家技術創新中心支持多少？"),
        # One shared word (新兴产业) is not enough to leave the top clause for a lower one.
        (
            ["rizhao-action-2025:3.2.3", "rizhao-rules-2025:6.1.19"],
            "日照新招引项目中战略性新兴产业项目占比要求不低于多少？",
        ),
        ([], "横向项目实际支付80万元"),
    ],
)
def test_no_amount_is_computed(ranked: list[str], question: str) -> None:
    assert calculate_from_clauses(question, ranked, BOOK) is None


def test_a_grant_the_clause_does_not_make_is_not_guessed() -> None:
    # No rule pays a 国家级加速器: the 加速器 rule is for 省级 ones, so the grade is unfunded
    # (the answer abstains on it) and no amount but the rule's 0 is computed.
    answer = calculate_from_clauses(
        "泰安对新认定的国家级加速器补助多少?", ["taian-opinions-draft:3.6.17"], BOOK
    )
    assert answer is not None and answer.unfunded == "国家级加速器"
    assert answer.calculation is not None and answer.calculation.amount_yuan == 0


def test_calculate_from_ranked_clauses() -> None:
    ranked = ["rizhao-rules-2025:p2", "rizhao-rules-2025:5.14", "rizhao-rules-2025:1.1"]
    answer = calculate_from_clauses("横向项目实际支付80万元，能支持多少", ranked, BOOK)
    assert answer is not None and answer.calculation is not None
    assert answer.clause_id == "rizhao-rules-2025:5.14"
    assert answer.calculation.to_contract()["amount_yuan"] == 160_000
    assert answer.summary == "按“企业产学研横向项目经费支持”的规定计算，可获16万元。"


def test_calculate_from_clauses_asks_instead_of_guessing() -> None:
    missing = calculate_from_clauses("孵化器运营经费能补多少", ["rizhao-rules-2025:1.1"], BOOK)
    assert missing is not None and missing.calculation is None
    assert missing.missing == ("请提供每年实际支付的运营经费金额",)
    unsure = calculate_from_clauses("创新券能补多少", ["rizhao-rules-2025:3.5"], BOOK)
    assert unsure is not None and unsure.rule is None
    assert unsure.missing[0].startswith("请说明具体是哪一项")
    below = calculate_from_clauses("横向项目付了49万", ["rizhao-rules-2025:5.14"], BOOK)
    assert below is not None and below.calculation is not None
    assert below.calculation.amount_yuan == 0
    assert below.summary.startswith(
        "按“企业产学研横向项目经费支持”的规定，不符合条件：49万元低于50万元"
    )
    assert calculate_from_clauses("什么是新质生产力", ["rizhao-rules-2025:p1"], BOOK) is None
