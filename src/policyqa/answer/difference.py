"""The difference of two sums already answered: "两个差多少？", "比刚才那个少多少？".

Owns the cue (a difference asked, with no new figure of its own) and the answer built from two
answers that each computed an amount: both sums with their own citations, then the difference.
A difference needs no stacking rule (就高不重复 governs what one enterprise may receive, not how
two caps compare), so unlike a total it is safe to compute from two answers alone. Pure: it
never searches and never computes a sum itself; it subtracts two calculations' results.
"""

from __future__ import annotations

import re
from decimal import Decimal

from policyqa.answer.contract import Answer, Calculation, Citation
from policyqa.rules.money import format_yuan
from policyqa.text import normalize, normalize_query

# "差多少", "相差多少", "少多少", "高多少", "差几万", "差距有多大", "多出多少".
_DIFFERENCE = re.compile(
    r"(?:相差|差距|差额|差|少|多出|多|高出|高|低)了?(?:是|有)?(?:多少|几|多大)"
)
# A sum of the question's own is a new question ("少了200万还能拿多少"), not a difference.
_OWN_SUM = re.compile(r"\d|[一二两三四五六七八九十百千]+[万亿元]")


def asks_difference(question: str) -> bool:
    """True when a question asks how far apart two sums are and states no sum of its own."""
    text = normalize_query(question)
    return bool(_DIFFERENCE.search(text)) and not _OWN_SUM.search(text)


# The comparison's own asks ("哪个高？差多少？"), which a part answered on its own must not carry.
_COMPARE_ASK = re.compile(
    rf"[，,？?]?(?:哪个|哪边|哪一个|谁)(?:更)?(?:高|多|大|低|少)[？?，,]?|[，,？?]?{_DIFFERENCE.pattern}"
)


def without_difference(part: str) -> str:
    """A part of a comparison without the comparison's asks ("…上限,日照分别是多少?相差多少?"
    → "…上限,日照分别是多少?"), so it is answered as the plain question it is."""
    plain = _COMPARE_ASK.sub("", part).rstrip("，,？?")
    if not plain:
        return part
    # "…最高支持额和…支持上限，哪个高？差多少？" asked its figures only by comparing them.
    return plain + ("？" if re.search(r"多少|几", plain) else "是多少？")


def difference_answer(question: str, resolved: str, first: Answer, second: Answer) -> Answer | None:
    """Both answers' sums, each with its citation, and their difference; None unless both
    computed an amount from different clauses (one rule compared with itself is no question)."""
    a, b = first.calculation, second.calculation
    if a is None or b is None or first.abstained or second.abstained:
        return None
    if not first.citations or not second.citations or a.clause_id == b.clause_id:
        return None
    if a.amount_yuan <= 0 or b.amount_yuan <= 0:
        return None
    (high, top), (low, _) = sorted(
        ((a, first), (b, second)), key=lambda p: p[0].amount_yuan, reverse=True
    )
    gap = Decimal(str(high.amount_yuan)) - Decimal(str(low.amount_yuan))
    citations = [_cited(first), _cited(second)]
    lines = [
        f"{_where(first)}：{format_yuan(Decimal(str(a.amount_yuan)))}[1]",
        f"{_where(second)}：{format_yuan(Decimal(str(b.amount_yuan)))}[2]",
        f"{_higher(top, second if top is first else first)}较高，"
        f"两者相差{format_yuan(gap)}"
        f"（{format_yuan(Decimal(str(high.amount_yuan)))} − "
        f"{format_yuan(Decimal(str(low.amount_yuan)))}）。",
        "依据：",
        *(f"[{i}] {c.region}《{normalize(c.title)}》{c.path}" for i, c in enumerate(citations, 1)),
    ]
    calculation = Calculation(
        rule_id=f"difference:{high.rule_id}-{low.rule_id}",
        clause_id=high.clause_id,
        inputs={"较高": high.amount_yuan, "较低": low.amount_yuan},
        amount_yuan=int(gap) if gap == gap.to_integral_value() else float(gap),
        steps=[*high.steps[:1], *low.steps[:1], f"相差：{format_yuan(gap)}"],
    )
    return Answer(
        question=question,
        answer="\n".join(lines),
        abstained=False,
        citations=citations,
        calculation=calculation,
        route="calculation",
        resolved_question=resolved,
    )


def _cited(answer: Answer) -> Citation:
    calc = answer.calculation
    clause = calc.clause_id if calc else None
    return next((c for c in answer.citations if c.clause_id == clause), answer.citations[0])


def _where(answer: Answer) -> str:
    c = _cited(answer)
    return f"{c.region}《{normalize(c.title)}》{c.path}"


def _higher(top: Answer, other: Answer) -> str:
    """The higher sum's name: its place, or its clause when both are one place's."""
    mine, theirs = _cited(top), _cited(other)
    return mine.region if mine.region != theirs.region else mine.path
