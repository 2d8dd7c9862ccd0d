"""Quoting a clause: which of its sentences answer a question, and the pair a "分别" asks for.

Owns sentence scoring (IDF weight of the question's words, figures preferred when a figure is
asked) and pairing a tier with its amount in a "分别" list. Pure text functions: it never
searches, never chooses a route, and never computes or invents a number — it only picks what
to quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from policyqa.answer.dialogue import _AMOUNT, TIER_WORDS
from policyqa.text import normalize, split_sentences

WHOLE_CLAUSE_CHARS = 220  # a clause this short is quoted whole (lists read better complete)
LIST_CLAUSE_CHARS = 420  # a list question quotes its clause whole up to this length

_TIER = re.compile("|".join(TIER_WORDS))
_TIER_RUN = re.compile(rf"(?:{_TIER.pattern})(?:[、和及与](?:{_TIER.pattern}))+")


class TokenizeFn(Protocol):
    """Any text → words function (the retriever's tokenizer)."""

    def __call__(self, text: str) -> list[str]: ...


def best_sentences(
    text: str,
    weights: Mapping[str, float],
    tokenize: TokenizeFn,
    wants_number: bool = False,
    n: int = 2,
    whole_limit: int = WHOLE_CLAUSE_CHARS,
) -> list[str]:
    """The sentence(s) of a clause that answer the question, in clause order.

    Sentences are scored by the IDF weight of the question words they contain (so 创新平台
    counts for more than 日照); when the question asks for a figure, sentences with a number
    are preferred. A clause up to `whole_limit` characters is quoted whole.
    """
    sentences = split_sentences(text)
    if len(sentences) <= 1 or len(text) <= whole_limit:
        return sentences
    scored = []
    for i, sentence in enumerate(sentences):
        score = sum(weights.get(w, 0.0) for w in set(tokenize(sentence)))
        if wants_number and score > 0 and re.search(r"\d", sentence):
            score *= 1.5
        scored.append((score, i))
    best = max(score for score, _ in scored)
    if best <= 0:
        return sentences[:1]
    # Runners-up must come close to the best sentence, or they only dilute the answer.
    top = sorted(scored, key=lambda p: (-p[0], p[1]))[:n]
    keep = {i for score, i in top if score >= 0.75 * best}
    if wants_number:
        # A sentence ending in "；" goes on in the next one, which shares its subject and may
        # hold the figure asked ("…研究院…创收500万元以上；…科研收入200万元以上。").
        keep |= {
            i + 1
            for i in keep
            if i + 1 < len(sentences)
            and sentences[i].rstrip().endswith((";", "；"))
            and re.search(r"\d", sentences[i + 1])
        }
    return [sentences[i] for i in sorted(keep)]


def pair_respectively(sentence: str, question: str) -> tuple[str, str] | None:
    """The (tier, amount) a question asks about in a "分别" sentence.

    "对新认定的国家级、省级孵化器，市级财政分别给予100万元、50万元" pairs 国家级 → 100万元 and
    省级 → 50万元; only the enumerated run before 分别 counts (not the 市级 of 市级财政).
    """
    simple = normalize(sentence)
    if "分别" not in simple:
        return None
    before, after = simple.split("分别", 1)
    amounts = _AMOUNT.findall(after)
    runs = list(_TIER_RUN.finditer(before))
    if not runs:
        return None
    tiers = _TIER.findall(runs[-1].group(0))
    if len(tiers) < 2 or len(amounts) != len(tiers):
        return None
    asked = normalize(question)
    for tier, amount in zip(tiers, amounts, strict=True):
        if tier in asked or tier.removesuffix("奖") in asked:
            return tier, amount
    return None
