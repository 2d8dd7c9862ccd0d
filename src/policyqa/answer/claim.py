"""A sum the asker believes, asked to be confirmed: "市财政一次性补200万，对吧？".

Owns the cue (a grant verb, a sum, then 对吧 / 是吗 / 是这个数吗 closing the question, or a
cap asked as a figure "最多能贴500万？") and the question it stands for ("…一次性补多少？"):
the claimed sum is the asker's guess, not a fact the rule computes from, so it must not reach
a calculator as an input. Pure text functions: the composer answers the plain question and
says whether the claim holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from policyqa.rules.money import find_quantities, format_yuan
from policyqa.text import normalize_query

_SUM = r"[0-9.一二两三四五六七八九十百千]+(?:万元|万|亿元|亿|元)"
_CONFIRM = r"对吧|对吗|是吗|是不是|没错吧|没错吗|是这个数吗|是真的吗|是这样吗"
_CLAIM = re.compile(
    rf"(?P<lead>(?:补|给|奖|贴|支持|资助|补助|奖励|拿|发)(?:了|个)?)(?P<sum>{_SUM})"
    rf"(?P<tail>[，,]?\s*(?:{_CONFIRM})?)[？?]?$"
)
# Without a confirming word, only a cap said as a figure is a claim ("最多能贴500万？").
_CAP_SAID = re.compile(r"(?:最多|最高|上限)[^，,。？?]{0,4}$")


@dataclass(frozen=True, slots=True)
class Claim:
    """The sum the asker put forward, and the question asking for the true figure."""

    amount_yuan: Decimal
    question: str


def claimed_sum(question: str) -> Claim | None:
    """The claim a question asks to confirm; None when it makes none, or states other sums
    (then the sum may be a fact the rule computes from, and the question is not a check)."""
    text = normalize_query(question)
    m = _CLAIM.search(text)
    if m is None:
        return None
    if not m["tail"].strip("，, ") and not _CAP_SAID.search(text[: m.start("sum")]):
        return None
    money = [q for q in find_quantities(text) if q.kind == "money"]
    if len(money) != 1:
        return None
    return Claim(money[0].value, f"{text[: m.start('sum')]}多少？")


def claim_line(claim: Claim, amount_yuan: Decimal) -> str:
    """The verdict on a claim, said first: 对 when the figure is the rule's, else the right one."""
    right = format_yuan(amount_yuan)
    if claim.amount_yuan == amount_yuan:
        return f"对，是{right}。"
    return f"不是{format_yuan(claim.amount_yuan)}：按条文规定是{right}。"
