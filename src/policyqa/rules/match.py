"""Matching an enterprise profile to the rule table.

Every rule whose region and subject types fit the profile, sorted into what the user can act
on: 可获得 (an amount computed from the profile's own figures), 需补充 (the rule is meant for
this kind of enterprise; the missing figures and facts are named), 其他可能相关 (only a broad
type such as 企业 fits and the profile gives no evidence: shown, never counted) and 不符合 (a
known figure rules it out). "就高、不重复" compares computed amounts only, so an unproven maximum
never supersedes an amount computed from the user's figures; the best combination and its
total are reported, and an empty result says why (`match_report`: what `policyqa match` and
`POST /match` return). Never reads a question: that is the answer stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from policyqa.corpus.regions import SHANDONG_CITIES
from policyqa.rules.calc import CalcResult, compute, failed_threshold, maximum_amount
from policyqa.rules.formulas import InvalidInputError, MissingInputError
from policyqa.rules.model import Provision, Rule, expand_subjects
from policyqa.rules.money import format_yuan
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook
from policyqa.text import normalize

Basis = Literal["computed", "maximum", "unknown"]
Group = Literal["obtainable", "needs_input", "related", "not_eligible"]
GROUPS: tuple[Group, ...] = ("obtainable", "needs_input", "related", "not_eligible")
GROUP_NAMES: dict[Group, str] = {
    "obtainable": "可获得",
    "needs_input": "需补充",
    "related": "其他可能相关",
    "not_eligible": "不符合",
}
# A rule open to any 企业 says nothing about what kind of enterprise the profile is.
GENERIC_SUBJECTS = frozenset({"企业", "个人"})


@dataclass(frozen=True)
class MatchResult:
    """One rule that may apply to a profile: its amount, why, and what is left to confirm."""

    rule: Rule
    amount_yuan: Decimal | None
    amount_label: str
    basis: Basis
    qualifies: bool
    reason: str | None = None
    calculation: CalcResult | None = None
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    superseded_by: str | None = None
    group: Group = "related"

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def clause_id(self) -> str:
        return self.rule.clause_id

    @property
    def counted(self) -> bool:
        """True when this grant is in the best combination: computed from the profile's
        figures and not superseded under 就高不重复."""
        return (
            self.group == "obtainable"
            and self.superseded_by is None
            and bool(self.amount_yuan and self.amount_yuan > 0)
        )

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount_yuan
        return {
            "rule_id": self.rule.id,
            "clause_id": self.rule.clause_id,
            "title": self.rule.title,
            "region": self.rule.region,
            "amount_yuan": None
            if amount is None
            else (int(amount) if amount % 1 == 0 else float(amount)),
            "amount_label": self.amount_label,
            "amount_text": None if amount is None else format_yuan(amount),
            "basis": self.basis,
            "group": self.group,
            "group_name": GROUP_NAMES[self.group],
            "counted": self.counted,
            "qualifies": self.qualifies,
            "reason": self.reason,
            "requirements": list(self.rule.requirements),
            "missing": list(self.missing),
            "notes": list(self.notes),
            "superseded_by": self.superseded_by,
            "calculation": self.calculation.to_contract() if self.calculation else None,
        }


def region_applies(rule_region: str, profile_region: str) -> bool:
    """True when a profile located in `profile_region` falls under a rule of `rule_region`."""
    where = normalize(profile_region)
    parts = re.findall(r"(.+?)(?:省|市|区|县)", normalize(rule_region))
    if not parts:
        return rule_region in where
    if rule_region.endswith("省"):
        province = parts[0]
        return province in where or (
            province == "山东" and any(c in where for c in SHANDONG_CITIES)
        )
    return parts[-1] in where


def subjects_apply(rule: Rule, subject_types: Iterable[str]) -> bool:
    """True when the profile is one of the rule's alternatives ("A+B" needs both);
    `subject_types` are all the profile counts as (`EnterpriseProfile.all_subject_types`)."""
    have = frozenset(subject_types)
    return any(set(alt.split("+")) <= have for alt in rule.subjects)


def _match_one(rule: Rule, profile: EnterpriseProfile) -> MatchResult | None:
    if not region_applies(rule.region, profile.region):
        return None
    if not subjects_apply(rule, profile.all_subject_types):
        return None
    notes: list[str] = []
    if rule.doc_status == "draft":
        notes.append("所在文件为征求意见稿，尚未正式施行，条款可能调整")
    notes.extend(rule.notes)
    figures = dict(profile.figures)
    if rule.industries and profile.industry:
        figures["industry"] = profile.industry
        reason = rule.industry_mismatch(profile.industry)
        if reason:
            return MatchResult(
                rule, Decimal(0), "不符合", "computed", False, reason, notes=tuple(notes)
            )
    try:
        calc = compute(rule, figures)
    except MissingInputError as e:
        reason = failed_threshold(rule, figures, known_only=True)
        if reason:
            return MatchResult(
                rule, Decimal(0), "不符合", "computed", False, reason, notes=tuple(notes)
            )
        tier_input = rule.formula.tier_input()
        tier = figures.get(tier_input) if tier_input else None
        amount, label = maximum_amount(rule, tier)
        basis: Basis = "maximum" if amount is not None else "unknown"
        if tier is not None and amount is not None:
            basis = "computed"
        return MatchResult(rule, amount, label, basis, True, missing=e.prompts, notes=tuple(notes))
    except InvalidInputError as e:
        return MatchResult(rule, None, "无法计算", "unknown", True, str(e), notes=tuple(notes))
    if not rule.inputs:
        # Nothing to compute from: the clause states the amount (often a maximum).
        stated, label = maximum_amount(rule)
        basis = "maximum" if rule.upper_bound else "computed"
        return MatchResult(rule, stated, label, basis, True, calculation=calc, notes=tuple(notes))
    label = "按所填数据计算" + ("（最高额度）" if calc.upper_bound else "")
    return MatchResult(
        rule,
        calc.amount_yuan,
        label if calc.qualifies else "不符合",
        "computed",
        calc.qualifies,
        calc.reason,
        calculation=calc,
        notes=tuple(notes),
    )


def meant_for(rule: Rule, subject_types: Sequence[str]) -> bool:
    """True when the rule names this kind of enterprise, not only a type as broad as 企业."""
    have = expand_subjects(subject_types)
    return any(
        set(alt.split("+")) <= have and not set(alt.split("+")) <= GENERIC_SUBJECTS
        for alt in rule.subjects
    )


def evidence_group(result: MatchResult, profile: EnterpriseProfile) -> Group:
    """Which of the four groups a match belongs to, by what the profile proves.

    可获得 needs an amount computed from at least one figure the profile gave; 需补充 needs the
    rule to be meant for this kind of enterprise, or a figure of the rule to be given; anything
    else the region and a broad type let through is only 其他可能相关.
    """
    if not result.qualifies:
        return "not_eligible"
    given = set(profile.figures)
    asked = {spec.name for spec in result.rule.inputs}
    computed = result.calculation is not None and result.calculation.qualifies
    if computed and asked & given:
        return "obtainable"
    if asked & given or meant_for(result.rule, profile.subject_types):
        return "needs_input"
    return "related"


def _order(result: MatchResult) -> tuple[int, int, Decimal, str]:
    rank = GROUPS.index(result.group)
    if result.amount_yuan is None:
        return (rank, 1, Decimal(0), result.rule.id)
    return (rank, 0, -result.amount_yuan, result.rule.id)


def match_profile(
    profile: EnterpriseProfile, rules: RuleBook | Sequence[Rule]
) -> list[MatchResult]:
    """Every rule that may apply to `profile`: 可获得 first (by amount, descending), then 需补充,
    其他可能相关 and the rules a known figure rules out, each with its reason.

    Under "就高、不重复" only the highest computed grant of a group is counted; the other
    computed grants name it in `superseded_by`. Rules without a computed amount never supersede
    and are never superseded: they say that, if they apply, the higher one is taken.
    """
    items = rules.rules if isinstance(rules, RuleBook) else rules
    found = [r for r in (_match_one(rule, profile) for rule in items) if r is not None]
    results = sorted((replace(r, group=evidence_group(r, profile)) for r in found), key=_order)
    top: dict[str, MatchResult] = {}
    size: dict[str, int] = {}
    for result in results:
        group = result.rule.exclusive_group
        if group and result.qualifies:
            size[group] = size.get(group, 0) + 1
            if result.group == "obtainable" and result.amount_yuan:
                top.setdefault(group, result)
    final: list[MatchResult] = []
    for result in results:
        group = result.rule.exclusive_group
        if not group or not result.qualifies or size.get(group, 0) < 2:
            final.append(result)
            continue
        best = top.get(group)
        clause = result.rule.exclusive_clause_id
        if best is result:
            note = f"同一企业符合本文件多项政策的，按“就高、不重复”原则只取最高一项（{clause}）"
            final.append(_with(result, note=note))
        elif best is not None and result.group == "obtainable":
            note = f"按“就高、不重复”原则（{clause}），与更高的“{best.rule.title}”不叠加"
            final.append(_with(result, note=note, superseded_by=best.rule.id))
        elif best is not None:
            note = (
                f"按“就高、不重复”原则（{clause}），若确认符合，与已算出的“{best.rule.title}”"
                "比较取高者，不叠加"
            )
            final.append(_with(result, note=note))
        else:
            note = f"按“就高、不重复”原则（{clause}），与本文件其他政策不叠加，只取最高一项"
            final.append(_with(result, note=note))
    return final


def _with(result: MatchResult, *, note: str, superseded_by: str | None = None) -> MatchResult:
    return replace(result, notes=(*result.notes, note), superseded_by=superseded_by)


def match_provisions(profile: EnterpriseProfile, book: RuleBook) -> list[Provision]:
    """Support without a stated amount (一事一议 …) that the profile's region and type fit."""
    have = profile.all_subject_types
    return [
        p
        for p in book.provisions
        if region_applies(p.region, profile.region) and any(s in have for s in p.subjects)
    ]


