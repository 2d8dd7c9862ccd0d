"""Another level's part of the same cost: the province's share a city rule is paid on top of.

A clause may state both levels ("在省财政补助(省财政直管县60%、其他地区40%)基础上，市级财政补助
20%"); its rule computes the city's part and declares the province's as `Rule.beneath`. Owns
`layered_share`: a question that asks the other level's part ("省里能补多少"), both parts
("省里和市里一共补多少"), or the rule's own part given a grant already received
("省里已经按比例补了16万，市级还能补多少" or "两级合计补了48万，其中市级多少") is computed from
the cost, or from that grant divided by its rate. The case of the other level's rate (直管县 or
not) must be said, negation included ("不在省财政直管县"); otherwise it is asked for. None when the
question asks only the rule's own part from a stated cost: the rule's own calculation answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.reading import QuestionReading, granted_figures
from policyqa.rules.calc import CalcResult, InvalidInputError, MissingInputError, compute
from policyqa.rules.model import Layer, LayerTier, Rule
from policyqa.rules.money import format_rate, format_yuan

# Words that ask for a sum, ending the part of the question that says whose part is asked.
_ASKS = re.compile(r"多少|几|怎么算|能补|补助标准")
_SEGMENT = re.compile(r"[，,。；;？?！!]")
# Both levels asked together ("两级合计", "省市两级一共").
_BOTH_LEVELS = re.compile(r"两级|省市")
_TOGETHER = re.compile(r"一共|合计|总共|共计|加起来|加上|和|与|跟|加")
# A case of the rate denied ("不在省财政直管县", "所在地区不是省财政直管县").
_DENIED = re.compile(r"(?:不在|不是|不属于|并非|没在|不算|非)[^，,。；;]{0,6}$")


@dataclass(frozen=True)
class LayerPrompt:
    """What must be said before the other level's part can be computed."""

    prompts: tuple[str, ...]


# The cost asked for, not a grant ("仪器费用花了多少").
_ASKS_COST = re.compile(r"(?:费用|成本|投入)(?:花了|是|为|有|一共)?多少|花了多少|花费了?多少")


def layered_share(
    text: str, rule: Rule, reading: QuestionReading
) -> CalcResult | LayerPrompt | None:
    """The part(s) asked of a cost two levels pay on, for a rule declaring `beneath`; None when
    the rule's own calculation answers the question (see the module docstring)."""
    layer = rule.beneath
    if layer is None:
        return None
    asked = _asked(text, layer)
    granted = granted_figures(text)
    base_name = _base_input(rule)
    if base_name is None:
        return None
    cost = reading.inputs.get(base_name)
    if asked == "own" and (cost is not None or not granted):
        return None
    tier = tier_named(text, layer)
    if tier is None:
        return LayerPrompt((layer.prompt,))
    steps: list[str] = [f"{layer.payer}补助比例：{tier.name}{format_rate(tier.rate)}"]
    if cost is None:
        if not granted:
            return None
        grant, together = granted[0]
        own_rate = _own_rate(rule)
        if own_rate is None:
            return None
        rate = tier.rate + own_rate if together else tier.rate
        base = (grant.value / rate).quantize(Decimal(1))
        who = f"{layer.payer}和{layer.own_payer}合计" if together else layer.payer
        steps.append(
            f"{who}已补{format_yuan(grant.value)}，对应费用为{format_yuan(grant.value)} ÷ "
            f"{format_rate(rate)} = {format_yuan(base)}"
        )
        cost = base
    own = _own_part(rule, base_name, cost)
    if own is None:
        return None
    if granted and reading.inputs.get(base_name) is None and _ASKS_COST.search(text):
        # "省里加市里一共补了18万，那仪器费用花了多少": the cost the grant was paid on is asked.
        return own.model_copy(
            update={
                "amount_yuan": Decimal(str(cost)),
                "steps": (*reading.explained, *steps),
                "inputs": {**own.inputs, "level_asked": "cost", "rate_case": tier.name},
                "upper_bound": False,
            }
        )
    beneath = (Decimal(str(cost)) * tier.rate).quantize(Decimal("0.01"))
    shown_cost = format_yuan(Decimal(str(cost)))
    beneath_step = (
        f"{layer.payer}：{shown_cost} × {format_rate(tier.rate)} = {format_yuan(beneath)}"
    )
    own_steps = tuple(f"{layer.own_payer}：{s}" for s in own.steps)
    if asked == "beneath":
        amount, parts = beneath, (beneath_step,)
    elif asked == "both":
        amount = beneath + own.amount_yuan
        parts = (beneath_step, *own_steps, f"合计：{format_yuan(amount)}")
    else:
        amount, parts = own.amount_yuan, own_steps
    return own.model_copy(
        update={
            "amount_yuan": amount,
            "steps": (*reading.explained, *steps, *parts),
            "inputs": {**own.inputs, "level_asked": asked, "rate_case": tier.name},
            "upper_bound": own.upper_bound and asked != "beneath",
        }
    )


