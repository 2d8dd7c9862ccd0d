"""Answers about the documents themselves: their metadata, and which documents mention a topic.

Owns `metadata_line` (issuer, 文号, date and draft status of a document, from the manifest),
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


def cover_clause(doc_id: str, clauses: Sequence[Clause]) -> Clause | None:
    """The clause a metadata answer cites: the document's cover, else its first clause."""
    own = [c for c in clauses if c.doc_id == doc_id]
    return next((c for c in own if c.kind == "cover"), own[0] if own else None)


def topic_of(text: str) -> str | None:
    """The words a "which documents mention …" question looks for ("揭榜挂帅")."""
    m = _TOPIC.search(normalize(text))
    if not m:
        return None
    topic = _TOPIC_TAIL.sub("", m.group("topic").strip("“”\"' ")).strip("“”\"' ")
    return topic if len(topic) >= 2 else None


def sentence_naming(topic: str, text: str) -> str | None:
    """The first sentence of `text` that names `topic` (what a listing quotes), if any."""
    wanted = normalize(topic)
    return next((s for s in split_sentences(text) if wanted in normalize(s)), None)


def documents_mentioning(topic: str, clauses: Sequence[Clause]) -> list[Clause]:
    """The first clause of every document whose text names `topic` (in document order)."""
    wanted = normalize(topic)
    first: dict[str, Clause] = {}
    for clause in clauses:
        if clause.doc_id not in first and wanted in normalize(clause.text):
            first[clause.doc_id] = clause
    return list(first.values())
