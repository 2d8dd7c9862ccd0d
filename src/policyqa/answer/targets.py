"""Questions for a plan's target figure (目标) are answered from the plan's target section.

A plan states its targets once, under a heading such as 工作目标, 主要目标 or 总体目标; clauses
on the same topic elsewhere (how 科技型中小企业 are supported) rank close to it by words and
meaning but do not say what figure is aimed for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from policyqa.search.retrieve import SearchResult
from policyqa.text import normalize_query

# "…的目标是多少", "数量目标各定了多少", "提出了什么目标": a target is asked for. A goal of a
# subsidy ("以…为目标的项目") is not, so the cue needs a question word near it.
_ASKS_TARGET = re.compile(r"目标[^。？?的]{0,12}(?:多少|什么|怎么|哪些|几)|(?:什么|哪些)目标")
_TARGET_HEADING = re.compile(r"目标")


def asks_target(question: str) -> bool:
    return bool(_ASKS_TARGET.search(normalize_query(question)))


def target_first(
    result: SearchResult, question: str, words: Callable[[str], Sequence[str]]
) -> SearchResult:
    """`result` with the first hit from a target section that names the question's topic moved
    to the front, when the question asks for a target; unchanged otherwise."""
    if not asks_target(question):
        return result
    topic = [w for w in words(normalize_query(question)) if len(w) >= 3 and "目标" not in w]
    for i, hit in enumerate(result.hits):
        heading = f"{hit.clause.heading}{hit.clause.text[:8]}"
        text = normalize_query(hit.clause.text)
        if _TARGET_HEADING.search(heading) and any(w in text for w in topic):
            if i == 0:
                return result
            hits = [hit, *result.hits[:i], *result.hits[i + 1 :]]
            return replace(result, hits=hits)
    return result