def layered_summary(rule: Rule, calc: CalcResult) -> str:
    """The answer's first sentence for a layered calculation: whose part, how much."""
    layer = rule.beneath
    asked = calc.inputs.get("level_asked")
    case = calc.inputs.get("rate_case", "")
    if asked == "cost":
        return f"按“{rule.title}”所在条款（{case}），对应的费用为{format_yuan(calc.amount_yuan)}。"
    if layer is None or asked == "own":
        who = layer.own_payer if layer else ""
    elif asked == "beneath":
        who = layer.payer
    else:
        who = f"{layer.payer}和{layer.own_payer}合计"
    case = calc.inputs.get("rate_case", "")
    return f"按“{rule.title}”所在条款（{case}），{who}补助{format_yuan(calc.amount_yuan)}。"


def tier_named(text: str, layer: Layer) -> LayerTier | None:
    """The case of the other level's rate the question states; a denied case of two names the
    other one ("不在省财政直管县" is 其他地区). The last statement counts: a follow-up
    ("要是在省财政直管县呢") comes after what it replaces."""
    said: list[tuple[int, LayerTier, bool]] = []
    for tier in layer.tiers:
        for cue in sorted(tier.cues, key=len, reverse=True):
            start = text.rfind(cue)
            if start >= 0:
                lead = text[max(0, start - 8) : start]
                said.append((start, tier, bool(_DENIED.search(lead))))
                break
    if not said:
        return None
    _, tier, is_denied = max(said, key=lambda found: found[0])
    if not is_denied:
        return tier
    others = [t for t in layer.tiers if t != tier]
    return others[0] if len(others) == 1 else None


def _asked(text: str, layer: Layer) -> str:
    """Whose part the question asks: "own", "beneath" or "both" (from the last part asking)."""
    segments = [s for s in _SEGMENT.split(text) if _ASKS.search(s)]
    segment = segments[-1] if segments else text
    for tier in layer.tiers:
        for cue in tier.cues:
            # "省财政直管县" names a case of the rate, not the province as payer.
            segment = segment.replace(cue, "")
    beneath = any(w in segment for w in layer.words)
    own = any(w in segment for w in layer.own_words)
    if (beneath and own and _TOGETHER.search(segment)) or _BOTH_LEVELS.search(segment):
        return "both"
    if beneath and not own:
        return "beneath"
    return "own"


def _base_input(rule: Rule) -> str | None:
    base = rule.formula.model_dump().get("base")
    return base if isinstance(base, str) else None


def _own_rate(rule: Rule) -> Decimal | None:
    rate = rule.formula.model_dump().get("rate")
    return Decimal(str(rate)) if rate is not None else None


def _own_part(rule: Rule, base_name: str, cost: object) -> CalcResult | None:
    try:
        return compute(rule, {base_name: cost})
    except (MissingInputError, InvalidInputError):
        return None
