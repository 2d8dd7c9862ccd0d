"""The pure formula functions, one per formula kind, and the errors calculations raise.

Each function takes plain numbers (Decimals in yuan, fractions for rates) and returns an
`Outcome`: the amount, the steps in Chinese that show how it was reached, and the reason when it
is 0. Amounts are rounded to the fen only where a ratio does not divide evenly. A formula
function never sees a `Rule` or an input name: `policyqa.rules.calc` reads the rule, coerces
its inputs and calls it. The errors live here so that both raise the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from policyqa.rules.money import format_rate, format_yuan

_FEN = Decimal("0.01")


class CalcError(Exception):
    """Base class of calculator errors; the message is Chinese and says what to provide."""


class Prompted(Protocol):
    """Anything that says in Chinese what to provide (a rule's `InputSpec`)."""

    @property
    def prompt(self) -> str: ...


class MissingInputError(CalcError):
    """The formula needs inputs the question or profile did not give."""

    def __init__(self, rule_id: str, missing: Sequence[Prompted]) -> None:
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


def round_yuan(value: Decimal) -> Decimal:
    """Round to the fen and drop trailing zeros: int-valued when exact (90.00 → 90)."""
    rounded = Decimal(value).quantize(_FEN, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def _cap(amount: Decimal, cap: Decimal | None, label: str, steps: list[str]) -> Decimal:
    if cap is not None and amount > cap:
        steps.append(f"{label}{format_yuan(cap)} → {format_yuan(cap)}")
        return cap
    return amount


def _granted(amount: Decimal, steps: list[str], *, zero_reason: str) -> Outcome:
    """The outcome of a computed amount: rounded to the fen, or 0 with the reason."""
    if amount == 0:
        return Outcome(Decimal(0), tuple(steps), reason=zero_reason)
    return Outcome(round_yuan(amount), tuple(steps))


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
    return _granted(amount, steps, zero_reason="没有损失，不予补偿")


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
    return _granted(amount, steps, zero_reason="没有可配套的补助金额")


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
