"""The rule table (`corpus/rules.toml`): money rules tied to their clauses, loaded and validated.

Each rule names its clause, who qualifies, the conditions, the formula kind and its numbers; the
region and status come from the corpus manifest. Combination provisions ("就高、不重复") mark the
rules they govern with an exclusive group that matching applies.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from policyqa.corpus.manifest import CorpusError, Manifest, load_manifest
from policyqa.rules.money import MoneyParseError, parse_rate, parse_ratio
from policyqa.text import normalize

RULES_FILE = "rules.toml"

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


class RulesError(Exception):
    """The rule table is missing or invalid; the message names the file and the entry to fix."""


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


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InputSpec(_Model):
    """One input a formula needs, with the Chinese prompt used when it is missing."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: InputKind
    label: str
    prompt: str
    cues: tuple[str, ...] = ()
    required: bool = True
    default: int | None = None
    multiple: bool = False


class Tier(_Model):
    name: str
    amount: Decimal = Field(gt=0)
    cues: tuple[str, ...] = ()


class Share(_Model):
    name: str
    part: int = Field(gt=0)


class FixedFormula(_Model):
    kind: Literal["fixed"]
    amount: Decimal = Field(gt=0)
    label: str = ""


class TieredFormula(_Model):
    kind: Literal["tiered"]
    input: str
    tiers: tuple[Tier, ...] = Field(min_length=2)


class RateFormula(_Model):
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


class LesserOfFormula(_Model):
    kind: Literal["lesser_of"]
    base: str
    rate: Annotated[Decimal, BeforeValidator(_rate)] = Field(gt=0, le=1)
    limit: str
    limit_label: str
    cap_per_item: Decimal | None = Field(default=None, gt=0)
    cap_per_item_label: str = "每项最高"


class PerUnitFormula(_Model):
    kind: Literal["per_unit"]
    count: str
    amount_per_unit: Decimal = Field(gt=0)
    unit_count: int = Field(default=1, gt=0)
    unit: str
    cap_per_year: Decimal | None = Field(default=None, gt=0)
    cap_per_year_label: str = "每年最高"


class MatchedFormula(_Model):
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


class SplitFormula(_Model):
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


class Threshold(_Model):
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


class Rule(_Model):
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


class Exclusion(_Model):
    """A clause (or part of one) that mentions money but grants nothing, with the reason."""

    clause_id: str
    quote: tuple[str, ...] = Field(min_length=1)
    reason: str


class Provision(_Model):
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


class Combination(_Model):
    """A provision about combining rules, e.g. "就高、不重复" over every rule of a document."""

    id: str
    clause_id: str
    principle: str
    doc_id: str
    quote: tuple[str, ...] = Field(min_length=1)
    except_rules: tuple[str, ...] = ()


class IndustryCategory(_Model):
    """A region's named industry category (新兴产业 …) and the terms that belong to it."""

    region: str
    category: str
    sources: tuple[str, ...]
    terms: tuple[str, ...] = Field(min_length=1)


class _RulesFile(_Model):
    industry: tuple[IndustryCategory, ...] = ()
    combination: tuple[Combination, ...] = ()
    rule: tuple[Rule, ...] = ()
    exclusion: tuple[Exclusion, ...] = ()
    provision: tuple[Provision, ...] = ()


@dataclass(frozen=True)
class RuleBook:
    """Everything in the rule table, with lookups by rule and by clause."""

    rules: tuple[Rule, ...]
    combinations: tuple[Combination, ...]
    exclusions: tuple[Exclusion, ...]
    provisions: tuple[Provision, ...]
    industries: tuple[IndustryCategory, ...]

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(
            f"unknown rule id {rule_id!r}; list them with policyqa.rules.table.load_rules"
        )

    def for_clause(self, clause_id: str) -> list[Rule]:
        """The rules stated by one clause, in table order (empty when it grants no amount)."""
        return [r for r in self.rules if r.clause_id == clause_id]

    def provisions_for(self, clause_id: str) -> list[Provision]:
        """The support without an amount that one clause states (一事一议 …)."""
        return [p for p in self.provisions if p.clause_id == clause_id]

    def clause_ids(self) -> list[str]:
        return sorted({r.clause_id for r in self.rules})


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


