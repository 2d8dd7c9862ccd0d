"""A question that asks two things, split into one question per ask.

"泰安到2026年高新技术企业要突破多少家？新引进培养的高层次科技人才要多少名？" asks two figures
that may stand in two sentences or two clauses; "威海海洋信息科学与技术研究院每年的创收目标和
科研收入目标各是多少" asks one figure for each of two items. Each part is answered on its own
(`answer.compose`), with its own quote and citation.

Owns `split_asks`: the parts, each a question standing alone (the places the question names
carried into a part that names none), or () when the question asks one thing, or asks a total
or a difference of its figures (`answer.tallies` reads those from one clause), or asks when
and by whom a document was issued (the manifest's one line answers that); and `renumbered`,
a part's citation numbers in the joined answer. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policyqa.text import normalize_query

# A word asking for a figure or a fact ("多少", "几家", "哪一年").
_ASK = re.compile(r"多少|几(?=[个家项名人场件所次年位万千百十])|哪|什么|怎么|如何")
# A total, a difference or a share asked of the figures: one clause's arithmetic, not two asks.
_DERIVED = re.compile(
    r"合计|累计|一共|总共|加起来|加一起|共计|总目标|总计|还差|多出|相差|差多少|倒推|按这个|假如|如果"
)
# A document's publication (who issued it, when): the manifest answers all of it in one line.
_PUBLICATION = re.compile(r"印发|发布|发的|发文|文号")
_END = re.compile(r"(?<=[？?；;])")
_COMMA = re.compile(r"[，,、]")
# Two items joined ("创收目标和科研收入目标") before 各/分别; items of four characters or more,
# so a 分别 list of tiers ("国家级、省级孵化器分别…") is left to its own pairing.
EACH = re.compile(r"各|分别")
_ITEM = r"[^，,、的：:里中和与及？?；;]{4,}"
_PAIR = re.compile(rf"(?P<x>{_ITEM})(?:和|与|及|、)(?P<y>{_ITEM})$")
_DELIMS = "的，,：:里中"


def split_asks(question: str, places: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The questions a question asks one by one (see the module docstring); `places` are the
    place names it mentions, carried into a part that names none."""
    text = normalize_query(question)
    if _DERIVED.search(text) or _PUBLICATION.search(text):
        return ()
    parts = _by_sentence(text)
    if len(parts) >= 2 and not _END.search(parts[0]):
        # Parts of one sentence share its subject: the words before the first part's ask.
        head = _subject(parts[0])
        # A part naming its own place ("…多少家，日照…多少家") has its own subject.
        parts = [
            parts[0],
            *(p if any(x in p for x in places) else f"{head}{p}" for p in parts[1:]),
        ]
    if len(parts) < 2:
        parts = list(_by_items(text))
        if len(parts) < 2:
            return ()
    carried: list[str] = []
    for i, part in enumerate(parts):
        named = [p for p in places if p in part]
        if not named and i > 0:
            earlier = [p for p in places if any(p in q for q in parts[:i])]
            part = f"{''.join(earlier)}{part}" if earlier else part
        carried.append(part)
    return tuple(carried)


def _by_sentence(text: str) -> list[str]:
    """The question's sentences, or its comma-separated parts, each asking something; [] when
    fewer than two parts ask."""
    pieces = [p for p in _END.split(text) if p.strip("？?；; ")]
    if len(pieces) >= 2:
        return pieces if all(_ASK.search(p) for p in pieces) else []
    # "一年要创收多少、科研收入多少": two asks in one sentence, split where the second begins.
    cuts = [m.start() for m in _COMMA.finditer(text)]
    parts: list[str] = []
    start = 0
    for cut in cuts:
        head, tail = text[start:cut], text[cut + 1 :]
        if _ASK.search(head) and _ASK.search(tail):
            parts.append(head)
            start = cut + 1
    parts.append(text[start:])
    return parts if len(parts) >= 2 else []


def _subject(part: str) -> str:
    """What a sentence's first ask is about: its words up to the last break before the ask
    ("…研究院一年要|创收多少" → "…研究院一年要")."""
    ask = _ASK.search(part)
    head = part[: ask.start()] if ask else part
    cut = max(head.rfind(d) for d in "，,的里中年要")
    return head[: cut + 1] if cut >= 0 else ""


def _named_thing(item: str) -> bool:
    """An item a question asks of in its own right: words, not a year ("2025年") or a number."""
    return len(re.findall(r"[\u4e00-\u9fff]", re.sub(r"\d+年", "", item))) >= 3


def _by_items(text: str) -> tuple[str, ...]:
    """One question per item of "X和Y各/分别…", the pair replaced by each item in turn."""
    each = EACH.search(text)
    if not each:
        return ()
    before = text[: each.start()]
    # The pair stands right before 各/分别, or in the comma part before it ("X和Y，市级财政
    # 单个项目分别…").
    segments = [before]
    comma = max(before.rfind("，"), before.rfind(","))
    if comma > 0:
        segments.append(before[:comma])
    for segment in segments:
        start = max(segment.rfind(d) for d in _DELIMS) + 1
        m = _PAIR.search(segment[start:])
        if m is None or not all(_named_thing(m.group(g)) for g in ("x", "y")):
            continue
        at = start + m.start()
        end = start + m.end()
        rest = EACH.sub("", text[end:], count=1)
        return tuple(f"{text[:at]}{item}{rest}" for item in (m.group("x"), m.group("y")))
    return ()


def renumbered(body: str, own: Sequence[str], joined: Sequence[str]) -> str:
    """A part's answer with its citation numbers ([n] of its `own` clause ids) turned into
    those of the `joined` list; a number whose clause was left out of it is dropped."""

    def number(m: re.Match[str]) -> str:
        n = int(m.group(1))
        cited = own[n - 1] if 0 < n <= len(own) else ""
        return f"[{list(joined).index(cited) + 1}]" if cited in joined else ""

    return re.sub(r"\[(\d+)\]", number, body)