EmptyCode = Literal["region_not_covered", "subject_not_covered", "all_ruled_out"]


@dataclass(frozen=True)
class EmptyReason:
    """Why a profile gets nothing: a code for programs and a Chinese sentence for people."""

    code: EmptyCode
    message: str


def why_empty(
    profile: EnterpriseProfile,
    book: RuleBook,
    results: Sequence[MatchResult],
    provisions: Sequence[Provision],
) -> EmptyReason | None:
    """None when something may apply; else whether the region, the subject types or the
    figures left nothing."""
    if provisions or any(r.qualifies for r in results):
        return None
    entries = [*book.rules, *book.provisions]
    regions = list(dict.fromkeys(e.region for e in entries if e.region))
    if not any(region_applies(region, profile.region) for region in regions):
        return EmptyReason(
            "region_not_covered",
            f"规则表没有适用于“{profile.region}”的补助规则；已收录地区：{'、'.join(regions)}。",
        )
    if not results:
        local = [e for e in entries if region_applies(e.region, profile.region)]
        open_to = dict.fromkeys(s for e in local for s in e.subjects)
        return EmptyReason(
            "subject_not_covered",
            f"“{profile.region}”的补助规则没有面向“{'、'.join(profile.subject_types)}”的；"
            f"这些规则面向：{'、'.join(open_to)}。",
        )
    return EmptyReason(
        "all_ruled_out",
        "按所填数据，适用于该主体的规则均不符合条件，原因见各条“不符合”的说明。",
    )