def _parse_file(path: Path) -> _RulesFile:
    if not path.is_file():
        raise RulesError(f"no rule table at {path}; create {RULES_FILE} in the corpus directory")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise RulesError(f"{path} is not valid TOML: {e}") from e
    try:
        return _RulesFile.model_validate(data)
    except ValidationError as e:
        raise RulesError(f"{path}: invalid entry: {e}") from e


def _resolve(parsed: _RulesFile, manifest: Manifest, path: Path) -> RuleBook:
    ids = [r.id for r in parsed.rule]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RulesError(f"{path}: duplicate rule ids {dupes}")
    known = set(ids)
    groups: dict[str, Combination] = {}
    for combo in parsed.combination:
        manifest_ids = {d.id for d in manifest.documents}
        if combo.doc_id not in manifest_ids:
            raise RulesError(
                f"{path}: combination {combo.id} names unknown document {combo.doc_id}"
            )
        for rule_id in combo.except_rules:
            if rule_id not in known:
                raise RulesError(f"{path}: combination {combo.id} excepts unknown rule {rule_id}")
        groups[combo.doc_id] = combo
    rules: list[Rule] = []
    for rule in parsed.rule:
        try:
            doc = manifest.get(rule.doc_id)
        except CorpusError as e:
            raise RulesError(f"{path}: rule {rule.id}: {e}") from e
        if rule.special_case_of and rule.special_case_of not in known:
            raise RulesError(f"{path}: rule {rule.id} is a special case of unknown rule")
        region_terms = {c.category: c.terms for c in parsed.industry if c.region == doc.region}
        terms = {c: t for c, t in region_terms.items() if c in rule.industries}
        missing = set(rule.industries) - set(terms)
        if missing:
            raise RulesError(
                f"{path}: rule {rule.id} names industries {sorted(missing)} with no [[industry]] "
                f"list for {doc.region}"
            )
        combo = groups.get(rule.doc_id)
        in_group = combo is not None and rule.id not in combo.except_rules
        rules.append(
            rule.model_copy(
                update={
                    "region": doc.region,
                    "doc_status": doc.status,
                    "exclusive_group": combo.id if in_group and combo else None,
                    "exclusive_clause_id": combo.clause_id if in_group and combo else None,
                    "industry_terms": terms,
                    "region_industry_terms": region_terms,
                }
            )
        )
    provisions = []
    for provision in parsed.provision:
        try:
            doc = manifest.get(provision.doc_id)
        except CorpusError as e:
            raise RulesError(f"{path}: provision {provision.title}: {e}") from e
        provisions.append(provision.model_copy(update={"region": doc.region}))
    return RuleBook(
        rules=tuple(rules),
        combinations=parsed.combination,
        exclusions=parsed.exclusion,
        provisions=tuple(provisions),
        industries=parsed.industry,
    )


def load_rules(corpus_dir: Path) -> RuleBook:
    """Read and validate `corpus_dir/rules.toml` against the corpus manifest."""
    path = corpus_dir / RULES_FILE
    try:
        manifest = load_manifest(corpus_dir)
    except CorpusError as e:
        raise RulesError(str(e)) from e
    return _resolve(_parse_file(path), manifest, path)


@lru_cache(maxsize=4)
def _cached(corpus_dir: Path, mtime_ns: int) -> RuleBook:
    return load_rules(corpus_dir)


def default_rules(corpus_dir: Path | None = None) -> RuleBook:
    """The rule table of `corpus_dir` (default: the configured corpus), cached until it changes."""
    if corpus_dir is None:
        from policyqa.settings import get_settings

        corpus_dir = get_settings().corpus_dir
    corpus_dir = corpus_dir.resolve()
    path = corpus_dir / RULES_FILE
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    return _cached(corpus_dir, mtime)


def rules_for_clause(clause_id: str, corpus_dir: Path | None = None) -> list[Rule]:
    """The rules a clause states (empty when it grants no computable amount)."""
    return default_rules(corpus_dir).for_clause(clause_id)
