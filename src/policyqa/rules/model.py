"""The rule table's entries, as typed models: rules, their formulas, inputs and thresholds,
provisions without an amount, combination provisions, and the regions' industry categories.

Owns the checks one entry can make of itself (a formula's inputs are declared, a subject type
is known), the numbers a rule states (`rule_numbers`) and the industry terms a text names.
Never reads a file and never looks across entries: loading, the manifest and the whole
`RuleBook` are `policyqa.rules.table`; the words entries are written in (subject types,
benefits, input names) are `rules.vocabulary`, the formula kinds `rules.kinds`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

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
from policyqa.rules.vocabulary import VOCABULARY_FILE, Vocabulary, default_vocabulary
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


def vocabulary_of(info: ValidationInfo) -> Vocabulary:
    """The vocabulary a validation runs against: the one the loader passes as context, else
    the configured corpus's (an entry built in code)."""
    given = (info.context or {}).get("vocabulary")
    return given if isinstance(given, Vocabulary) else default_vocabulary()


def expand_subjects(
    subjects: Iterable[str], vocabulary: Vocabulary | None = None
) -> frozenset[str]:
    """The subject types plus every broader type they imply (default: configured vocabulary)."""
    return (vocabulary or default_vocabulary()).expand(subjects)


def __getattr__(name: str) -> object:
    # SUBJECT_TYPES is data now (vocabulary.toml); the name stays for the callers that read it.
    if name == "SUBJECT_TYPES":
        return default_vocabulary().subject_names()
    raise AttributeError(name)


class InputSpec(Entry):
    """One input a formula needs, with the Chinese prompt used when it is missing.

    Kind, label, unit and cues default to the vocabulary's [[input]] of that name (a rule
    may give its own label and cues for its clause, never another kind).
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: InputKind
    label: str
    prompt: str
    unit: str = ""
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


class LayerTier(Entry):
    """One case of another level's rate (省财政直管县 60%), with the words that name it."""

    name: str
    rate: Rate = Field(gt=0, le=1)
    cues: tuple[str, ...] = Field(min_length=1)


class Layer(Entry):
    """Another level's part of the same cost, which the clause states and the rule's own part is
    paid on top of ("在省财政补助(省财政直管县60%、其他地区40%)基础上，市级财政补助20%").

    `payer` / `words` name that level and how a question says it (省里); `own_payer` /
    `own_words` the rule's own level (市级财政 / 市里). The tiers are the cases of its rate."""

    payer: str
    words: tuple[str, ...] = Field(min_length=1)
    own_payer: str
    own_words: tuple[str, ...] = Field(min_length=1)
    tiers: tuple[LayerTier, ...] = Field(min_length=1)
    prompt: str


class Rule(Entry):
    """One money rule of one clause; region, status and exclusive group are filled on load."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    clause_id: str
    title: str
    subjects: tuple[str, ...] = Field(min_length=1)
    requirements: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    benefit: str
    upper_bound: bool = False
    keywords: tuple[str, ...] = ()
    special_case_of: str | None = None
    quote: tuple[str, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()
    formula: Formula
    inputs: tuple[InputSpec, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    # Another level's part of the same cost, stated in the clause (`Layer`).
    beneath: Layer | None = None
    # False for a rule `policyqa rules propose` wrote: never used for an amount until a
    # person checks it and runs `policyqa rules accept`.
    reviewed: bool = True
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
    def _known_subjects(cls, subjects: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        vocabulary = vocabulary_of(info)
        names = vocabulary.subject_names()
        for alternative in subjects:
            for part in alternative.split("+"):
                if part in names:
                    continue
                canonical = vocabulary.canonical_subject(part)
                hint = f"write {canonical!r}" if canonical else f"add it to {VOCABULARY_FILE}"
                raise ValueError(f"unknown subject {part!r}: {hint}; known: {names}")
        return subjects

    @field_validator("benefit")
    @classmethod
    def _known_benefit(cls, benefit: str, info: ValidationInfo) -> str:
        benefits = vocabulary_of(info).benefits
        if benefit not in benefits:
            raise ValueError(f"unknown benefit {benefit!r}; use one of {benefits}")
        return benefit

    @field_validator("inputs", mode="before")
    @classmethod
    def _inputs_from_vocabulary(cls, inputs: Any, info: ValidationInfo) -> Any:
        """Fill each input's kind, label, unit and cues from the vocabulary's [[input]]."""
        if not isinstance(inputs, list | tuple):
            return inputs
        vocabulary = vocabulary_of(info)
        filled = []
        for raw in inputs:
            if not isinstance(raw, dict) or "name" not in raw:
                filled.append(raw)
                continue
            known = vocabulary.input_named(str(raw["name"]))
            if known is None:
                raise ValueError(
                    f"input {raw['name']!r} is not declared in {VOCABULARY_FILE} ([[input]])"
                )
            if raw.get("kind", known.kind) != known.kind:
                raise ValueError(
                    f"input {known.name!r} is of kind {known.kind!r} in {VOCABULARY_FILE}, "
                    f"not {raw['kind']!r}"
                )
            spec = {"kind": known.kind, "label": known.label, "unit": known.unit}
            spec["cues"] = known.cues
            spec.update(raw)
            spec.setdefault("prompt", f"请提供{spec['label']}")
            filled.append(spec)
        return filled

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
    if rule.beneath is not None:
        out.extend(("percent", Decimal(tier.rate)) for tier in rule.beneath.tiers)
    return out


def industries_named(
    text: str, categories: dict[str, tuple[str, ...]] | Iterable[IndustryCategory]
) -> list[tuple[str, str]]:
    """(term, category) for every industry term `text` names, longest term first.

    A term inside a longer named term does not count: 新能源汽车 (传统产业) is not 新能源
    (未来产业), 高端化工材料 (新兴产业) is not 化工. A category's own name ("新兴产业企业")
    names it too, as does its stem said of an enterprise or a field ("传统企业", "新兴领域").
    """
    if not isinstance(categories, dict):
        categories = {c.category: c.terms for c in categories}
    norm = normalize(text)
    hits: list[tuple[int, int, str, str]] = []
    for category, terms in categories.items():
        # The category said of an enterprise or a field: "传统企业", "新兴领域".
        stem = category.removesuffix("产业")
        said = [f"{stem}{kind}" for kind in ("企业", "领域", "行业")] if stem != category else []
        for term in (category, *said, *terms):
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
