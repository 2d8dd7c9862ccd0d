"""Deterministic calculators: one pure function per formula kind, and `compute(rule, inputs)`.

Amounts are Decimals in yuan (rounded to the fen only where a ratio does not divide evenly); every
function also returns the steps in Chinese, so an answer can show how a number was reached. A
formula never guesses a missing input: `compute` raises `MissingInputError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict

from policyqa.rules.money import (
    MoneyParseError,
    format_rate,
    format_yuan,
    parse_amount,
    parse_count,
    parse_rate,
    parse_years,
)
from policyqa.rules.table import (
    FixedFormula,
    InputSpec,
    LesserOfFormula,
    MatchedFormula,
    PerUnitFormula,
    RateFormula,
    Rule,
    SplitFormula,
    Threshold,
    TieredFormula,
)
from policyqa.text import normalize

MAX_AMOUNT_YUAN = Decimal(10) ** 12
_FEN = Decimal("0.01")


class CalcError(Exception):
    """Base class of calculator errors; the message is Chinese and says what to provide."""


class MissingInputError(CalcError):
    """The formula needs inputs the question or profile did not give."""

    def __init__(self, rule_id: str, missing: Sequence[InputSpec]) -> None:
        self.rule_id = rule_id
        self.missing = tuple(missing)
        super().__init__("；".join(spec.prompt for spec in self.missing))

    @property
    def prompts(self) -> tuple[str, ...]:
        return tuple(spec.prompt for spec in self.missing)


class InvalidInputError(CalcError, ValueError):
    """An input of the wrong type or out of range (negative, absurdly large, unknown tier)."""


@dataclass(frozen=True)
class Outcome:
    """What a formula function returns: the amount, the steps, and why it is 0 when it is."""

    amount: Decimal
    steps: tuple[str, ...]
    reason: str | None = None
    shares: tuple[tuple[str, Decimal], ...] = ()

    @property
    def qualifies(self) -> bool:
        return self.reason is None


class Calculation(BaseModel):
    """A rule applied to inputs: the answer contract's `calculation` plus eligibility details."""

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


# --- helpers ---------------------------------------------------------------------------------


