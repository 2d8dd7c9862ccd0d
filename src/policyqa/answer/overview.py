"""Answers about the documents themselves: their metadata, and which documents mention a topic.

Owns `metadata_line` (issuer, 文号, date and draft status of a document, from the manifest),
`unstated_metadata` (the facts asked that the document does not state),
`cover_clause` (the clause a metadata answer cites: the document's cover, else its first),
`topic_of` (what a "哪些文件提到了…" question looks for), `documents_mentioning` (the first
clause of every document that speaks of it) and `sentence_naming` (the sentence to quote).
Never retrieves and never composes citations (`answer.compose`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policyqa.corpus.manifest import DocumentMeta
from policyqa.corpus.segment import Clause
from policyqa.text import normalize, split_sentences

_STATUS = {"draft": "征求意见稿（尚未正式印发）", "in_force": "正式文件"}
_TOPIC = re.compile(
    r"(?:提到|提及|涉及到?|谈到|讲到|说到|写到|写|规定|有关于?|关于|包含|含有)(?:了|过)?"
    r"(?P<topic>[^，,。？?！!]+)"
)
_TOPIC_TAIL = re.compile(
    r"(的内容|的条款|的政策|的规定|的事|这件事|这一项|这项|内容|政策|支持|吗|呢|的)+$"
)


def metadata_line(doc: DocumentMeta) -> str:
    """One line with everything the manifest knows about a document's publication."""
    issuer = doc.issuer or "文件未载明发布机关"
    number = doc.doc_no or "文件未载明文号"
    date = f"{doc.date.year}年{doc.date.month}月{doc.date.day}日" if doc.date else "文件未载明日期"
    return (
        f"{doc.region}《{normalize(doc.title)}》：发布机关为{issuer}；文号：{number}；"
        f"日期：{date}；状态：{_STATUS[doc.status]}。"
    )


# What a metadata question asks, by the words asking it; the manifest field that answers it.
_ASKED_FIELDS = (
    ("文号", re.compile(r"文号|发文字号|字号"), "doc_no"),
    (
        "发布机关",
        re.compile(
            r"哪个部门|哪些部门|哪几个部门|谁发布|谁印发|发布单位|发文单位|印发单位"
            r"|发文机关|发布机关|哪个单位|哪家单位"
        ),
        "issuer",
    ),
    ("发布日期", re.compile(r"时间|日期|哪天|何时|什么时候|哪年|哪一年|几月"), "date"),
)


# Whether a document is final or a draft ("是正式印发的吗", "还是征求意见稿").
_ASKS_STATUS = re.compile(r"正式|征求意见稿|草案|草稿")


def unstated_metadata(question: str, doc: DocumentMeta) -> tuple[str, ...]:
    """The publication facts a question asks of a document that the document does not state
    (文号, 发布机关, 发布日期), when it states none of those asked; () otherwise."""
    asked = [(name, field) for name, cue, field in _ASKED_FIELDS if cue.search(question)]
    if not asked or any(getattr(doc, field) for _, field in asked):
        return ()
    if _ASKS_STATUS.search(question):
        return ()  # its status, which every document has, is asked too: the line answers it
    return tuple(name for name, _ in asked)


def cover_clause(doc_id: str, clauses: Sequence[Clause]) -> Clause | None:
    """The clause a metadata answer cites: the document's cover, else its first clause."""
    own = [c for c in clauses if c.doc_id == doc_id]
    return next((c for c in own if c.kind == "cover"), own[0] if own else None)


# The words asking for the list ("哪几份文件", "在哪些文件里", "的有哪些文件"): what stands
# before them or after them (提到了…) is the topic.
_LIST_CUE = re.compile(
    r"(?:的)?(?:有|在|是在)?(?:哪些|哪几|几)(?:份|个|部)?(?:政策)?(?:文件|政策|文档)"
)
# Words that only point at the topic ("这种说法", "这个方向", "相关的内容"), not part of it.
_TOPIC_POINTER = re.compile(
    r"(?:这些|这种|这个|这一|这类|此类|该)(?:说法|提法|词|概念|方向|平台|内容|政策|事|机制|模式|做法)"
    # Any description after a pointing word ("这种项目组织方式", "这个领域").
    r"|(?:这些|这种|这个|這個|这一|这类|此类)[\u4e00-\u9fff]{1,8}"
    r"|相关的?(?:内容|政策|条款|规定|行动|工作|举措)?|这块|这一块|这方面|方面|(?:的|等)(?=$)"
)
# A term quoted in the question ("哪些文件使用了“创新联合体”这一提法") is the topic.
_QUOTED_TERM = re.compile(r"[“「『\"]([^”」』\"]{2,20})[”」』\"]")
_QUOTES = re.compile(r"[“”「」『』‘’\"'《》]")
# An aside in brackets that explains the topic ("飞地(飞地孵化器或人才飞地)"), not a bracket
# of the term itself ("首台(套)装备").
_GLOSS = re.compile(r"\([^()]*[或、等][^()]*\)")


