"""Inputs a question gives indirectly, derived instead of asked for.

Owns `derive_inputs`: "全部亏损" makes the loss equal to the investment (a lesser-of rule's
limit), "收回650万" makes it the investment less what came back, a growth rate ("增长150%")
with one of two yearly figures gives the other; and `summed_counts`: counts of the kinds a rule
counts together are added (3家高企 + 2家专精特新). A value is derived only when the rule needs
exactly that input and the question states the figure it comes from; every derivation is shown
as a step. Never reads figures itself (`answer.reading`, `answer.quantities`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from policyqa.answer.quantities import (
    frame_quantities,
    lost_part,
    recovered_amount,
    total_loss_means_investment,
)
from policyqa.answer.reading import QuestionReading
from policyqa.rules.model import InputSpec, Rule
from policyqa.rules.money import Quantity, find_quantities, format_yuan, plain_number
from policyqa.text import normalize_query


def _loss(text: str, invested: Any, label: str, base_label: str) -> tuple[Any, str] | None:
    """(the loss, the step saying how) when the question gives it through the investment: all
    of it ("全部亏损"), what did not come back ("收回650万"), or a part ("只亏了一成")."""
    if total_loss_means_investment(text):
        return invested, f"全部亏损：{label}按{base_label}计"
    amount = _to_yuan(invested)
    if amount is None:
        return None
    recovered = recovered_amount(text)
    if recovered is not None and amount > recovered.value:
        loss = amount - recovered.value
        back = format_yuan(recovered.value)
        return loss, f"收回{back}：{label}为{format_yuan(amount)} − {back} = {format_yuan(loss)}"
    part = lost_part(text)
    if part is not None:
        loss = (amount * part).quantize(Decimal("0.01"))
        share = f"{plain_number(part * 100)}%"
        shown = f"{format_yuan(amount)} × {share} = {format_yuan(loss)}"
        return loss, f"亏损{share}：{label}为{shown}"
    return None


def _to_yuan(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


# "贷款1000万、年利率4%，一年按时还本付息": the interest paid is the principal times the rate.
_ANNUAL_RATE = re.compile(r"(?:年利率|年化利率|年化)(?:为|是)?(\d+(?:\.\d+)?)%")
_PRINCIPAL_BEFORE = re.compile(r"(?:本金|贷款|借款|贷了|借了|贷)[^，,。；;\d]{0,6}$")
_PRINCIPAL_AFTER = re.compile(r"^的?[^，,。；;\d]{0,12}?(?:贷款|借款)")
_SEVERAL_YEARS = re.compile(r"(?<!一)[两二三四五六七八九十\d]年")


def _interest(text: str) -> tuple[Decimal, Decimal, Decimal] | None:
    """(principal, annual rate, one year's interest) when the question gives a loan and its
    annual rate instead of the interest paid, over one year; None otherwise."""
    rate = _ANNUAL_RATE.search(text)
    if rate is None or _SEVERAL_YEARS.search(text):
        return None
    principal = next(
        (
            q
            for q in find_quantities(text)
            if q.kind == "money"
            and (
                _PRINCIPAL_BEFORE.search(text[max(0, q.start - 10) : q.start])
                or _PRINCIPAL_AFTER.match(text[q.end : q.end + 16])
            )
        ),
        None,
    )
    if principal is None:
        return None
    share = Decimal(rate.group(1)) / 100
    return principal.value, share, (principal.value * share).quantize(Decimal("0.01"))


def derive_inputs(text: str, rule: Rule, reading: QuestionReading) -> QuestionReading:
    """`reading` with derivable missing inputs filled (and the steps saying how)."""
    missing = {spec.name: spec for spec in reading.missing}
    inputs = dict(reading.inputs)
    explained = list(reading.explained)
    interest = next((s for s in rule.inputs if s.kind == "money" and "利息" in s.label), None)
    loan = _interest(text) if interest is not None else None
    if interest is not None and loan is not None:
        # The loan is no interest paid, even when it was the only sum to read.
        principal, share, paid = loan
        inputs[interest.name] = paid
        shown = f"{plain_number(share * 100)}%"
        explained.append(
            f"{interest.label}：贷款{format_yuan(principal)} × 年利率{shown} = {format_yuan(paid)}"
        )
        missing.pop(interest.name, None)
        return replace(
            reading, inputs=inputs, missing=tuple(missing.values()), explained=tuple(explained)
        )
    # A formula paying the lesser of a share of its base and a limit (the loss) declares both.
    declared = rule.formula.model_dump()
    base, limit = declared.get("base"), declared.get("limit")
    if isinstance(base, str) and isinstance(limit, str) and limit in missing and base in inputs:
        loss = _loss(text, inputs[base], missing[limit].label, rule.input_spec(base).label)
        if loss is not None:
            inputs[limit], step = loss
            explained.append(step)
            missing.pop(limit)
    growth = next((q for q in frame_quantities(text) if q.role == "growth_rate"), None)
    for threshold in rule.thresholds:
        if growth is None or not threshold.growth:
            continue
        current, previous = threshold.growth
        factor = 1 + Decimal(growth.value) / 100
        if previous in missing and current in inputs and (base := _to_yuan(inputs[current])):
            inputs[previous] = (base / factor).quantize(Decimal(1))
            explained.append(
                f"增长{growth.value}%：上一年度约{format_yuan(inputs[previous])}"
                f"（{format_yuan(base)} ÷ {factor}）"
            )
            missing.pop(previous)
        elif current in missing and previous in inputs and (base := _to_yuan(inputs[previous])):
            inputs[current] = (base * factor).quantize(Decimal(1))
            explained.append(
                f"增长{growth.value}%：本年度为{format_yuan(inputs[current])}"
                f"（{format_yuan(base)} × {factor}）"
            )
            missing.pop(current)
    if len(missing) == len(reading.missing):
        return reading
    return replace(
        reading, inputs=inputs, missing=tuple(missing.values()), explained=tuple(explained)
    )


def summed_counts(text: str, rule: Rule, reading: QuestionReading) -> QuestionReading:
    """`reading` with a count input summed over the kinds the rule counts together
    ("新培育了3家高新技术企业和2家专精特新中小企业" → 5家 when the rule counts either kind),
    each count followed by a kind the rule's requirements name."""
    counts = [spec for spec in rule.inputs if spec.kind == "count"]
    if len(counts) != 1:
        return reading
    spec = counts[0]
    named = counted_kinds(text, spec)
    if len(named) < 2:
        return reading
    total = sum((q.value for q in named), Decimal(0))
    shown = " + ".join(q.text for q in named)
    return replace(
        reading,
        inputs={**reading.inputs, spec.name: total},
        missing=tuple(m for m in reading.missing if m.name != spec.name),
        explained=(*reading.explained, f"{spec.label}：{shown} = {plain_number(total)}家"),
    )


def counted_kinds(text: str, spec: InputSpec) -> list[Quantity]:
    """The counts (…家) of a normalized text followed or led by a kind the count input names.

    The kinds are those of the input's label and cues, not every word of the rule's
    requirements: "一家绩效评价优秀的省级孵化器" is the asker, not one more enterprise it
    cultivated."""
    described = normalize_query("".join((spec.label, *spec.cues)))
    found = [q for q in find_quantities(text) if q.kind == "count" and q.unit == "家"]
    return [
        q
        for q in found
        if _kind_after(text[q.end : q.end + 16], described)
        or _kind_before(text[max(0, q.start - 12) : q.start], described)
    ]


# Words between a count and its kind that say how it came about ("4家新认定的高新技术企业").
_FILLER = re.compile(
    r"^(?:新认定的?|新培育的?|新增的?|新孵化的?|孵化出的?|的"
    r"|(?:被)?(?:评上了?|评为|获评|认定为|认定成|认定了|成为|成了)(?:了)?)"
)


def _kind_after(after: str, described: str) -> bool:
    """Whether the words after a count name a kind the rule's requirements speak of."""
    after = _FILLER.sub("", after.lstrip('“"')).lstrip('“"')
    return any(after[:n] in described for n in (4, 3) if len(after) >= n)


def _kind_before(before: str, described: str) -> bool:
    """Whether a kind the rule speaks of stands right before a count ("高新技术企业九家")."""
    before = before.rstrip('”"')
    return any(before[-n:] in described for n in (4, 3) if len(before) >= n)


