"""The registry of formula kinds: one class per kind, the only place a kind's behaviour lives.

Each kind declares the inputs it reads (`wanted_inputs`, with the input kinds each may be), the
numbers it states (`numbers`, for the quote check of `rules.validate`), how it computes with
Chinese steps (`outcome`, calling the pure function of `rules.formulas`) and the most it can pay
without figures (`maximum`). `KINDS` maps each `kind` string of rules.toml to its class and
`Formula` is the discriminated union pydantic reads; `rules.model`, `rules.calc`,
`rules.match` and `answer` ask a formula through these methods instead of testing its type.
A new kind is one class here, added to the `Formula` union, plus its pure function in `formulas`.
Never reads a Rule, a question or a file.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from policyqa.rules.formulas import (
    Outcome,
    fixed_amount,
    lesser_of,
    matched_ratio,
    per_unit,
    rate_of_base,
    split_by_ratio,
    tiered_amount,
)
from policyqa.rules.money import MoneyParseError, format_rate, parse_rate, parse_ratio

InputKind = Literal["money", "count", "years", "tier", "rate", "text"]
# A number a rule states, as (kind, value) in `policyqa.rules.money.Quantity` terms.
RuleNumber = tuple[str, Decimal]
Cap = tuple[Decimal | None, str]


def _rate(value: Any) -> Any:
    """Rates are written as in the documents ("30%"); a plain decimal string is a fraction."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return parse_rate(value)
        except MoneyParseError as e:
            raise ValueError(str(e)) from e
    if isinstance(value, float):
        raise ValueError('write rates as strings such as "30%", not floats')
    return value


Rate = Annotated[Decimal, BeforeValidator(_rate)]


def _numbers(*pairs: tuple[str, Decimal | int | None]) -> list[RuleNumber]:
    return [(kind, Decimal(value)) for kind, value in pairs if value is not None]


def _first_cap(caps: Sequence[Cap], uncapped: str) -> Cap:
    """The first stated cap with its label; (None, why) when the clause states none."""
    for amount, label in caps:
        if amount is not None:
            return amount, label
    return None, uncapped


