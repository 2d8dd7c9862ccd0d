"""Whether grants can be taken together ("能叠加拿吗", "每项都拿"): a document's own rule on
overlapping support (就高、不重复) answers, not the clause of any one grant.

Owns `asks_stacking`, `stacking_first` (the first retrieved clause stating such a rule is
moved to the front when the question asks whether support stacks) and `stacking_sentence`
(the rule's sentence, which an amount asked besides is told with). Pure: it reorders hits the
retriever found and never searches.
"""

from __future__ import annotations

import re
from dataclasses import replace

from policyqa.search.retrieve import SearchResult
from policyqa.text import normalize, normalize_query, split_sentences

# Asking whether several grants add up for one asker.
_ASKS_STACKING = re.compile(
    r"叠加|叠着|重复享受|重复拿|重复领|都拿|都能拿|都享受|每项都|每条都|一起拿|同时拿|同时享受"
    r"|兼得|可以都要"
)
# A rule on overlapping support, as the documents write it.
_STACKING_RULE = re.compile(r"就高|不重复|不得重复|不再重复|不叠加|不得叠加|从高")


def asks_stacking(question: str) -> bool:
    """Whether a question asks if several grants can be taken together."""
    return bool(_ASKS_STACKING.search(normalize_query(question)))


def stacking_first(result: SearchResult, question: str) -> SearchResult:
    """`result` with its first clause stating a rule on overlapping support moved to the front
    when the question asks whether support stacks; unchanged otherwise."""
    if not asks_stacking(question):
        return result
    for i, hit in enumerate(result.hits):
        if _STACKING_RULE.search(normalize_query(hit.clause.text)):
            if i == 0:
                return result
            return replace(result, hits=[hit, *result.hits[:i], *result.hits[i + 1 :]])
    return result


def stacking_sentence(text: str) -> str | None:
    """The sentence of a clause stating a rule on overlapping support, if it states one."""
    return next(
        (x for x in split_sentences(normalize(text)) if _STACKING_RULE.search(normalize_query(x))),
        None,
    )
