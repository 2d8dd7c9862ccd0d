"""Fuzzing: hypothesis properties on any Unicode text, and schemathesis on the app's own schema.

Parsers and normalizers must be total (only their documented exceptions), calculators must stay
within [0, cap] whatever they are fed, and no generated request may make the API answer 5xx.
Example counts are bounded and generation is derandomized, so CI runs are repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pydantic import ValidationError
from schemathesis import GenerationMode

from policyqa.answer.asking import QuestionError, validate_question
from policyqa.answer.contract import MAX_QUESTION_CHARS
from policyqa.rules import money
from policyqa.rules.calc import MAX_AMOUNT_YUAN, compute, maximum_amount
from policyqa.rules.formulas import (
    CalcError,
    InvalidInputError,
    lesser_of,
    matched_ratio,
    per_unit,
    rate_of_base,
)
from policyqa.rules.match import match_report
from policyqa.rules.model import SUBJECT_TYPES
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook, default_rules
from policyqa.serve.api import create_app
from policyqa.settings import Settings
from policyqa.text import normalize, normalize_query

# Every code point, lone surrogates and control characters included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=80)
# Text dense in what the parsers look for, mixed with anything.
NUMERIC_CHARS = "零〇一二两三四五六七八九十百千万亿萬億点元%:∶.,0123456789-负百分之连续年个月家项"
NUMERIC_TEXT = st.text(st.sampled_from(NUMERIC_CHARS) | ANY_CHAR, max_size=40)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None)
BOOK: RuleBook = default_rules()


# --- normalization and validation ----------------------------------------------------------------


@FUZZ
@given(ANY_TEXT)
def test_normalize_is_total_and_idempotent(text: str) -> None:
    for fn in (normalize, normalize_query):
        once = fn(text)
        assert isinstance(once, str) and fn(once) == once


@FUZZ
@given(ANY_TEXT)
def test_validate_question_returns_clean_text_or_says_why(text: str) -> None:
    try:
        cleaned = validate_question(text)
    except QuestionError as e:
        assert str(e)
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= MAX_QUESTION_CHARS
    assert all(ch.isprintable() or ch in "\n\t" for ch in cleaned)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in cleaned)


# --- money parsing -------------------------------------------------------------------------------

PARSERS = [
    money.parse_amount,
    money.parse_count,
    money.parse_years,
    money.parse_rate,
    money.parse_ratio,
]


@FUZZ
@given(NUMERIC_TEXT)
def test_money_parsers_raise_only_money_parse_error(text: str) -> None:
    for parse in PARSERS:
        try:
            value = parse(text)
        except money.MoneyParseError:
            continue
        parts = value if isinstance(value, tuple) else (value,)
        assert all(Decimal(p).is_finite() and Decimal(p) >= 0 for p in parts), (parse, value)


@FUZZ
@given(NUMERIC_TEXT)
def test_found_quantities_are_finite_non_negative_and_located(text: str) -> None:
    normalized = normalize(text)
    for q in money.find_quantities(normalized):
        assert q.value.is_finite() and q.value >= 0
        assert normalized[q.start : q.end] == q.text


@FUZZ
@given(st.text(st.sampled_from("零〇一二两三四五六七八九十百千万亿点"), min_size=1, max_size=12))
def test_chinese_numerals_parse_or_raise_money_parse_error(numeral: str) -> None:
    try:
        value = money.chinese_to_decimal(numeral)
    except money.MoneyParseError:
        return
    assert value.is_finite() and value >= 0


# --- calculators: never negative, never above their caps ---------------------------------------

AMOUNT = st.decimals(min_value=0, max_value=10**12, places=2)
CAP = st.none() | st.decimals(min_value=0, max_value=10**9, places=0)
RATE = st.decimals(min_value=0, max_value=1, places=4)


@FUZZ
@given(
    st.lists(AMOUNT, min_size=1, max_size=5),
    RATE,
    CAP,
    CAP,
    st.none() | st.integers(min_value=1, max_value=10),
    st.none() | st.integers(min_value=1, max_value=5),
    CAP,
)
def test_rate_of_base_stays_within_every_cap(
    bases: list[Decimal],
    rate: Decimal,
    cap_item: Decimal | None,
    cap_year: Decimal | None,
    years: int | None,
    max_years: int | None,
    cap_total: Decimal | None,
) -> None:
    outcome = rate_of_base(
        bases,
        rate,
        cap_per_item=cap_item,
        cap_per_year=cap_year,
        years=years,
        max_years=max_years,
        cap_total=cap_total,
    )
    counted = min(years or 1, max_years or years or 1)
    amount = outcome.amount
    assert 0 <= amount <= sum(bases) * rate * counted + Decimal("0.01")
    if cap_total is not None:
        assert amount <= cap_total
    if cap_year is not None:
        assert amount <= cap_year * counted
    if cap_item is not None:
        assert amount <= cap_item * len(bases) * counted


@FUZZ
@given(AMOUNT, RATE, AMOUNT, CAP)
def test_lesser_of_stays_within_limit_and_cap(
    base: Decimal, rate: Decimal, limit: Decimal, cap: Decimal | None
) -> None:
    amount = lesser_of(base, rate, limit, limit_label="损失", cap_per_item=cap).amount
    assert 0 <= amount <= limit + Decimal("0.01")
    assert cap is None or amount <= cap


@FUZZ
@given(st.integers(min_value=0, max_value=10**6), AMOUNT, st.integers(1, 10), CAP)
def test_per_unit_stays_within_the_annual_cap(
    count: int, each: Decimal, unit_count: int, cap: Decimal | None
) -> None:
    amount = per_unit(count, each, unit="家", unit_count=unit_count, cap_per_year=cap).amount
    assert 0 <= amount and (cap is None or amount <= cap)


@FUZZ
@given(AMOUNT, st.tuples(st.integers(1, 10), st.integers(1, 10)), CAP)
def test_matched_ratio_stays_within_its_cap(
    base: Decimal, ratio: tuple[int, int], cap: Decimal | None
) -> None:
    amount = matched_ratio(base, ratio, cap=cap).amount
    assert 0 <= amount and (cap is None or amount <= cap)


# Whatever a rule is fed (numbers of any sign and size, Chinese amounts, junk text), it either
# refuses with a CalcError or computes an amount in [0, its maximum].
RAW_INPUT = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | NUMERIC_TEXT
    | st.sampled_from(["国家级", "省级", "一等奖", "二等奖", "300万元", "30%", "连续三年", "3家"])
)


@FUZZ
@given(st.sampled_from(BOOK.rules), st.data())
def test_every_rule_refuses_or_stays_within_its_maximum(rule: Any, data: st.DataObject) -> None:
    raw = RAW_INPUT | st.lists(AMOUNT, max_size=3)
    inputs = {spec.name: data.draw(raw) for spec in rule.inputs}
    try:
        calc = compute(rule, inputs)
    except CalcError:
        return
    assert calc.amount_yuan >= 0
    cap, _ = maximum_amount(rule)
    if cap is not None:
        assert calc.amount_yuan <= cap, (rule.id, inputs)


NON_FINITE = [
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    float("nan"),
    float("inf"),
]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
def test_non_finite_numbers_are_refused_as_invalid_by_every_rule(value: object) -> None:
    # Hypothesis rarely draws a signalling NaN, which float() and math.isfinite() refuse to read.
    for rule in BOOK.rules:
        for spec in rule.inputs:
            if spec.kind in ("money", "rate", "count", "years"):
                with pytest.raises(InvalidInputError):
                    compute(rule, {spec.name: value})


# --- enterprise profiles ------------------------------------------------------------------------

MONEY_FIELDS = ("rd_investment_yuan", "loan_interest_yuan", "operating_cost_yuan")


@FUZZ
@given(st.sampled_from(MONEY_FIELDS), RAW_INPUT)
def test_profile_figures_are_refused_or_within_range(field: str, raw: object) -> None:
    try:
        profile = EnterpriseProfile.model_validate(
            {"region": "日照市", "subject_types": ["科技型中小企业"], field: raw}
        )
    except ValidationError:
        return
    value = getattr(profile, field)
    assert value is None or (value.is_finite() and 0 <= value <= MAX_AMOUNT_YUAN)


@FUZZ
@given(st.sampled_from(["80万元", "1.5亿", "五十万", "300万", "12345"]), st.sampled_from("-−－负"))
def test_a_signed_amount_text_is_refused_not_read_as_positive(amount: str, sign: str) -> None:
    profile = {"region": "日照市", "subject_types": ["科技型中小企业"]}
    with pytest.raises(ValidationError):
        EnterpriseProfile.model_validate({**profile, "loan_interest_yuan": sign + amount})


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    st.sampled_from(["日照市", "泰安市", "威海市文登区", "山东省", "北京市"]),
    st.lists(st.sampled_from(SUBJECT_TYPES), min_size=1, max_size=4, unique=True),
    st.none() | st.sampled_from(["新材料", "低空经济", "<script>", "生物医药"]),
    st.fixed_dictionaries(
        {},
        optional={
            "rd_investment_yuan": AMOUNT,
            "rd_investment_prev_yuan": AMOUNT,
            "horizontal_project_paid_yuan": st.lists(AMOUNT, max_size=3),
            "loan_interest_yuan": AMOUNT,
            "operating_cost_yuan": AMOUNT,
            "operating_years": st.integers(1, 100),
            "cultivated_count": st.integers(0, 100_000),
            "level": st.sampled_from(["国家级", "省级"]),
        },
    ),
)
def test_matching_any_valid_profile_gives_amounts_within_caps(
    region: str, subjects: list[str], industry: str | None, figures: dict[str, Any]
) -> None:
    profile = EnterpriseProfile.model_validate(
        {"region": region, "subject_types": subjects, "industry": industry, **figures}
    )
    for result in match_report(profile, BOOK).to_dict()["results"]:
        amount = result["amount_yuan"]
        if amount is None:
            continue
        assert amount >= 0
        cap, _ = maximum_amount(BOOK.get(result["rule_id"]))
        assert cap is None or amount <= cap, result["rule_id"]


# --- schemathesis: the app's own OpenAPI schema, in process (ASGI) -----------------------------

OPERATIONS = [
    ("POST", "/ask"),
    ("GET", "/search"),
    ("GET", "/clauses/{clause_id}"),
    ("GET", "/documents"),
    ("POST", "/match"),
    ("GET", "/health"),
]
API_FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def app(test_settings: Settings) -> Iterator[FastAPI]:
    # No admin token: the document-changing endpoints must refuse, so fuzzing cannot edit the
    # corpus the session shares.
    yield create_app(test_settings.model_copy(update={"admin_token": None}), with_ui=False)


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> Any:
    # Loading starts the app's lifespan (engine loaded once) on schemathesis' own event loop.
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(api_schema: Any) -> set[tuple[str, str]]:
    return {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}


def test_the_schema_lists_the_query_operations(api_schema: Any) -> None:
    assert set(OPERATIONS) <= _operations(api_schema)


# Negative cases need something to get wrong: a body or a query parameter.
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if p in ("/ask", "/search", "/match")
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_generated_request_gets_a_server_error(
    api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    seen: list[int] = []

    @API_FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        response = case.call()
        seen.append(response.status_code)
        assert response.status_code < 500, case.as_curl_command()

    check()
    assert seen, "no request was generated"


def test_every_other_operation_in_the_schema_gets_no_server_error(api_schema: Any) -> None:
    # Whatever else the app exposes (the admin endpoints, anything added later) is fuzzed too.
    others = sorted(_operations(api_schema) - set(OPERATIONS))
    for method, path in others:
        operation = api_schema[path][method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(API_FUZZ, max_examples=10)
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: Any) -> None:
                response = case.call()
                assert response.status_code < 500, case.as_curl_command()

            try:
                check()
            except Unsatisfiable:  # nothing in this operation can be made invalid
                continue