class Entry(BaseModel):
    """One entry of the rule table: frozen, and a key the model does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(Entry):
    name: str
    amount: Decimal = Field(gt=0)
    cues: tuple[str, ...] = ()


class Share(Entry):
    name: str
    part: int = Field(gt=0)


class FormulaKind(Entry):
    """What every formula kind answers; subclasses set `kind` and implement the four methods."""

    # Whether an input of this kind may carry several values (several projects' money).
    takes_multiple: ClassVar[bool] = True

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        """Each input name the formula reads, with the input kinds it may be."""
        return {}

    @abstractmethod
    def numbers(self) -> list[RuleNumber]:
        """Every number the formula states (each must stand in the rule's quotes)."""

    @abstractmethod
    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        """The amount and Chinese steps for coerced input values."""

    @abstractmethod
    def maximum(self, tier: str | None = None) -> Cap:
        """The most the formula pays without figures, with its label; (None, why) if uncapped."""

    def tier_options(self) -> tuple[Tier, ...]:
        """The tiers (国家级/省级 …) the formula chooses between; () for untiered kinds."""
        return ()

    def tier_input(self) -> str | None:
        """The input naming the tier, for tiered kinds."""
        return None

    def yearly_base(self) -> tuple[str, str] | None:
        """(money input, years input) when the amount is paid per year over several years."""
        return None


class FixedFormula(FormulaKind):
    kind: Literal["fixed"]
    amount: Decimal = Field(gt=0)
    label: str = ""

    def numbers(self) -> list[RuleNumber]:
        return _numbers(("money", self.amount))

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        return fixed_amount(self.amount, label=self.label)

    def maximum(self, tier: str | None = None) -> Cap:
        return self.amount, self.label or "最高"


class TieredFormula(FormulaKind):
    kind: Literal["tiered"]
    input: str
    tiers: tuple[Tier, ...] = Field(min_length=2)
    takes_multiple: ClassVar[bool] = False

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        return {self.input: ("tier",)}

    def numbers(self) -> list[RuleNumber]:
        return _numbers(*(("money", t.amount) for t in self.tiers))

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        return tiered_amount({t.name: t.amount for t in self.tiers}, values[self.input])

    def maximum(self, tier: str | None = None) -> Cap:
        amounts = {t.name: t.amount for t in self.tiers}
        if tier is not None and tier in amounts:
            return amounts[tier], tier
        top = max(amounts, key=lambda name: amounts[name])
        return amounts[top], f"最高（{top}）"

    def tier_options(self) -> tuple[Tier, ...]:
        return self.tiers

    def tier_input(self) -> str | None:
        return self.input


class RateFormula(FormulaKind):
    kind: Literal["rate"]
    base: str
    rate: Rate = Field(gt=0, le=1)
    min_base: Decimal | None = Field(default=None, gt=0)
    min_strict: bool = False
    min_label: str = ""
    cap_per_item: Decimal | None = Field(default=None, gt=0)
    cap_per_item_label: str = "每项最高"
    cap_per_year: Decimal | None = Field(default=None, gt=0)
    cap_per_year_label: str = "每年最高"
    cap_total: Decimal | None = Field(default=None, gt=0)
    cap_total_label: str = "累计最高"
    years_input: str | None = None
    max_years: int | None = Field(default=None, gt=0)

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        wanted: dict[str, tuple[InputKind, ...]] = {self.base: ("money",)}
        if self.years_input:
            wanted[self.years_input] = ("years",)
        return wanted

    def numbers(self) -> list[RuleNumber]:
        return _numbers(
            ("percent", self.rate),
            ("money", self.min_base),
            ("money", self.cap_per_item),
            ("money", self.cap_per_year),
            ("money", self.cap_total),
            ("years", self.max_years),
        )

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        base = values[self.base]
        # The field names of the rule table are the function's keyword names.
        limits = self.model_dump(exclude={"kind", "base", "rate", "years_input"})
        years = values[self.years_input] if self.years_input else None
        return rate_of_base(
            base if isinstance(base, list) else [base], self.rate, years=years, **limits
        )

    def maximum(self, tier: str | None = None) -> Cap:
        return _first_cap(
            [
                (self.cap_total, self.cap_total_label),
                (self.cap_per_year, self.cap_per_year_label),
                (self.cap_per_item, self.cap_per_item_label),
            ],
            f"按{format_rate(self.rate)}计算，条文未规定上限",
        )

    def yearly_base(self) -> tuple[str, str] | None:
        return (self.base, self.years_input) if self.years_input else None


class LesserOfFormula(FormulaKind):
    kind: Literal["lesser_of"]
    base: str
    rate: Rate = Field(gt=0, le=1)
    limit: str
    limit_label: str
    cap_per_item: Decimal | None = Field(default=None, gt=0)
    cap_per_item_label: str = "每项最高"

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        return {self.base: ("money",), self.limit: ("money",)}

    def numbers(self) -> list[RuleNumber]:
        return _numbers(("percent", self.rate), ("money", self.cap_per_item))

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        caps = self.model_dump(include={"limit_label", "cap_per_item", "cap_per_item_label"})
        return lesser_of(values[self.base], self.rate, values[self.limit], **caps)

    def maximum(self, tier: str | None = None) -> Cap:
        return _first_cap(
            [(self.cap_per_item, self.cap_per_item_label)],
            f"按{format_rate(self.rate)}计算，条文未规定上限",
        )


class PerUnitFormula(FormulaKind):
    kind: Literal["per_unit"]
    count: str
    amount_per_unit: Decimal = Field(gt=0)
    unit_count: int = Field(default=1, gt=0)
    unit: str
    cap_per_year: Decimal | None = Field(default=None, gt=0)
    cap_per_year_label: str = "每年最高"

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        return {self.count: ("count",)}

    def numbers(self) -> list[RuleNumber]:
        return _numbers(
            ("money", self.amount_per_unit),
            ("count", self.unit_count),
            ("money", self.cap_per_year),
        )

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        limits = self.model_dump(exclude={"kind", "count", "amount_per_unit"})
        return per_unit(values[self.count], self.amount_per_unit, **limits)

    def maximum(self, tier: str | None = None) -> Cap:
        return _first_cap(
            [(self.cap_per_year, self.cap_per_year_label)], "按数量计算，条文未规定上限"
        )


class MatchedFormula(FormulaKind):
    kind: Literal["matched"]
    base: str
    ratio: tuple[int, int]
    cap: Decimal | None = Field(default=None, gt=0)
    cap_label: str = "最高"

    @field_validator("ratio", mode="before")
    @classmethod
    def _ratio(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_ratio(value)
            except MoneyParseError as e:
                raise ValueError(str(e)) from e
        return value

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        return {self.base: ("money",)}

    def numbers(self) -> list[RuleNumber]:
        a, b = self.ratio
        return _numbers(("ratio", Decimal(a) / Decimal(b)), ("money", self.cap))

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        return matched_ratio(values[self.base], self.ratio, cap=self.cap, cap_label=self.cap_label)

    def maximum(self, tier: str | None = None) -> Cap:
        a, b = self.ratio
        return _first_cap([(self.cap, self.cap_label)], f"按{a}:{b}配套，条文未规定上限")


class SplitFormula(FormulaKind):
    kind: Literal["split"]
    base: str
    rate_input: str
    base_cap: Decimal | None = Field(default=None, gt=0)
    base_cap_label: str = ""
    shares: tuple[Share, ...] = Field(min_length=2)

    def wanted_inputs(self) -> dict[str, tuple[InputKind, ...]]:
        return {self.base: ("money",), self.rate_input: ("rate",)}

    def numbers(self) -> list[RuleNumber]:
        parts = [share.part for share in self.shares]
        ratio = Decimal(parts[0]) / Decimal(parts[1]) if len(parts) == 2 else None
        return _numbers(("money", self.base_cap), ("ratio", ratio))

    def outcome(self, values: Mapping[str, Any]) -> Outcome:
        return split_by_ratio(
            values[self.base],
            values[self.rate_input],
            [(s.name, s.part) for s in self.shares],
            base_cap=self.base_cap,
            base_cap_label=self.base_cap_label,
        )

    def maximum(self, tier: str | None = None) -> Cap:
        return None, "金额取决于损失和比例，条文未规定上限"


Formula = Annotated[
    FixedFormula
    | TieredFormula
    | RateFormula
    | LesserOfFormula
    | PerUnitFormula
    | MatchedFormula
    | SplitFormula,
    Field(discriminator="kind"),
]


def _registry() -> dict[str, type[FormulaKind]]:
    classes: tuple[type[FormulaKind], ...] = get_args(get_args(Formula)[0])
    return {get_args(cls.model_fields["kind"].annotation)[0]: cls for cls in classes}


# Every formula kind, by the `kind` string of rules.toml, read from `Formula` (one list to edit).
KINDS: dict[str, type[FormulaKind]] = _registry()
