"""Matching an enterprise profile to the rule table.

Every rule whose region and subject types fit the profile, with the amount its figures give or
else the rule's maximum, ordered by amount, with "就高、不重复" applied within a document; and
the support without an amount that fits (`match_report`: what `policyqa match` and `POST
/match` return). Never reads a question: that is the answer stage (`policyqa.answer.amounts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from policyqa.corpus.regions import SHANDONG_CITIES
from policyqa.rules.calc import CalcResult, compute, failed_threshold, maximum_amount
from policyqa.rules.formulas import InvalidInputError, MissingInputError
from policyqa.rules.model import Provision, Rule
from policyqa.rules.money import format_yuan
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook
from policyqa.text import normalize

Basis = Literal["computed", "maximum", "unknown"]


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

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def clause_id(self) -> str:
        return self.rule.clause_id

    @property
    def counted(self) -> bool:
        """True when this grant is the one kept under 就高不重复 (or no such provision applies)."""
        return self.qualifies and self.superseded_by is None

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
            "basis": self.basis,
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


def _order(result: MatchResult) -> tuple[int, Decimal, str]:
    if not result.qualifies:
        return (2, Decimal(0), result.rule.id)
    if result.amount_yuan is None:
        return (1, Decimal(0), result.rule.id)
    return (0, -result.amount_yuan, result.rule.id)


def match_profile(
    profile: EnterpriseProfile, rules: RuleBook | Sequence[Rule]
) -> list[MatchResult]:
    """Every rule that may apply to `profile`, by amount (computed, else the maximum) descending.

    Under "就高、不重复" only the highest qualifying grant of a group is kept; the others are
    listed with `superseded_by` naming it. Rules ruled out by a known figure come last, with
    the reason.
    """
    items = rules.rules if isinstance(rules, RuleBook) else rules
    results = sorted(
        (r for r in (_match_one(rule, profile) for rule in items) if r is not None), key=_order
    )
    best: dict[str, MatchResult] = {}
    size: dict[str, int] = {}
    for result in results:
        group = result.rule.exclusive_group
        if group and result.qualifies:
            size[group] = size.get(group, 0) + 1
            if result.amount_yuan is not None:
                best.setdefault(group, result)
    final: list[MatchResult] = []
    for result in results:
        group = result.rule.exclusive_group
        if not group or not result.qualifies or size.get(group, 0) < 2:
            final.append(result)
            continue
        top = best.get(group)
        clause = result.rule.exclusive_clause_id
        if top is result:
            note = f"同一企业符合本文件多项政策的，按“就高、不重复”原则只取最高一项（{clause}）"
            final.append(_with(result, note=note))
        elif top is not None and result.amount_yuan is not None:
            note = f"按“就高、不重复”原则（{clause}），与更高的“{top.rule.title}”不叠加"
            final.append(_with(result, note=note, superseded_by=top.rule.id))
        else:
            note = f"按“就高、不重复”原则（{clause}），与本文件其他政策不叠加，只取最高一项"
            final.append(_with(result, note=note))
    return final


def _with(result: MatchResult, *, note: str, superseded_by: str | None = None) -> MatchResult:
    return MatchResult(
        rule=result.rule,
        amount_yuan=result.amount_yuan,
        amount_label=result.amount_label,
        basis=result.basis,
        qualifies=result.qualifies,
        reason=result.reason,
        calculation=result.calculation,
        missing=result.missing,
        notes=(*result.notes, note),
        superseded_by=superseded_by,
    )


def match_provisions(profile: EnterpriseProfile, book: RuleBook) -> list[Provision]:
    """Support without a stated amount (一事一议 …) that the profile's region and type fit."""
    have = profile.all_subject_types
    return [
        p
        for p in book.provisions
        if region_applies(p.region, profile.region) and any(s in have for s in p.subjects)
    ]


@dataclass(frozen=True)
class MatchReport:
    """A profile's matches plus the amount-less provisions, ready to print or serialize."""

    results: list[MatchResult]
    provisions: list[Provision] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Chinese lines, one per rule, for a terminal."""
        out: list[str] = []
        for i, r in enumerate(self.results, 1):
            amount = "金额未定" if r.amount_yuan is None else format_yuan(r.amount_yuan)
            head = f"{i}. {r.rule.title}：{r.amount_label} {amount}"
            if not r.qualifies:
                head += f"（不符合：{r.reason}）"
            out.append(f"{head}  [{r.rule.clause_id}]")
            for note in r.notes:
                out.append(f"   - {note}")
            if r.missing:
                out.append(f"   - 精确计算还需：{'；'.join(r.missing)}")
        for p in self.provisions:
            out.append(f"* {p.title}：未规定金额  [{p.clause_id}]")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`policyqa match --json`, `POST /match`)."""
        return {
            "results": [r.to_dict() for r in self.results],
            "provisions": [
                {"clause_id": p.clause_id, "title": p.title, "region": p.region}
                for p in self.provisions
            ],
        }


def match_report(profile: EnterpriseProfile, book: RuleBook) -> MatchReport:
    """`match_profile` plus `match_provisions` in one object (what `policyqa match` prints)."""
    return MatchReport(match_profile(profile, book), match_provisions(profile, book))