def round_yuan(value: Decimal) -> Decimal:
    """Round to the fen and drop trailing zeros: int-valued when exact (90.00 → 90)."""
    rounded = Decimal(value).quantize(_FEN, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _cap(amount: Decimal, cap: Decimal | None, label: str, steps: list[str]) -> Decimal:
    if cap is not None and amount > cap:
        steps.append(f"{label}{format_yuan(cap)} → {format_yuan(cap)}")
        return cap
    return amount


def check_threshold(
    value: Decimal, minimum: Decimal, *, strict: bool, condition: str, is_rate: bool = False
) -> str | None:
    """None when `value` meets the threshold (≥, or > when strict); else the reason in Chinese."""
    if (value > minimum) if strict else (value >= minimum):
        return None
    fmt = format_rate if is_rate else format_yuan
    verb = "未超过" if strict else "低于"
    return f"{fmt(value)}{verb}{fmt(minimum)}，不符合“{condition}”的条件，不予支持"


# --- one function per formula kind ------------------------------------------------------------


def fixed_amount(amount: Decimal, *, label: str = "") -> Outcome:
    """A stated amount ("给予最高300万元")."""
    return Outcome(round_yuan(amount), (f"{label}{format_yuan(amount)}",))


def tiered_amount(tiers: Mapping[str, Decimal], tier: str) -> Outcome:
    """分别给予: the amount of the chosen tier (国家级/省级, 一等奖/二等奖)."""
    if tier not in tiers:
        known = "、".join(tiers)
        raise InvalidInputError(f"未知的等级“{tier}”，应为：{known}")
    listed = "、".join(f"{name}{format_yuan(amount)}" for name, amount in tiers.items())
    return Outcome(
        round_yuan(tiers[tier]), (f"分别给予{listed}", f"{tier} → {format_yuan(tiers[tier])}")
    )


def rate_of_base(
    bases: Sequence[Decimal],
    rate: Decimal,
    *,
    min_base: Decimal | None = None,
    min_strict: bool = False,
    min_label: str = "",
    cap_per_item: Decimal | None = None,
    cap_per_item_label: str = "每项最高",
    cap_per_year: Decimal | None = None,
    cap_per_year_label: str = "每年最高",
    years: int | None = None,
    max_years: int | None = None,
    cap_total: Decimal | None = None,
    cap_total_label: str = "累计最高",
) -> Outcome:
    """rate × base per item (each item must reach `min_base`), capped per item, per year
    (items summed), then × years (at most `max_years`) and capped in total."""
    steps: list[str] = []
    reasons: list[str] = []
    granted: list[Decimal] = []
    per_year = "/年" if years is not None else ""
    for i, base in enumerate(bases):
        prefix = f"项目{i + 1}：" if len(bases) > 1 else ""
        if min_base is not None:
            reason = check_threshold(base, min_base, strict=min_strict, condition=min_label)
            if reason:
                steps.append(prefix + reason)
                reasons.append(prefix + reason)
                continue
        amount = base * rate
        line = (
            f"{prefix}{format_yuan(base)} × {format_rate(rate)} = {format_yuan(amount)}{per_year}"
        )
        if cap_per_item is not None and amount > cap_per_item:
            line += (
                f"；{cap_per_item_label}{format_yuan(cap_per_item)} → {format_yuan(cap_per_item)}"
            )
            amount = cap_per_item
        steps.append(line)
        granted.append(amount)
    if not granted:
        return Outcome(Decimal(0), tuple(steps), reason="；".join(reasons) or "无可计算的金额")
    total = sum(granted, Decimal(0))
    if len(granted) > 1:
        parts = " + ".join(format_yuan(a) for a in granted)
        steps.append(f"合计 {parts} = {format_yuan(total)}")
    total = _cap(total, cap_per_year, cap_per_year_label, steps)
    if years is not None:
        counted = years
        if max_years is not None and years > max_years:
            steps.append(f"最多支持{max_years}年，按{max_years}年计")
            counted = max_years
        total = total * counted
        steps.append(f"× {counted}年 = {format_yuan(total)}")
    total = _cap(total, cap_total, cap_total_label, steps)
    return Outcome(round_yuan(total), tuple(steps))


def lesser_of(
    base: Decimal,
    rate: Decimal,
    limit: Decimal,
    *,
    limit_label: str,
    cap_per_item: Decimal | None = None,
    cap_per_item_label: str = "每项最高",
) -> Outcome:
    """rate × base, but not above `limit` (e.g. 补偿额度不高于投资损失) nor the per-item cap."""
    amount = base * rate
    steps = [f"{format_yuan(base)} × {format_rate(rate)} = {format_yuan(amount)}"]
    if limit < amount:
        steps.append(f"{limit_label}（{format_yuan(limit)}）→ {format_yuan(limit)}")
        amount = limit
    amount = _cap(amount, cap_per_item, cap_per_item_label, steps)
    if amount == 0:
        return Outcome(Decimal(0), tuple(steps), reason="没有损失，不予补偿")
    return Outcome(round_yuan(amount), tuple(steps))


def per_unit(
    count: int,
    amount_per_unit: Decimal,
    *,
    unit: str,
    unit_count: int = 1,
    cap_per_year: Decimal | None = None,
    cap_per_year_label: str = "每年最高",
) -> Outcome:
    """An amount for every `unit_count` units counted in a year, capped per year."""
    if count < unit_count:
        reason = f"数量{count}{unit}，不足{unit_count}{unit}，不予补助"
        return Outcome(Decimal(0), (reason,), reason=reason)
    units = count // unit_count
    amount = amount_per_unit * units
    per = f"{unit_count}{unit}" if unit_count != 1 else unit
    steps = [f"{count}{unit} × {format_yuan(amount_per_unit)}/{per} = {format_yuan(amount)}"]
    amount = _cap(amount, cap_per_year, cap_per_year_label, steps)
    return Outcome(round_yuan(amount), tuple(steps))


def matched_ratio(
    base: Decimal, ratio: tuple[int, int], *, cap: Decimal | None = None, cap_label: str = "最高"
) -> Outcome:
    """Matching funds in a fixed ratio to another grant (1:1 配套)."""
    a, b = ratio
    amount = base * b / a
    steps = [f"{format_yuan(base)} 按{a}:{b}配套 = {format_yuan(round_yuan(amount))}"]
    amount = _cap(amount, cap, cap_label, steps)
    if amount == 0:
        return Outcome(Decimal(0), tuple(steps), reason="没有可配套的补助金额")
    return Outcome(round_yuan(amount), tuple(steps))


def split_by_ratio(
    base: Decimal,
    rate: Decimal,
    shares: Sequence[tuple[str, int]],
    *,
    base_cap: Decimal | None = None,
    base_cap_label: str = "",
) -> Outcome:
    """base (capped) × rate, shared between payers by ratio (5:2); shares add up exactly."""
    steps: list[str] = []
    if base_cap is not None and base > base_cap:
        steps.append(f"{base_cap_label}{format_yuan(base_cap)}，按{format_yuan(base_cap)}计")
        base = base_cap
    total = round_yuan(base * rate)
    steps.append(f"{format_yuan(base)} × {format_rate(rate)} = {format_yuan(total)}")
    whole = sum(part for _, part in shares)
    split: list[tuple[str, Decimal]] = []
    for name, part in shares[:-1]:
        split.append((name, round_yuan(total * part / whole)))
    split.append((shares[-1][0], round_yuan(total - sum((s for _, s in split), Decimal(0)))))
    ratio = ":".join(str(part) for _, part in shares)
    listed = "，".join(f"{name}{format_yuan(amount)}" for name, amount in split)
    steps.append(f"按{ratio}分担：{listed}")
    if total == 0:
        return Outcome(
            Decimal(0), tuple(steps), reason="没有本金损失，不予补偿", shares=tuple(split)
        )
    return Outcome(total, tuple(steps), shares=tuple(split))


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
    formula = rule.formula
    if not isinstance(formula, TieredFormula):
        raise InvalidInputError(f"规则 {rule.id} 没有等级")
    text = normalize(str(value))
    for tier in formula.tiers:
        if text == tier.name:
            return tier.name
    for tier in formula.tiers:
        if text in tier.cues:
            return tier.name
    known = "、".join(t.name for t in formula.tiers)
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


# --- the dispatcher ----------------------------------------------------------------------------


def _outcome(rule: Rule, v: Mapping[str, Any]) -> Outcome:
    f = rule.formula
    if isinstance(f, FixedFormula):
        return fixed_amount(f.amount, label=f.label)
    if isinstance(f, TieredFormula):
        return tiered_amount({t.name: t.amount for t in f.tiers}, v[f.input])
    if isinstance(f, RateFormula):
        base = v[f.base]
        return rate_of_base(
            base if isinstance(base, list) else [base],
            f.rate,
            min_base=f.min_base,
            min_strict=f.min_strict,
            min_label=f.min_label,
            cap_per_item=f.cap_per_item,
            cap_per_item_label=f.cap_per_item_label,
            cap_per_year=f.cap_per_year,
            cap_per_year_label=f.cap_per_year_label,
            years=v[f.years_input] if f.years_input else None,
            max_years=f.max_years,
            cap_total=f.cap_total,
            cap_total_label=f.cap_total_label,
        )
    if isinstance(f, LesserOfFormula):
        return lesser_of(
            v[f.base],
            f.rate,
            v[f.limit],
            limit_label=f.limit_label,
            cap_per_item=f.cap_per_item,
            cap_per_item_label=f.cap_per_item_label,
        )
    if isinstance(f, PerUnitFormula):
        return per_unit(
            v[f.count],
            f.amount_per_unit,
            unit=f.unit,
            unit_count=f.unit_count,
            cap_per_year=f.cap_per_year,
            cap_per_year_label=f.cap_per_year_label,
        )
    if isinstance(f, MatchedFormula):
        return matched_ratio(v[f.base], f.ratio, cap=f.cap, cap_label=f.cap_label)
    if isinstance(f, SplitFormula):
        return split_by_ratio(
            v[f.base],
            v[f.rate_input],
            [(s.name, s.part) for s in f.shares],
            base_cap=f.base_cap,
            base_cap_label=f.base_cap_label,
        )
    raise CalcError(f"规则 {rule.id} 的公式类型 {f.kind} 没有计算函数")  # pragma: no cover


def _threshold_value(t: Threshold, rule: Rule, v: Mapping[str, Any]) -> tuple[Decimal, bool]:
    if t.growth:
        current, previous = (v[name] for name in t.growth)
        if previous == 0:
            raise InvalidInputError("上一年度数值为0，无法计算增长率")
        return (Decimal(current) - Decimal(previous)) / Decimal(previous), True
    name = t.input or ""
    return Decimal(v[name]), rule.input_spec(name).kind == "rate"


def _not_qualifying(
    rule: Rule, values: Mapping[str, Any], steps: list[str], reason: str
) -> Calculation:
    if not any(reason in step for step in steps):
        steps = [*steps, reason]
    return Calculation(
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


def compute(rule: Rule, inputs: Mapping[str, object]) -> Calculation:
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
    for threshold in rule.thresholds:
        value, is_rate = _threshold_value(threshold, rule, values)
        reason = check_threshold(
            value,
            threshold.minimum,
            strict=threshold.strict,
            condition=threshold.condition,
            is_rate=is_rate,
        )
        if reason:
            return _not_qualifying(rule, values, [*steps, reason], reason)
        shown = format_rate(value.quantize(Decimal("0.0001"))) if is_rate else format_yuan(value)
        steps.append(f"{shown}，满足“{threshold.condition}”")
    outcome = _outcome(rule, values)
    steps.extend(outcome.steps)
    if not outcome.qualifies:
        return _not_qualifying(rule, values, steps, outcome.reason or "")
    if rule.upper_bound:
        steps.append("以上为条文规定的最高额度，实际金额以主管部门审核为准")
    return Calculation(
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
    f = rule.formula
    if isinstance(f, FixedFormula):
        return f.amount, f.label or "最高"
    if isinstance(f, TieredFormula):
        amounts = {t.name: t.amount for t in f.tiers}
        if tier is not None and tier in amounts:
            return amounts[tier], tier
        top = max(amounts, key=lambda name: amounts[name])
        return amounts[top], f"最高（{top}）"
    if isinstance(f, RateFormula):
        if f.cap_total is not None:
            return f.cap_total, f.cap_total_label
        if f.cap_per_year is not None:
            return f.cap_per_year, f.cap_per_year_label
        if f.cap_per_item is not None:
            return f.cap_per_item, f.cap_per_item_label
        return None, f"按{format_rate(f.rate)}计算，条文未规定上限"
    if isinstance(f, LesserOfFormula):
        if f.cap_per_item is not None:
            return f.cap_per_item, f.cap_per_item_label
        return None, f"按{format_rate(f.rate)}计算，条文未规定上限"
    if isinstance(f, PerUnitFormula):
        if f.cap_per_year is not None:
            return f.cap_per_year, f.cap_per_year_label
        return None, "按数量计算，条文未规定上限"
    if isinstance(f, MatchedFormula):
        if f.cap is not None:
            return f.cap, f.cap_label
        return None, f"按{f.ratio[0]}:{f.ratio[1]}配套，条文未规定上限"
    return None, "金额取决于损失和比例，条文未规定上限"
