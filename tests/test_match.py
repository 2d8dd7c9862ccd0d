"""Questions → rule and inputs → amount; enterprise profiles → the rules that may apply."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from policyqa.calc import MissingInputError
from policyqa.match import (
    EnterpriseProfile,
    NoRuleSelectedError,
    ProfileError,
    calculate_for_question,
    calculate_from_clauses,
    load_profile,
    match_profile,
    match_provisions,
    match_report,
    read_inputs,
    region_applies,
    select_rule,
)
from policyqa.rules import RuleBook, load_rules
from policyqa.settings import PROJECT_ROOT

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
    ("rz-national-sci-award", "获得国家科学技术二等奖", {"award_grade": "二等奖"}),
    ("ta-incubator-recognition", "国家级、省级孵化器分别补多少", {}),
]


@pytest.mark.parametrize(("rule_id", "question", "inputs"), READINGS)
def test_read_inputs(rule_id: str, question: str, inputs: dict[str, Any]) -> None:
    assert read_inputs(question, BOOK.get(rule_id)).inputs == inputs


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


def test_every_rule_input_is_a_profile_field() -> None:
    fields = set(EnterpriseProfile.model_fields)
    for rule in BOOK.rules:
        for spec in rule.inputs:
            assert spec.name in fields, (rule.id, spec.name)


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


def test_a_rizhao_tech_sme_sees_every_rule_open_to_it_in_amount_order() -> None:
    profile = EnterpriseProfile(region="日照市", subject_types=("科技型中小企业",))
    results = match_profile(profile, BOOK)
    assert [r.rule_id for r in results] == [
        "rz-major-special-project",
        "rz-horizontal-project",
        "rz-jiebang-emerging",
        "rz-jiebang-general",
        "rz-national-sci-award",
        "rz-provincial-lab",
        "rz-event-hosting",
        "rz-key-rd-project",
        "rz-loan-interest-subsidy",
        "rz-rd-high-growth",
        "rz-voucher-provider",
        "rz-voucher-user",
        "rz-contest-award",
        "rz-new-variety",
        "rz-nsf-host",
        "rz-provincial-sci-award",
        "rz-rd-matching",
    ]
    amounts = [r.amount_yuan for r in results if r.amount_yuan is not None]
    assert amounts == sorted(amounts, reverse=True)
    assert all(r.rule.region == "日照市" for r in results)
    # 就高、不重复: one grant of the document is kept, the others name it; grants of unknown
    # amount cannot be ranked and say that they are not combined either.
    assert [r.rule_id for r in results if r.counted] == [
        "rz-major-special-project",
        "rz-provincial-sci-award",
        "rz-rd-matching",
    ]
    assert "不叠加" in results[-1].notes[-1]
    assert results[1].superseded_by == "rz-major-special-project"
    assert any("就高、不重复" in note for note in results[0].notes)
    assert results[-1].amount_yuan is None and results[-1].basis == "unknown"


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
        ("rz-platform-new", 100 * W, "maximum"),
        ("rz-event-hosting", 50 * W, "maximum"),
        ("rz-incubation-cultivation", 20 * W, "computed"),
    ]
    assert results[0].calculation is not None
    assert results[0].calculation.steps[-1] == "累计最高200万元 → 200万元"
    assert {r.superseded_by for r in results[1:]} == {"rz-incubator-operating"}
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
    assert report.lines()[0] == (
        "1. 重大科技攻关项目市级财政资金支持：单个项目市级财政资金支持不超过 500万元"
        "  [taian-opinions-draft:3.3.7]"
    )
    as_dict = report.results[0].to_dict()
    assert as_dict["amount_yuan"] == 5_000_000
    assert as_dict["clause_id"] == "taian-opinions-draft:3.3.7"
    json.dumps(as_dict, ensure_ascii=False)


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
