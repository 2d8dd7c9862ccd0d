"""The rule table's entries, as typed models: rules, their formulas, inputs and thresholds,
provisions without an amount, combination provisions, and the regions' industry categories.

Owns the vocabulary (subject types, formula and input kinds), the checks one entry can make of
itself (a formula's inputs are declared, a subject type is known), the numbers a rule states
(`rule_numbers`) and the industry terms a text names. Never reads a file and never looks across
entries: loading, the manifest and the whole `RuleBook` are `policyqa.rules.table`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from policyqa.rules.money import MoneyParseError, parse_rate, parse_ratio
from policyqa.text import normalize

# Who a rule can be for; a profile's subject types use the same words.
SUBJECT_TYPES: tuple[str, ...] = (
    "企业",
    "中小微企业",
    "科技型中小企业",
    "高新技术企业",
    "规模以上企业",
    "国有企业",
    "孵化载体",
    "孵化器",
    "加速器",
    "众创空间",
    "大学科技园",
    "投资机构",
    "高校院所",
    "金融机构",
    "创业团队",
    "个人",
    "创新平台",
    "技术转移服务机构",
)
# A subject type also counts as these broader ones (科技型中小企业 is a 中小微企业 and an 企业).
SUBJECT_IMPLIES: dict[str, tuple[str, ...]] = {
    "科技型中小企业": ("中小微企业", "企业"),
    "中小微企业": ("企业",),
    "高新技术企业": ("企业",),
    "规模以上企业": ("企业",),
    "国有企业": ("企业",),
    "孵化器": ("孵化载体",),
    "加速器": ("孵化载体",),
    "众创空间": ("孵化载体",),
    "大学科技园": ("孵化载体",),
}

FormulaKind = Literal["fixed", "tiered", "rate", "lesser_of", "per_unit", "matched", "split"]
InputKind = Literal["money", "count", "years", "tier", "rate", "text"]
Benefit = Literal["补助", "奖励", "贴息", "补偿", "再贷款"]


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


def expand_subjects(subjects: Iterable[str]) -> frozenset[str]:
    """The subject types plus every broader type they imply."""
    out: set[str] = set()
    for subject in subjects:
        out.add(subject)
        out.update(SUBJECT_IMPLIES.get(subject, ()))
    return frozenset(out)


class Entry(BaseModel):
    """One entry of the rule table: frozen, and a key the model does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class InputSpec(Entry):
    """One input a formula needs, with the Chinese prompt used when it is missing."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: InputKind
    label: str
    prompt: str
    cues: tuple[str, ...] = ()
    required: bool = True
    default: int | None = None
    multiple: bool = False


class Tier(Entry):
    name: str
    amount: Decimal = Field(gt=0)
    cues: tuple[str, ...] = ()


class Share(Entry):
    name: str
    part: int = Field(gt=0)


class FixedFormula(Entry):
    kind: Literal["fixed"]
    amount: Decimal = Field(gt=0)
    label: str = ""


class TieredFormula(Entry):
    kind: Literal["tiered"]
    input: str
    tiers: tuple[Tier, ...] = Field(min_length=2)


class RateFormula(Entry):
    kind: Literal["rate"]
    base: str
    rate: Annotated[Decimal, BeforeValidator(_rate)] = Field(gt=0, le=1)
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


class LesserOfFormula(Entry):
    kind: Literal["lesser_of"]
    base: str
    rate: Annotated[Decimal, BeforeValidator(_rate)] = Field(gt=0, le=1)
    limit: str
    limit_label: str
    cap_per_item: Decimal | None = Field(default=None, gt=0)
    cap_per_item_label: str = "每项最高"


class PerUnitFormula(Entry):
    kind: Literal["per_unit"]
    count: str
    amount_per_unit: Decimal = Field(gt=0)
    unit_count: int = Field(default=1, gt=0)
    unit: str
    cap_per_year: Decimal | None = Field(default=None, gt=0)
    cap_per_year_label: str = "每年最高"


class MatchedFormula(Entry):
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


class SplitFormula(Entry):
    kind: Literal["split"]
    base: str
    rate_input: str
    base_cap: Decimal | None = Field(default=None, gt=0)
    base_cap_label: str = ""
    shares: tuple[Share, ...] = Field(min_length=2)


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


class Threshold(Entry):
    """A condition on an input (or on the growth between two inputs) below which nothing is paid."""

    input: str | None = None
    growth: tuple[str, str] | None = None
    minimum: Annotated[Decimal, BeforeValidator(_rate)]
    strict: bool = False
    condition: str

    @model_validator(mode="after")
    def _one_source(self) -> Threshold:
        if (self.input is None) == (self.growth is None):
            raise ValueError("a threshold names exactly one of `input` or `growth`")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.input,) if self.input else self.growth or ()


class Rule(Entry):
    """One money rule of one clause; region, status and exclusive group are filled on load."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    clause_id: str
    title: str
    subjects: tuple[str, ...] = Field(min_length=1)
    requirements: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    benefit: Benefit
    upper_bound: bool = False
    keywords: tuple[str, ...] = ()
    special_case_of: str | None = None
    quote: tuple[str, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()
    formula: Formula
    inputs: tuple[InputSpec, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    # Filled by load_rules from the manifest and the combination provisions.
    region: str = ""
    doc_status: Literal["draft", "in_force", ""] = ""
    exclusive_group: str | None = None
    exclusive_clause_id: str | None = None
    industry_terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Every industry category of the rule's region, so that a term is read in full
    # (新能源汽车 is 传统产业 even though 新能源 is one of the rule's 未来产业 terms).
    region_industry_terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.clause_id.split(":", 1)[0]

    def industry_categories(self, text: str) -> tuple[set[str], set[str]]:
        """The categories of the rule's region that `text` names, and those the rule wants."""
        named = classify_industry(text, self.region_industry_terms or self.industry_terms)
        return named, named & set(self.industries)

    def industry_mismatch(self, industry: str) -> str | None:
        """Why `industry` is outside the rule's categories (None when it is inside)."""
        named, wanted = self.industry_categories(industry)
        if wanted:
            return None
        listed = "、".join(self.industries)
        if named:
            return f"“{industry}”属于{'、'.join(sorted(named))}，不属于{listed}领域"
        return f"未能确认“{industry}”属于{listed}领域（以{self.region}所列产业为准）"

    def input_spec(self, name: str) -> InputSpec:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(f"rule {self.id} has no input {name!r}")

    @field_validator("subjects")
    @classmethod
    def _known_subjects(cls, subjects: tuple[str, ...]) -> tuple[str, ...]:
        for alternative in subjects:
            for part in alternative.split("+"):
                if part not in SUBJECT_TYPES:
                    raise ValueError(f"unknown subject {part!r}; use one of {SUBJECT_TYPES}")
        return subjects

    @model_validator(mode="after")
    def _inputs_exist(self) -> Rule:
        declared = {spec.name: spec for spec in self.inputs}
        wanted: dict[str, tuple[InputKind, ...]] = {}
        f = self.formula
        if isinstance(f, TieredFormula):
            wanted[f.input] = ("tier",)
        elif isinstance(f, RateFormula):
            wanted[f.base] = ("money",)
            if f.years_input:
                wanted[f.years_input] = ("years",)
        elif isinstance(f, LesserOfFormula):
            wanted[f.base] = ("money",)
            wanted[f.limit] = ("money",)
        elif isinstance(f, PerUnitFormula):
            wanted[f.count] = ("count",)
        elif isinstance(f, MatchedFormula):
            wanted[f.base] = ("money",)
        elif isinstance(f, SplitFormula):
            wanted[f.base] = ("money",)
            wanted[f.rate_input] = ("rate",)
        for threshold in self.thresholds:
            for name in threshold.inputs:
                wanted.setdefault(name, ("money", "count", "rate"))
        for name, kinds in wanted.items():
            spec = declared.get(name)
            if spec is None:
                raise ValueError(f"formula uses input {name!r}, which [[rule.inputs]] lacks")
            if spec.kind not in kinds:
                raise ValueError(f"input {name!r} must be of kind {kinds}, not {spec.kind!r}")
        unused = set(declared) - set(wanted)
        if unused:
            raise ValueError(f"inputs {sorted(unused)} are declared but not used by the formula")
        if isinstance(f, TieredFormula) and any(s.multiple for s in self.inputs):
            raise ValueError("tiered rules take one tier")
        return self


class Exclusion(Entry):
    """A clause (or part of one) that mentions money but grants nothing, with the reason."""

    clause_id: str
    quote: tuple[str, ...] = Field(min_length=1)
    reason: str


class Provision(Entry):
    """Support a clause grants without a stated amount (一事一议, 参照标准 …); never computed.

    `keywords` name what it is for (飞地孵化器, 全国重点实验室): a question about that is
    answered from the clause text, not by the amount of another rule of the same clause.
    """

    clause_id: str
    title: str
    subjects: tuple[str, ...]
    quote: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    region: str = ""  # filled by load_rules from the manifest

    @property
    def doc_id(self) -> str:
        return self.clause_id.split(":", 1)[0]


class Combination(Entry):
    """A provision about combining rules, e.g. "就高、不重复" over every rule of a document."""

    id: str
    clause_id: str
    principle: str
    doc_id: str
    quote: tuple[str, ...] = Field(min_length=1)
    except_rules: tuple[str, ...] = ()


class IndustryCategory(Entry):
    """A region's named industry category (新兴产业 …) and the terms that belong to it."""

    region: str
    category: str
    sources: tuple[str, ...]
    terms: tuple[str, ...] = Field(min_length=1)


RuleNumber = tuple[str, Decimal]


def rule_numbers(rule: Rule) -> list[RuleNumber]:
    """Every number a rule states, as (kind, value) in `policyqa.rules.money.Quantity` terms.

    Kinds: money (yuan), percent (fraction), ratio (a/b), count, years. Used to check that
    each number of a rule appears in its clause.
    """
    out: list[RuleNumber] = []
    f = rule.formula

    def add(kind: str, value: Decimal | int | None) -> None:
        if value is not None:
            out.append((kind, Decimal(value)))

    if isinstance(f, FixedFormula):
        add("money", f.amount)
    elif isinstance(f, TieredFormula):
        for tier in f.tiers:
            add("money", tier.amount)
    elif isinstance(f, RateFormula):
        add("percent", f.rate)
        add("money", f.min_base)
        add("money", f.cap_per_item)
        add("money", f.cap_per_year)
        add("money", f.cap_total)
        add("years", f.max_years)
    elif isinstance(f, LesserOfFormula):
        add("percent", f.rate)
        add("money", f.cap_per_item)
    elif isinstance(f, PerUnitFormula):
        add("money", f.amount_per_unit)
        add("count", f.unit_count)
        add("money", f.cap_per_year)
    elif isinstance(f, MatchedFormula):
        add("ratio", Decimal(f.ratio[0]) / Decimal(f.ratio[1]))
        add("money", f.cap)
    elif isinstance(f, SplitFormula):
        add("money", f.base_cap)
        parts = [share.part for share in f.shares]
        if len(parts) == 2:
            add("ratio", Decimal(parts[0]) / Decimal(parts[1]))
    for threshold in rule.thresholds:
        is_money = threshold.input is not None and rule.input_spec(threshold.input).kind == "money"
        add("money" if is_money else "percent", threshold.minimum)
    return out


def industries_named(
    text: str, categories: dict[str, tuple[str, ...]] | Iterable[IndustryCategory]
) -> list[tuple[str, str]]:
    """(term, category) for every industry term `text` names, longest term first.

    A term inside a longer named term does not count: 新能源汽车 (传统产业) is not 新能源
    (未来产业), 高端化工材料 (新兴产业) is not 化工. A category's own name ("新兴产业企业")
    names it too.
    """
    if not isinstance(categories, dict):
        categories = {c.category: c.terms for c in categories}
    norm = normalize(text)
    hits: list[tuple[int, int, str, str]] = []
    for category, terms in categories.items():
        for term in (category, *terms):
            start = norm.find(term)
            while start >= 0:
                hits.append((start, start + len(term), term, category))
                start = norm.find(term, start + 1)
    kept = {
        (term, category)
        for s, e, term, category in hits
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _, _ in hits)
    }
    return sorted(kept, key=lambda hit: (-len(hit[0]), hit))


def classify_industry(
    text: str, categories: dict[str, tuple[str, ...]] | Iterable[IndustryCategory]
) -> set[str]:
    """The industry categories `text` names; the longest term wins (高端化工材料 is not 化工)."""
    return {category for _, category in industries_named(text, categories)}
