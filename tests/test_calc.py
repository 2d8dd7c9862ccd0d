"""Calculators: exact amounts for every rule (caps, thresholds, years, lesser-of) and properties."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyqa.rules.calc import compute, maximum_amount
from policyqa.rules.formulas import (
    InvalidInputError,
    MissingInputError,
    lesser_of,
    matched_ratio,
    per_unit,
    rate_of_base,
    split_by_ratio,
)
from policyqa.rules.model import (
    LesserOfFormula,
    MatchedFormula,
    PerUnitFormula,
    RateFormula,
    Rule,
    SplitFormula,
)
from policyqa.rules.table import RuleBook, load_rules
from policyqa.settings import PROJECT_ROOT

BOOK: RuleBook = load_rules(PROJECT_ROOT / "corpus")
W = 10_000  # one 万元 in yuan

# (rule id, inputs, expected yuan, qualifies). Every rule has rows; each cap, each threshold
# (just below → 0, at → qualifies), the multi-year cap and the lesser-of case are covered.
CASES: list[tuple[str, dict[str, Any], int | Decimal, bool]] = [
    # 1.1 30% of operating cost, three years, 200万 in total
    (
        "rz-incubator-operating",
        {"operating_cost_yuan": 300 * W, "operating_years": 3},
        200 * W,
        True,
    ),
    ("rz-incubator-operating", {"operating_cost_yuan": 300 * W}, 90 * W, True),
    (
        "rz-incubator-operating",
        {"operating_cost_yuan": 200 * W, "operating_years": 3},
        180 * W,
        True,
    ),
    (
        "rz-incubator-operating",
        {"operating_cost_yuan": "300万元", "operating_years": 5},
        200 * W,
        True,
    ),
    (
        "rz-incubator-operating",
        {"operating_cost_yuan": 100 * W, "operating_years": 5},
        90 * W,
        True,
    ),
    ("rz-incubator-operating", {"operating_cost_yuan": 0}, 0, True),
    # 1.2 national award 200万 / 100万; provincial award 50% of the provincial amount
    ("rz-national-sci-award", {"award_grade": "一等奖"}, 200 * W, True),
    ("rz-national-sci-award", {"award_grade": "二等"}, 100 * W, True),
    ("rz-provincial-sci-award", {"provincial_award_yuan": 20 * W}, 10 * W, True),
    # 3.4 up to 10万
    ("rz-hitech-above-scale", {}, 10 * W, True),
    # 3.5 innovation voucher, 20%, 50万 a year, user and provider side
    ("rz-voucher-user", {"shared_instrument_fee_yuan": 100 * W}, 20 * W, True),
    ("rz-voucher-user", {"shared_instrument_fee_yuan": 250 * W}, 50 * W, True),
    ("rz-voucher-user", {"shared_instrument_fee_yuan": 300 * W}, 50 * W, True),
    ("rz-voucher-provider", {"service_total_yuan": 100 * W}, 20 * W, True),
    ("rz-voucher-provider", {"service_total_yuan": 300 * W}, 50 * W, True),
    # 3.6 1:1 matching; the high-growth case capped at 50万 with strict thresholds (超过)
    ("rz-rd-matching", {"provincial_rd_subsidy_yuan": 80 * W}, 80 * W, True),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1200 * W,
            "rd_investment_prev_yuan": 550 * W,
        },
        50 * W,
        True,
    ),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 30 * W,
            "rd_investment_yuan": 1200 * W,
            "rd_investment_prev_yuan": 550 * W,
        },
        30 * W,
        True,
    ),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1100 * W,
            "rd_investment_prev_yuan": 500 * W,
        },
        0,
        False,
    ),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1100 * W,
            "rd_investment_prev_yuan": 500 * W + 1,
        },
        50 * W,
        True,
    ),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1200 * W,
            "rd_investment_prev_yuan": 600 * W,
        },
        0,
        False,
    ),
    (
        "rz-rd-high-growth",
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1200 * W + 1,
            "rd_investment_prev_yuan": 600 * W,
        },
        50 * W,
        True,
    ),
    # 3.8 5万 per enterprise cultivated, 50万 a year
    ("rz-incubation-cultivation", {"cultivated_count": 3}, 15 * W, True),
    ("rz-incubation-cultivation", {"cultivated_count": 10}, 50 * W, True),
    ("rz-incubation-cultivation", {"cultivated_count": 12}, 50 * W, True),
    ("rz-incubation-cultivation", {"cultivated_count": 0}, 0, False),
    # 4.9 20% of the first-round investment, not above the loss, 200万 a project
    (
        "rz-equity-loss-compensation",
        {"first_round_investment_yuan": 1000 * W, "investment_loss_yuan": 150 * W},
        150 * W,
        True,
    ),
    (
        "rz-equity-loss-compensation",
        {"first_round_investment_yuan": 500 * W, "investment_loss_yuan": 300 * W},
        100 * W,
        True,
    ),
    (
        "rz-equity-loss-compensation",
        {"first_round_investment_yuan": 1000 * W, "investment_loss_yuan": 800 * W},
        200 * W,
        True,
    ),
    (
        "rz-equity-loss-compensation",
        {"first_round_investment_yuan": 2000 * W, "investment_loss_yuan": 1000 * W},
        200 * W,
        True,
    ),
    (
        "rz-equity-loss-compensation",
        {"first_round_investment_yuan": 1000 * W, "investment_loss_yuan": 0},
        0,
        False,
    ),
    (
        "rz-equity-loss-compensation",
        {
            "first_round_investment_yuan": 1000 * W,
            "investment_loss_yuan": 150 * W,
            "industry": "低空经济",
        },
        150 * W,
        True,
    ),
    (
        "rz-equity-loss-compensation",
        {
            "first_round_investment_yuan": 1000 * W,
            "investment_loss_yuan": 150 * W,
            "industry": "钢铁",
        },
        0,
        False,
    ),
    # 4.11 risk compensation: the provincial rate, balance ≤ 2000万, shared 5:2
    (
        "rz-loan-risk-compensation",
        {"bad_loan_principal_loss_yuan": 700 * W, "provincial_compensation_rate": "50%"},
        350 * W,
        True,
    ),
    (
        "rz-loan-risk-compensation",
        {"bad_loan_principal_loss_yuan": 3000 * W, "provincial_compensation_rate": "40%"},
        800 * W,
        True,
    ),
    # 4.11 interest subsidy 40%, 50万 per enterprise
    ("rz-loan-interest-subsidy", {"loan_interest_yuan": 100 * W}, 40 * W, True),
    ("rz-loan-interest-subsidy", {"loan_interest_yuan": 125 * W}, 50 * W, True),
    ("rz-loan-interest-subsidy", {"loan_interest_yuan": 200 * W}, 50 * W, True),
    # 4.12 relending 60% of the principal
    ("rz-relending", {"loan_principal_yuan": 1000 * W}, 600 * W, True),
    # 5.14 horizontal projects: from 50万, 20%, 100万 a project, 200万 an enterprise
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 80 * W}, 16 * W, True),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 49 * W}, 0, False),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 50 * W - 1}, 0, False),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 50 * W}, 10 * W, True),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 500 * W}, 100 * W, True),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": 600 * W}, 100 * W, True),
    (
        "rz-horizontal-project",
        {"horizontal_project_paid_yuan": [600 * W, 300 * W]},
        160 * W,
        True,
    ),
    (
        "rz-horizontal-project",
        {"horizontal_project_paid_yuan": [600 * W, 800 * W, 300 * W]},
        200 * W,
        True,
    ),
    ("rz-horizontal-project", {"horizontal_project_paid_yuan": [49 * W, 80 * W]}, 16 * W, True),
    # 5.15, 5.16, 6.1.17, 6.1.18, 6.1.20, 6.2.23, 6.2.24 stated maxima
    ("rz-event-hosting", {}, 50 * W, True),
    ("rz-contest-award", {}, 20 * W, True),
    ("rz-platform-new", {}, 100 * W, True),
    ("rz-tech-transfer-performance", {}, 10 * W, True),
    ("rz-major-special-project", {}, 300 * W, True),
    ("rz-key-rd-project", {}, 50 * W, True),
    ("rz-new-variety", {}, 20 * W, True),
    ("rz-provincial-lab", {}, 200 * W, True),
    ("rz-platform-performance", {}, 50 * W, True),
    # 6.1.19 揭榜挂帅: from 200万 at ≤20%; 新兴/未来产业 from 100万 at ≤30%; 200万 a project
    ("rz-jiebang-general", {"project_sci_tech_investment_yuan": 200 * W - 1}, 0, False),
    ("rz-jiebang-general", {"project_sci_tech_investment_yuan": 200 * W}, 40 * W, True),
    ("rz-jiebang-general", {"project_sci_tech_investment_yuan": 1000 * W}, 200 * W, True),
    ("rz-jiebang-general", {"project_sci_tech_investment_yuan": 2000 * W}, 200 * W, True),
    ("rz-jiebang-emerging", {"project_sci_tech_investment_yuan": 99 * W}, 0, False),
    ("rz-jiebang-emerging", {"project_sci_tech_investment_yuan": 100 * W}, 30 * W, True),
    (
        "rz-jiebang-emerging",
        {"project_sci_tech_investment_yuan": 150 * W, "industry": "新材料"},
        45 * W,
        True,
    ),
    ("rz-jiebang-emerging", {"project_sci_tech_investment_yuan": 1000 * W}, 200 * W, True),
    (
        "rz-jiebang-emerging",
        {"project_sci_tech_investment_yuan": 150 * W, "industry": "钢铁"},
        0,
        False,
    ),
    # 新能源汽车 is 传统产业 even though 新能源 is a 未来产业 term: the whole term counts.
    (
        "rz-jiebang-emerging",
        {"project_sci_tech_investment_yuan": 150 * W, "industry": "新能源汽车"},
        0,
        False,
    ),
    (
        "rz-equity-loss-compensation",
        {
            "first_round_investment_yuan": 500 * W,
            "investment_loss_yuan": 300 * W,
            "industry": "新能源汽车",
        },
        0,
        False,
    ),
    # 6.1.21 natural science foundation 10万 / 5万
    ("rz-nsf-host", {"level": "国家级"}, 10 * W, True),
    ("rz-nsf-host", {"level": "省级"}, 5 * W, True),
    ("rz-nsf-host", {"level": "国家自然科学基金"}, 10 * W, True),
    # Tai'an (draft)
    ("ta-incubator-recognition", {"level": "国家级"}, 100 * W, True),
    ("ta-incubator-recognition", {"level": "省级"}, 50 * W, True),
    ("ta-accelerator-recognition", {}, 30 * W, True),
    ("ta-major-tech-project", {}, 500 * W, True),
    ("ta-transfer-loan-interest", {}, 300 * W, True),
]


@pytest.mark.parametrize(("rule_id", "inputs", "expected", "qualifies"), CASES)
def test_amounts(rule_id: str, inputs: dict[str, Any], expected: int, qualifies: bool) -> None:
    calc = compute(BOOK.get(rule_id), inputs)
    assert calc.amount_yuan == expected
    assert calc.qualifies is qualifies
    assert calc.clause_id == BOOK.get(rule_id).clause_id
    if not qualifies:
        assert calc.reason and calc.reason in "；".join(calc.steps)


def test_every_rule_has_a_table_row() -> None:
    assert {rule.id for rule in BOOK.rules} == {case[0] for case in CASES}


def test_steps_of_the_cumulative_cap() -> None:
    calc = compute(
        BOOK.get("rz-incubator-operating"),
        {"operating_cost_yuan": 300 * W, "operating_years": 3},
    )
    assert calc.steps == (
        "300万元 × 30% = 90万元/年",
        "× 3年 = 270万元",
        "累计最高200万元 → 200万元",
    )
    assert calc.to_contract() == {
        "rule_id": "rz-incubator-operating",
        "clause_id": "rizhao-rules-2025:1.1",
        "inputs": {"operating_cost_yuan": 3_000_000, "operating_years": 3},
        "amount_yuan": 2_000_000,
        "steps": list(calc.steps),
    }


def test_a_defaulted_year_is_said() -> None:
    calc = compute(BOOK.get("rz-incubator-operating"), {"operating_cost_yuan": 300 * W})
    assert calc.steps[0] == "未说明支持年数，按1年计算"


def test_threshold_reason_says_below_and_the_condition() -> None:
    calc = compute(BOOK.get("rz-horizontal-project"), {"horizontal_project_paid_yuan": 49 * W})
    assert calc.reason == "49万元低于50万元，不符合“实际支付金额50万元以上”的条件，不予支持"
    strict = compute(
        BOOK.get("rz-rd-high-growth"),
        {
            "provincial_rd_subsidy_yuan": 80 * W,
            "rd_investment_yuan": 1100 * W,
            "rd_investment_prev_yuan": 500 * W,
        },
    )
    assert strict.reason is not None and strict.reason.startswith("500万元未超过500万元")


@pytest.mark.parametrize(
    ("industry", "reason"),
    [
        ("新能源汽车", "“新能源汽车”属于传统产业，不属于新兴产业、未来产业领域，不予按本条计算"),
        ("浆纸", "“浆纸”属于传统产业，不属于新兴产业、未来产业领域，不予按本条计算"),
        (
            "餐饮",
            "未能确认“餐饮”属于新兴产业、未来产业领域（以日照市所列产业为准），不予按本条计算",
        ),
    ],
)
def test_an_industry_outside_the_categories_says_which_it_is(industry: str, reason: str) -> None:
    rule = BOOK.get("rz-jiebang-emerging")
    calc = compute(rule, {"project_sci_tech_investment_yuan": 150 * W, "industry": industry})
    assert (calc.amount_yuan, calc.reason, calc.steps) == (0, reason, (reason,))


def test_per_item_and_per_enterprise_caps_are_shown() -> None:
    calc = compute(
        BOOK.get("rz-horizontal-project"),
        {"horizontal_project_paid_yuan": [600 * W, 800 * W, 300 * W]},
    )
    assert calc.steps == (
        "项目1：600万元 × 20% = 120万元；每个项目最高支持100万元 → 100万元",
        "项目2：800万元 × 20% = 160万元；每个项目最高支持100万元 → 100万元",
        "项目3：300万元 × 20% = 60万元",
        "合计 100万元 + 100万元 + 60万元 = 260万元",
        "每家企业最高支持200万元 → 200万元",
    )


def test_lesser_of_names_the_loss() -> None:
    calc = compute(
        BOOK.get("rz-equity-loss-compensation"),
        {"first_round_investment_yuan": 1000 * W, "investment_loss_yuan": 150 * W},
    )
    assert "补偿额度不高于投资损失（150万元）→ 150万元" in calc.steps
    assert calc.upper_bound


def test_split_shares_add_up_to_the_fen() -> None:
    calc = compute(
        BOOK.get("rz-loan-risk-compensation"),
        {"bad_loan_principal_loss_yuan": 1000 * W, "provincial_compensation_rate": Decimal("0.4")},
    )
    assert calc.amount_yuan == 400 * W
    assert calc.shares == {"市级": Decimal("2857142.86"), "区县(功能区)": Decimal("1142857.14")}
    capped = compute(
        BOOK.get("rz-loan-risk-compensation"),
        {"bad_loan_principal_loss_yuan": 3000 * W, "provincial_compensation_rate": "40%"},
    )
    assert capped.steps[0] == "单户企业纳入风险补偿备案的贷款余额不超过2000万元，按2000万元计"


@pytest.mark.parametrize(
    ("rule_id", "inputs", "message"),
    [
        ("rz-incubator-operating", {}, "请提供每年实际支付的运营经费金额"),
        (
            "rz-provincial-sci-award",
            {},
            "请提供山东省科学技术奖励办法规定的该奖项奖励额度(省奖金额)",
        ),
        ("rz-national-sci-award", {}, "请说明获得的是国家科学技术一等奖还是二等奖"),
        (
            "rz-loan-risk-compensation",
            {"bad_loan_principal_loss_yuan": 100 * W},
            "请提供省级风险补偿比例(本文规定与省级相同比例,未写明具体数值)",
        ),
        (
            "rz-equity-loss-compensation",
            {},
            "请提供首轮实际投资额；请提供投资失败造成的实际损失金额",
        ),
    ],
)
def test_missing_inputs_are_named_not_guessed(
    rule_id: str, inputs: dict[str, Any], message: str
) -> None:
    with pytest.raises(MissingInputError) as info:
        compute(BOOK.get(rule_id), inputs)
    assert str(info.value) == message
    assert info.value.rule_id == rule_id


@pytest.mark.parametrize(
    ("rule_id", "inputs", "message"),
    [
        ("rz-horizontal-project", {"horizontal_project_paid_yuan": -1}, "不能为负数"),
        ("rz-horizontal-project", {"horizontal_project_paid_yuan": 2 * 10**12}, "超过1万亿元"),
        ("rz-horizontal-project", {"horizontal_project_paid_yuan": True}, "应为数值"),
        ("rz-horizontal-project", {"horizontal_project_paid_yuan": "很多钱"}, "无法识别"),
        ("rz-national-sci-award", {"award_grade": "三等奖"}, "未知的等级"),
        (
            "rz-loan-risk-compensation",
            {"bad_loan_principal_loss_yuan": 1, "provincial_compensation_rate": "140%"},
            "0到100%",
        ),
        ("rz-incubation-cultivation", {"cultivated_count": -2}, "不能为负数"),
        ("rz-voucher-user", {"shared_instrument_fee_yuan": [1, 2]}, "只能提供一个金额"),
    ],
)
def test_invalid_inputs_are_refused(rule_id: str, inputs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        compute(BOOK.get(rule_id), inputs)


def test_maximum_amounts() -> None:
    assert maximum_amount(BOOK.get("rz-incubator-operating")) == (200 * W, "累计最高")
    assert maximum_amount(BOOK.get("rz-voucher-user")) == (50 * W, "同一企业每年最高")
    assert maximum_amount(BOOK.get("ta-incubator-recognition")) == (100 * W, "最高（国家级）")
    assert maximum_amount(BOOK.get("ta-incubator-recognition"), "省级") == (50 * W, "省级")
    assert maximum_amount(BOOK.get("rz-rd-matching"))[0] is None
    assert maximum_amount(BOOK.get("rz-loan-risk-compensation"))[0] is None


# --- the pure functions directly -------------------------------------------------------------


def test_rate_of_base_without_caps() -> None:
    outcome = rate_of_base([Decimal(333_333)], Decimal("0.3"))
    assert outcome.amount == Decimal("99999.9")
    assert outcome.steps == ("33.3333万元 × 30% = 99999.90元",)


def test_per_unit_lesser_of_and_matched() -> None:
    assert per_unit(7, Decimal(50_000), unit="家", cap_per_year=Decimal(500_000)).amount == 350_000
    assert (
        lesser_of(Decimal(100), Decimal("0.2"), Decimal(30), limit_label="不高于损失").amount == 20
    )
    assert (
        lesser_of(Decimal(100), Decimal("0.2"), Decimal(10), limit_label="不高于损失").amount == 10
    )
    assert matched_ratio(Decimal(300), (1, 2)).amount == 600
    assert matched_ratio(Decimal(300), (1, 1), cap=Decimal(200)).amount == 200


# --- properties --------------------------------------------------------------------------------

AMOUNTS = st.integers(min_value=0, max_value=10**10).map(Decimal)
CAPPED_KINDS = (RateFormula, LesserOfFormula, MatchedFormula, SplitFormula)
BASE_RULES = [r for r in BOOK.rules if isinstance(r.formula, CAPPED_KINDS)]


def _inputs(rule: Rule, base: Decimal) -> dict[str, Any]:
    """Inputs for `rule` with `base` as its base amount and valid, fixed values for the rest."""
    f = rule.formula
    values: dict[str, Any] = {}
    for spec in rule.inputs:
        if spec.kind == "money":
            values[spec.name] = Decimal(10**8)
        elif spec.kind == "rate":
            values[spec.name] = Decimal("0.4")
        elif spec.kind == "years":
            values[spec.name] = 3
    values[f.base] = base  # type: ignore[union-attr]
    if rule.id == "rz-rd-high-growth":
        values.update(rd_investment_yuan=1200 * W, rd_investment_prev_yuan=550 * W)
    return values


@settings(max_examples=60)
@given(st.sampled_from(BASE_RULES), AMOUNTS, AMOUNTS)
def test_amounts_are_bounded_and_monotone_in_the_base(rule: Rule, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    first = compute(rule, _inputs(rule, low))
    second = compute(rule, _inputs(rule, high))
    cap, _ = maximum_amount(rule)
    for calc in (first, second):
        assert calc.amount_yuan >= 0
        if cap is not None:
            assert calc.amount_yuan <= cap
    assert first.amount_yuan <= second.amount_yuan


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_per_unit_is_bounded_and_monotone(a: int, b: int) -> None:
    rule = BOOK.get("rz-incubation-cultivation")
    assert isinstance(rule.formula, PerUnitFormula)
    low, high = sorted((a, b))
    first = compute(rule, {"cultivated_count": low}).amount_yuan
    second = compute(rule, {"cultivated_count": high}).amount_yuan
    assert 0 <= first <= second <= 50 * W


@given(st.lists(AMOUNTS, min_size=1, max_size=6))
def test_several_projects_never_exceed_the_enterprise_cap(bases: list[Decimal]) -> None:
    calc = compute(BOOK.get("rz-horizontal-project"), {"horizontal_project_paid_yuan": bases})
    assert 0 <= calc.amount_yuan <= 200 * W
    single = [
        compute(BOOK.get("rz-horizontal-project"), {"horizontal_project_paid_yuan": x})
        for x in bases
    ]
    assert calc.amount_yuan == min(200 * W, sum(s.amount_yuan for s in single))


@given(AMOUNTS, AMOUNTS)
def test_lesser_of_never_exceeds_the_loss(investment: Decimal, loss: Decimal) -> None:
    calc = compute(
        BOOK.get("rz-equity-loss-compensation"),
        {"first_round_investment_yuan": investment, "investment_loss_yuan": loss},
    )
    assert 0 <= calc.amount_yuan <= min(loss, 200 * W, investment * Decimal("0.2"))


@given(AMOUNTS, st.integers(min_value=1, max_value=100).map(lambda p: Decimal(p) / 100))
def test_split_shares_sum_to_the_total(loss: Decimal, rate: Decimal) -> None:
    outcome = split_by_ratio(loss, rate, [("市级", 5), ("区县", 2)], base_cap=Decimal(2 * 10**7))
    assert sum(share for _, share in outcome.shares) == outcome.amount
    assert all(share >= 0 for _, share in outcome.shares)
    assert outcome.amount <= Decimal(2 * 10**7) * rate


def test_formula_kinds_are_asked_not_type_tested() -> None:
    # The registry (rules/kinds.py) is the one place a kind's behaviour lives: a type test on a
    # formula class elsewhere is a second dispatch that a new kind would have to be added to.
    from policyqa.rules.kinds import KINDS

    names = "|".join(cls.__name__ for cls in KINDS.values())
    pattern = re.compile(rf"isinstance\([^)]*\b({names})\b")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}"
        for path in sorted((PROJECT_ROOT / "src").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
    assert set(KINDS) == {"fixed", "tiered", "rate", "lesser_of", "per_unit", "matched", "split"}
