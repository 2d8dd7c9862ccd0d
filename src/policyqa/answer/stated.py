"""A limit or threshold a rule states, asked for as such.

"揭榜挂帅项目单个项目最多支持多少", "贴息每家企业最高多少", "实际支付金额要达到多少以上才能
申请": the question asks the rule's own cap or threshold, not an amount computed from the
asker's figures, so the answer is that figure with the rule's label for it. Pure: reads the
rule's declared formula, never the question's figures.
"""

from __future__ import annotations

import re
from decimal import Decimal

from policyqa.rules.calc import CalcResult
from policyqa.rules.model import Rule
from policyqa.rules.money import find_quantities, format_yuan

# A cap asked for ("最多支持多少", "上限是多少"), and a threshold ("不低于多少", "达到多少以上").
_ASKS_CAP = re.compile(
    r"(?:最多|最高|上限|封顶)[^，,。；;？?]{0,10}(?:多少|几)|多少封顶"
    # "…支持上限，日照和泰安分别是多少": a limit named, then asked after a comma.
    r"|(?:上限|最高额度?|封顶额)[^。；;？?]{0,12}(?:多少|几)"
)
_ASKS_FLOOR = re.compile(
    r"不低于多少|至少(?:要|得|需要)?[^，,。；;？?]{0,8}多少|(?:达到|达)多少(?:以上)?|多少以上|门槛"
)
# Words of a cap's label that say what it applies to, as a question says them.
_SCOPES = (
    ("单个项目", ("单个项目", "每个项目", "每项", "单项", "一个项目")),
    ("每家", ("每家", "单户", "一家", "每户", "同一企业", "企业最高")),
    ("每年", ("每年", "一年", "年度")),
    ("累计", ("累计", "总共", "一共", "合计")),
)


def stated_limit(text: str, rule: Rule, sums_are_facts: bool = False) -> CalcResult | None:
    """The cap or threshold of `rule` a normalized question asks for; None when it asks for
    neither, or the rule states several the question does not tell apart. `sums_are_facts`:
    the question's sums were all read as facts the rule tests (研发投入600万、1500万), not as
    what it pays on."""
    if not sums_are_facts and any(q.kind == "money" for q in find_quantities(text)):
        # A question with sums of its own asks what they earn, which the calculator answers
        # or asks the missing figure for: the cap is no answer to it.
        return None
    declared = rule.formula.model_dump()
    if _ASKS_FLOOR.search(text):
        floor = declared.get("min_base")
        if floor is None:
            return None
        label = str(declared.get("min_label") or "门槛")
        return _result(rule, Decimal(floor), f"条文规定的门槛：{label}", bound=False)
    if not _ASKS_CAP.search(text):
        return None
    caps = {
        key: (Decimal(value), str(declared.get(f"{key}_label") or "最高"))
        for key in ("cap", "cap_per_item", "cap_per_year", "cap_total")
        if (value := declared.get(key)) is not None
    }
    if len(caps) > 1:
        named = {
            key: cap
            for key, cap in caps.items()
            if any(
                scope in cap[1] and any(w in text for w in words) for scope, words in _SCOPES
            )
        }
        caps = named
    if len(caps) != 1:
        return None
    amount, label = next(iter(caps.values()))
    shown = label if format_yuan(amount) in label else f"{label}{format_yuan(amount)}"
    return _result(rule, amount, f"条文规定：{shown}", bound=True)


def _result(rule: Rule, amount: Decimal, step: str, bound: bool) -> CalcResult:
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs={},
        amount_yuan=amount,
        steps=(step, "这是条文规定的数额，不是按贵单位情况计算的金额"),
        qualifies=True,
        upper_bound=bound,
    )
