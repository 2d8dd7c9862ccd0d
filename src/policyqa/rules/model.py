"""The rule table's entries, as typed models: rules, their formulas, inputs and thresholds,
provisions without an amount, combination provisions, and the regions' industry categories.

Owns the vocabulary (subject types, benefits), the checks one entry can make of
itself (a formula's inputs are declared, a subject type is known), the numbers a rule states
(`rule_numbers`) and the industry terms a text names. Never reads a file and never looks across
entries: loading, the manifest and the whole `RuleBook` are `policyqa.rules.table`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

# The formula kinds live in their registry; their names are re-exported for the callers that
# construct or annotate them.
from policyqa.rules.kinds import (
    Entry,
    FixedFormula,
    Formula,
    FormulaKind,
    InputKind,
    LesserOfFormula,
    MatchedFormula,
    PerUnitFormula,
    Rate,
    RateFormula,
    RuleNumber,
    Share,
    SplitFormula,
    Tier,
    TieredFormula,
)
from policyqa.text import normalize

__all__ = [
    "Entry",
    "FixedFormula",
    "Formula",
    "FormulaKind",
    "InputKind",
    "LesserOfFormula",
    "MatchedFormula",
    "PerUnitFormula",
    "RateFormula",
    "RuleNumber",
    "Share",
    "SplitFormula",
    "Tier",
    "TieredFormula",
]

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

Benefit = Literal["补助", "奖励", "贴息", "补偿", "再贷款"]


def expand_subjects(subjects: Iterable[str]) -> frozenset[str]:
    """The subject types plus every broader type they imply."""
    out: set[str] = set()
    for subject in subjects:
        out.add(subject)
        out.update(SUBJECT_IMPLIES.get(subject, ()))
    return frozenset(out)


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


class Threshold(Entry):
    """A condition on an input (or on the growth between two inputs) below which nothing is paid."""

    input: str | None = None
    growth: tuple[str, str] | None = None
    minimum: Rate
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
        wanted = dict(self.formula.wanted_inputs())
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
        if not self.formula.takes_multiple and any(s.multiple for s in self.inputs):
            raise ValueError(f"{self.formula.kind} rules take one value per input")
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


def rule_numbers(rule: Rule) -> list[RuleNumber]:
    """Every number a rule states, as (kind, value) in `policyqa.rules.money.Quantity` terms.

    Kinds: money (yuan), percent (fraction), ratio (a/b), count, years: the formula's numbers
    (`FormulaKind.numbers`) and the thresholds'. Each must appear in the rule's quotes.
    """
    out = rule.formula.numbers()
    for threshold in rule.thresholds:
        is_money = threshold.input is not None and rule.input_spec(threshold.input).kind == "money"
        out.append(("money" if is_money else "percent", Decimal(threshold.minimum)))
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
