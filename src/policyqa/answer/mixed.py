"""Items of different kinds counted in one question, each its own question.

"一家企业同时拿到一个重大科技攻关项目和一个重大科技成果转化项目，加起来上限是多少", "2个项目进了
重大科技创新专项，另外3个项目列入市重点研发计划，最多一共支持多少": each kind of item is paid by
its own rule, often of another clause, so each is searched for and computed on its own and the
amounts are added. Owns only the splitting of the text into one question per item; never
retrieves and never computes.
"""

from __future__ import annotations

import re

from policyqa.answer.asking import ASKS_TOTAL
from policyqa.rules.money import find_quantities

# A count of things (not a sum, a year or a month): "2个", "一家", "三项".
_COUNT = re.compile(
    r"(?<![\d.第])(?:\d+|[一二两三四五六七八九十]+)(?:个|家|项|所|座)(?![万元亿年月])"
)
# "一家企业同时拿到…": the asker counted, not an item.
_ASKER = re.compile(r"(?:一|1)(?:家|个)(?:企业|单位|公司|机构|高校)")
# Where one item ends and the next begins.
_SEPARATOR = re.compile(
    r"[，,；;、]|(?:和|以及|外加|另外|还有|又有)(?=\d|[一二两三四五六七八九十][个家项所座])"
)
_ASK = re.compile(r"多少|几")
# Projects told one by one ("一个是…，另一个是…"): `projects` splits those.
_PROJECTS_LISTED = re.compile(r"另一个|另外一个|一个是")
# Words left at an item's start that join it to the one before.
_JOIN_LEFT = re.compile(r"^(?:另外|还有|又有|以及|和|外加)")


def _count_of(item: str) -> float:
    return next((float(q.value) for q in find_quantities(item) if q.kind == "count"), 0.0)


def _item_counts(piece: str) -> list[re.Match[str]]:
    return [m for m in _COUNT.finditer(piece) if not _ASKER.match(piece, m.start())]


def item_questions(text: str) -> list[str] | None:
    """One question per counted item of a normalized question asking a total, each with the
    shared context and the question asked; None unless two or more items are counted."""
    if not ASKS_TOTAL.search(text) or _PROJECTS_LISTED.search(text):
        return None
    segments = re.split(r"(?<=[，,；;。？?])", text)
    asked = next((i for i in range(len(segments) - 1, -1, -1) if _ASK.search(segments[i])), None)
    if asked is None or asked == 0:
        return None
    ask = "".join(segments[asked:]).strip("，,；; ")
    before = "".join(segments[:asked])
    pieces = [p.strip() for p in _SEPARATOR.split(before) if p and p.strip()]
    items: list[str] = []
    shared = ""
    for piece in pieces:
        counts = _item_counts(piece)
        if not counts:
            if items:
                items[-1] = f"{items[-1]}{piece}"
            else:
                shared = f"{shared}{piece}，"
            continue
        if not items and counts[0].end() < len(piece):
            # "一家企业同时拿到一个重大科技攻关项目": what comes before the first item's count is
            # said of them all.
            shared += piece[: counts[0].start()]
            piece = piece[counts[0].start() :]
        items.append(_JOIN_LEFT.sub("", piece))
    if len(items) > 2 and _count_of(items[0]) == sum(_count_of(item) for item in items[1:]):
        # "两个项目获奖，一个…，一个…": the first count is how many the others are.
        items = items[1:]
    if len(items) < 2:
        return None
    return [f"{shared}{item}，{ask}" for item in items]