def topic_of(text: str) -> str | None:
    """The words a "which documents mention …" question looks for ("揭榜挂帅"); several joined
    by 、 ("首台(套)装备、首批次材料") when the question names several."""
    norm = normalize(text)
    quoted = list(_QUOTED_TERM.finditer(norm))
    if len(quoted) == 1 and _LIST_CUE.search(norm):
        # The quoted term is the topic when only a pointing phrase follows it ("“创新联合体”
        # 这一提法"), not when it is part of a longer one ("“飞地”孵化器").
        after = norm[quoted[0].end() :].strip(" ？?。")
        if not after or re.fullmatch(f"(?:{_TOPIC_POINTER.pattern})+", after):
            return _GLOSS.sub("", quoted[0].group(1)).strip()
    cue = _LIST_CUE.search(norm)
    before, after = (norm[: cue.start()], norm[cue.end() :]) if cue else (norm, "")
    for part in (before, after):
        m = _TOPIC.search(part)
        topic = _clean_topic(m.group("topic")) if m else ""
        if len(topic) >= 2:
            return topic
    # "概念验证中心哪几份文件提过", "元宇宙这个方向，哪些文件里有布局": the topic comes first.
    topic = _clean_topic(before) if cue else ""
    return topic if len(topic) >= 2 else None


def _clean_topic(raw: str) -> str:
    """A topic without quotes, glosses, pointing words and the question's own tail."""
    topic = _GLOSS.sub("", _QUOTES.sub("", raw))
    topic = topic.strip(" ,，。？?！!:：")
    previous = None
    while previous != topic:
        previous = topic
        topic = _TOPIC_TAIL.sub("", topic).strip(" ,，")
        topic = re.sub(rf"(?:{_TOPIC_POINTER.pattern})$", "", topic).strip(" ,，")
        topic = re.sub(r"^(?:在|是|关于|有关)", "", topic)
    # "你这几份政策文件里": the one asked, not a topic.
    return re.sub(r"^(?:你们|您们|你|您|咱们|咱)(?:这|那)?(?:儿|里|边)?$", "", topic)


def topic_terms_of(topic: str) -> list[str]:
    """The terms of a topic naming several ("博士后工作站、博士后基地" → both)."""
    return [t for t in re.split(r"[、和及与或]", topic) if len(t) >= 2] or [topic]


def sentence_naming(topic: str, text: str) -> str | None:
    """The first sentence of `text` that names `topic` or one of its terms (what a listing
    quotes), if any."""
    wanted = [normalize(t) for t in topic_terms_of(topic)]
    return next((s for s in split_sentences(text) if any(_names(w, s) for w in wanted)), None)


def documents_mentioning(topic: str, clauses: Sequence[Clause]) -> list[Clause]:
    """The first clause of every document whose text names `topic`, or any of its terms when it
    names several (in document order)."""
    wanted = [normalize(t) for t in topic_terms_of(topic)]
    first: dict[str, Clause] = {}
    for clause in clauses:
        if clause.doc_id not in first and any(_names(w, clause.text) for w in wanted):
            first[clause.doc_id] = clause
    return list(first.values())


def _names(term: str, text: str) -> bool:
    """True when `text` names `term`: as written, or split in two (each part of two characters
    or more) within one sentence (博士后工作站 in "博士后科研工作站", 博士后基地 in "博士后创新
    实践基地")."""
    text = normalize(text)
    if term in text:
        return True
    splits = [(term[:k], term[k:]) for k in range(2, len(term) - 1)]
    return any(h in s and t in s for s in split_sentences(text) for h, t in splits)