@dataclass(frozen=True)
class MatchReport:
    """A profile's matches, the amount-less provisions, the best combination of computed grants
    and, when nothing applies, why; ready to print or serialize."""

    results: list[MatchResult]
    provisions: list[Provision] = field(default_factory=list)
    empty_reason: EmptyReason | None = None

    def group(self, name: Group) -> list[MatchResult]:
        return [r for r in self.results if r.group == name]

    @property
    def combination(self) -> list[MatchResult]:
        """The computed grants that add up under 就高不重复 (the best combination)."""
        return [r for r in self.results if r.counted]

    @property
    def total_yuan(self) -> Decimal:
        return sum((r.amount_yuan or Decimal(0) for r in self.combination), Decimal(0))

    def summary(self) -> str:
        """One Chinese line: how many in each group and the best combination's total."""
        if self.empty_reason:
            return self.empty_reason.message
        counts = {name: len(self.group(name)) for name in GROUPS}
        head = f"可获得{counts['obtainable']}项"
        if self.combination:
            head += f"，最佳组合合计{format_yuan(self.total_yuan)}"
        parts = [head, f"需补充{counts['needs_input']}项"]
        parts.append(f"其他可能相关{counts['related']}项（未计入）")
        if counts["not_eligible"]:
            parts.append(f"不符合{counts['not_eligible']}项")
        return "；".join(parts) + "。"

    def lines(self) -> list[str]:
        """Chinese lines for a terminal: the summary, then each group with its rules."""
        out: list[str] = [self.summary()]
        i = 0
        for name in GROUPS:
            members = self.group(name)
            if members:
                out.append(f"【{GROUP_NAMES[name]}】")
            for r in members:
                i += 1
                amount = "金额未定" if r.amount_yuan is None else format_yuan(r.amount_yuan)
                head = f"{i}. {r.rule.title}：{r.amount_label} {amount}"
                if not r.qualifies:
                    head += f"（不符合：{r.reason}）"
                out.append(f"{head}  [{r.rule.clause_id}]")
                for note in r.notes:
                    out.append(f"   - {note}")
                if r.missing:
                    out.append(f"   - 还需填写：{'；'.join(r.missing)}")
        for p in self.provisions:
            out.append(f"* {p.title}：未规定金额  [{p.clause_id}]")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`policyqa match --json`, `POST /match`)."""
        total = self.total_yuan
        return {
            "results": [r.to_dict() for r in self.results],
            "provisions": [
                {"clause_id": p.clause_id, "title": p.title, "region": p.region}
                for p in self.provisions
            ],
            "groups": {name: [r.rule.id for r in self.group(name)] for name in GROUPS},
            "best_combination": {
                "rule_ids": [r.rule.id for r in self.combination],
                "total_yuan": int(total) if total % 1 == 0 else float(total),
                "total_text": format_yuan(total),
            },
            "empty_reason": None
            if self.empty_reason is None
            else {"code": self.empty_reason.code, "message": self.empty_reason.message},
            "summary": self.summary(),
        }


def match_report(profile: EnterpriseProfile, book: RuleBook) -> MatchReport:
    """`match_profile` plus `match_provisions` and `why_empty` in one object."""
    results = match_profile(profile, book)
    provisions = match_provisions(profile, book)
    return MatchReport(results, provisions, why_empty(profile, book, results, provisions))
