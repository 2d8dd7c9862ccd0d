"""Checking a rule's requirements against the facts a question states about the asker.

Owns `contradiction` (why the question rules the asker out of a rule: a subject type it denies
being — "不是科技型中小企业" under a rule for 科技型中小企业 —, a grade the rule does not fund —
a 市级孵化器 where only 国家级/省级 are —, an industry the rule's region classifies outside the
rule's categories — 钢铁 under a 新兴产业 rule) and `not_eligible` (the amount-0 result that
quotes the requirement). A requirement the question says nothing about is not a contradiction.
Never chooses the rule and never computes an amount (`rules.calc`).
"""

from __future__ import annotations

from decimal import Decimal

from policyqa.answer.frame import attributes_in, tiers_in
from policyqa.answer.reading import industries_in
from policyqa.rules.calc import CalcResult
from policyqa.rules.model import Rule, TieredFormula, expand_subjects
from policyqa.text import normalize


def _subject_denied(text: str, rule: Rule) -> str | None:
    denied = [a for a in attributes_in(text) if a.polarity == "negative"]
    for attribute in denied:
        # Every alternative of the rule's subjects needs the denied type (or a narrower one).
        if all(
            any(attribute.name in expand_subjects([part]) for part in alternative.split("+"))
            for alternative in rule.subjects
        ):
            return f"本条支持对象为{'或'.join(rule.subjects)}，而问题中说明“{attribute.text}”"
    return None


def _tier_not_funded(text: str, rule: Rule) -> str | None:
    if not isinstance(rule.formula, TieredFormula):
        return None
    funded = [normalize(t.name) for t in rule.formula.tiers]
    about = set(rule.subjects) | {w for w in rule.keywords}
    asked = [t for t in tiers_in(text) if t.subject and any(t.subject in a for a in about)]
    if not asked or any(t.tier in funded for t in asked):
        return None
    named = "、".join(f"{t.tier}{t.subject}" for t in asked)
    return f"本条只支持{'、'.join(funded)}，问题所述为{named}"


def _industry_outside(text: str, rule: Rule) -> str | None:
    if not rule.industries:
        return None
    named = industries_in(text, rule)
    if not named or any(category in rule.industries for _, category in named):
        return None
    return rule.industry_mismatch(named[0][0])


def contradiction(text: str, rule: Rule) -> str | None:
    """Why the normalized question's stated facts rule the asker out of `rule` (None if not)."""
    for check in (_subject_denied, _tier_not_funded, _industry_outside):
        reason = check(text, rule)
        if reason:
            return reason
    return None


def not_eligible(rule: Rule, reason: str) -> CalcResult:
    """The amount-0 result for a contradicted rule, with the requirement it fails quoted."""
    required = "；".join(rule.requirements) or "；".join(rule.quote)
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs={},
        amount_yuan=Decimal(0),
        steps=(f"条件：{required}", f"{reason}，不符合本条条件，不予按本条计算"),
        qualifies=False,
        reason=reason,
        upper_bound=rule.upper_bound,
    )
