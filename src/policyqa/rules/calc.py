"""A rule applied to inputs: `compute(rule, inputs)` and the most a rule can pay without them.

Reads the rule's formula, coerces the inputs it declares (money may be "300万元"), checks its
thresholds and industry, and asks the formula's kind (`policyqa.rules.kinds`) for the amount;
the steps in Chinese say how the amount was reached. Never guesses a missing input: `compute`
raises `MissingInputError` naming it. Never reads a question: the inputs are handed to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict

from policyqa.rules.formulas import InvalidInputError, MissingInputError, check_threshold
from policyqa.rules.model import InputSpec, Rule, Threshold
from policyqa.rules.money import (
    MoneyParseError,
    format_rate,
    format_yuan,
    parse_amount,
    parse_count,
    parse_rate,
    parse_years,
)
from policyqa.text import normalize

MAX_AMOUNT_YUAN = Decimal(10) ** 12


class CalcResult(BaseModel):
    """A rule applied to inputs: amount, steps and eligibility; `to_contract()` is the answer
    contract's `calculation` object (`policyqa.answer.contract.Calculation`)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    clause_id: str
    title: str
    inputs: dict[str, Any]
    amount_yuan: Decimal
    steps: tuple[str, ...]
    qualifies: bool
    reason: str | None = None
    upper_bound: bool = False
    shares: dict[str, Decimal] = {}

    @property
    def summary(self) -> str:
        return "；".join(self.steps)

    def to_contract(self) -> dict[str, Any]:
        """The `calculation` object of the answer contract (DESIGN.md), JSON-ready."""
        return {
            "rule_id": self.rule_id,
            "clause_id": self.clause_id,
            "inputs": self.inputs,
            "amount_yuan": _jsonable(self.amount_yuan),
            "steps": list(self.steps),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --- inputs ----------------------------------------------------------------------------------


def _to_decimal(value: object, spec: InputSpec) -> Decimal:
    if isinstance(value, bool):
        raise InvalidInputError(f"{spec.label}应为数值，而不是 {value!r}")
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(str(value))
        elif isinstance(value, str):
            text = value.strip()
            if spec.kind == "rate":
                number = parse_rate(text) if "%" in text or "百分之" in text else Decimal(text)
            else:
                try:
                    number = Decimal(text.replace(",", ""))
                except InvalidOperation:
                    number = parse_amount(text)
        else:
            raise InvalidInputError(f"{spec.label}应为数值，而不是 {value!r}")
    except (InvalidOperation, MoneyParseError) as e:
        raise InvalidInputError(f"无法识别{spec.label}“{value}”：{e}") from e
    if not number.is_finite():
        raise InvalidInputError(f"{spec.label}不是有效数值：{value!r}")
    if number < 0:
        raise InvalidInputError(f"{spec.label}不能为负数：{value}")
    if spec.kind == "money" and number > MAX_AMOUNT_YUAN:
        raise InvalidInputError(f"{spec.label}{value}超过1万亿元，请检查单位（金额以元为单位）")
    if spec.kind == "rate" and number > 1:
        raise InvalidInputError(f"{spec.label}应在0到100%之间：{value}")
    return number


def _to_int(value: object, spec: InputSpec) -> int:
    if isinstance(value, bool):
        raise InvalidInputError(f"{spec.label}应为整数，而不是 {value!r}")
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.isdigit():
                number = int(text)
            else:
                number = parse_years(text) if spec.kind == "years" else parse_count(text)
        except MoneyParseError as e:
            raise InvalidInputError(f"无法识别{spec.label}“{value}”：{e}") from e
    elif isinstance(value, int):
        number = value
    elif isinstance(value, Decimal | float) and Decimal(value).is_finite() and value == int(value):
        number = int(value)
    else:
        raise InvalidInputError(f"{spec.label}应为整数，而不是 {value!r}")
    if number < 0:
        raise InvalidInputError(f"{spec.label}不能为负数：{value}")
    if spec.kind == "years" and number < 1:
        raise InvalidInputError(f"{spec.label}至少为1年：{value}")
    if number > 1_000_000:
        raise InvalidInputError(f"{spec.label}{value}不合常理，请检查")
    return number


def resolve_tier(rule: Rule, value: object) -> str:
    """The tier name for a value that is a tier name or one of its cues ("国家" → "国家级")."""
    tiers = rule.formula.tier_options()
    if not tiers:
        raise InvalidInputError(f"规则 {rule.id} 没有等级")
    text = normalize(str(value))
    for tier in tiers:
        if text == tier.name:
            return tier.name
    for tier in tiers:
        if text in tier.cues:
            return tier.name
    known = "、".join(t.name for t in tiers)
    raise InvalidInputError(f"未知的等级“{value}”，应为：{known}")


def coerce_inputs(rule: Rule, inputs: Mapping[str, object]) -> dict[str, Any]:
    """Typed values for every input the rule declares; missing required ones raise together."""
    values: dict[str, Any] = {}
    missing: list[InputSpec] = []
    for spec in rule.inputs:
        raw = inputs.get(spec.name)
        if raw is None or (isinstance(raw, list | tuple) and not raw):
            if spec.default is not None:
                values[spec.name] = spec.default
            elif spec.required:
                missing.append(spec)
            continue
        if spec.kind == "money":
            if isinstance(raw, list | tuple):
                if not spec.multiple and len(raw) != 1:
                    raise InvalidInputError(f"{spec.label}只能提供一个金额")
                items = [_to_decimal(v, spec) for v in raw]
            else:
                items = [_to_decimal(raw, spec)]
            values[spec.name] = items if spec.multiple else items[0]
        elif spec.kind == "rate":
            values[spec.name] = _to_decimal(raw, spec)
        elif spec.kind in ("count", "years"):
            values[spec.name] = _to_int(raw, spec)
        elif spec.kind == "tier":
            values[spec.name] = resolve_tier(rule, raw)
        else:
            values[spec.name] = str(raw)
    if missing:
        raise MissingInputError(rule.id, missing)
    return values


def _threshold_value(t: Threshold, rule: Rule, v: Mapping[str, Any]) -> tuple[Decimal, bool]:
    """The value a threshold tests (an input, or the growth between two) and whether a rate."""
    if t.growth:
        current, previous = (v[name] for name in t.growth)
        if previous == 0:
            raise InvalidInputError("上一年度数值为0，无法计算增长率")
        return (Decimal(current) - Decimal(previous)) / Decimal(previous), True
    name = t.input or ""
    return Decimal(v[name]), rule.input_spec(name).kind == "rate"


def failed_threshold(
    rule: Rule,
    values: Mapping[str, Any],
    *,
    known_only: bool = False,
    steps: list[str] | None = None,
) -> str | None:
    """Why `values` fail the rule's first unmet threshold; None when they meet every one.

    Each threshold met is added to `steps` ("600万元，满足“…”"). With `known_only` (a profile's
    figures, before anything is computed) a threshold the figures cannot decide is passed over:
    one whose inputs are not all given, or a growth from a previous year of 0.
    """
    for t in rule.thresholds:
        if known_only and any(values.get(name) is None for name in t.inputs):
            continue
        try:
            value, is_rate = _threshold_value(t, rule, values)
        except InvalidInputError:
            if known_only:
                continue
            raise
        reason = check_threshold(
            value, t.minimum, strict=t.strict, condition=t.condition, is_rate=is_rate
        )
        if reason:
            return reason
        if steps is not None:
            shown = (
                format_rate(value.quantize(Decimal("0.0001"))) if is_rate else format_yuan(value)
            )
            steps.append(f"{shown}，满足“{t.condition}”")
    return None


def _not_qualifying(
    rule: Rule, values: Mapping[str, Any], steps: list[str], reason: str
) -> CalcResult:
    if not any(reason in step for step in steps):
        steps = [*steps, reason]
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs=_jsonable_inputs(values),
        amount_yuan=Decimal(0),
        steps=tuple(steps),
        qualifies=False,
        reason=reason,
        upper_bound=rule.upper_bound,
    )


def _jsonable_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _jsonable(value) for name, value in values.items()}


def compute(rule: Rule, inputs: Mapping[str, object]) -> CalcResult:
    """Apply `rule` to `inputs` (keyed by the rule's input names; money may be "300万元").

    Raises MissingInputError naming what to provide, InvalidInputError for bad values. An
    optional `industry` input is checked against the rule's industry categories.
    """
    values = coerce_inputs(rule, inputs)
    steps: list[str] = []
    for spec in rule.inputs:
        if spec.default is not None and inputs.get(spec.name) is None:
            unit = "年" if spec.kind == "years" else ""
            steps.append(f"未说明{spec.label}，按{spec.default}{unit}计算")
    if rule.industries:
        wanted = "、".join(rule.industries)
        industry = inputs.get("industry")
        if industry:
            values["industry"] = str(industry)
            mismatch = rule.industry_mismatch(str(industry))
            if mismatch:
                reason = f"{mismatch}，不予按本条计算"
                return _not_qualifying(rule, values, [reason], reason)
            _, found = rule.industry_categories(str(industry))
            if str(industry) in found:  # the question names the category itself
                steps.append(f"按所述属于{industry}领域")
            else:
                steps.append(f"“{industry}”属于{'、'.join(sorted(found))}领域")
        else:
            steps.append(f"须属于{wanted}领域（未核实）")
    reason = failed_threshold(rule, values, steps=steps)
    if reason:
        return _not_qualifying(rule, values, [*steps, reason], reason)
    outcome = rule.formula.outcome(values)
    steps.extend(outcome.steps)
    if not outcome.qualifies:
        return _not_qualifying(rule, values, steps, outcome.reason or "")
    if rule.upper_bound:
        steps.append("以上为条文规定的最高额度，实际金额以主管部门审核为准")
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs=_jsonable_inputs(values),
        amount_yuan=outcome.amount,
        steps=tuple(steps),
        qualifies=True,
        upper_bound=rule.upper_bound,
        shares=dict(outcome.shares),
    )


def maximum_amount(rule: Rule, tier: str | None = None) -> tuple[Decimal | None, str]:
    """The most a rule can pay without figures, with its label; (None, why) when uncapped."""
    return rule.formula.maximum(tier)
