"""Abstention texts: what the corpus covers, and why a question gets no answer.

Owns the coverage summary every abstention ends with, the Chinese reason for each abstain code,
and the abstained `Answer` itself (no citations, route "abstain"). It never searches, never
decides *whether* to abstain (that is `compose` and `verify`), and never states a number that is
not quoted from a clause.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from policyqa.answer.contract import Answer
from policyqa.answer.frame_types import QuestionFrame
from policyqa.answer.verify import district_note, period_note, states_sum
from policyqa.corpus.manifest import Manifest
from policyqa.search.retrieve import Hit
from policyqa.text import normalize, normalize_query, split_sentences

LEVEL_NAMES = {"province": "省级", "city": "市级", "district": "区县级"}

_REASONS = {
    "region_not_covered": "本知识库没有收录{detail}的政策文件，无法回答这个问题。",
    "topic_not_covered": "已收录的科技创新政策文件没有涉及“{detail}”，无法回答这个问题。",
    "below_relevance_floor": (
        "在已收录的政策文件中没有找到与这个问题相关的条款，无法给出有依据的回答。"
    ),
    "no_documents_for_filter": "所选地区或文件中没有可检索的条款。",
    "empty_query": "问题中没有可检索的内容，请用完整的句子描述要查询的政策。",
    "district_not_covered": "本知识库没有收录{detail}的政策文件，无法回答这个问题。",
    "years_not_covered": "已收录的政策文件没有涉及{detail}年的内容，无法回答这个问题。",
}


def coverage_summary(manifest: Manifest) -> str:
    """What the corpus covers, for abstentions: regions, documents, years."""
    parts = []
    for doc in manifest.documents:
        years = re.findall(r"20\d\d", f"{doc.title} {doc.date or ''}")
        when = (
            f"，{min(years)}—{max(years)}年"
            if len(set(years)) > 1
            else (f"，{years[0]}年" if years else "")
        )
        draft = "，征求意见稿" if doc.status == "draft" else ""
        parts.append(
            f"{doc.region}《{normalize(doc.title)}》（{LEVEL_NAMES[doc.level]}{when}{draft}）"
        )
    return "本知识库收录以下科技创新政策：" + "；".join(parts) + "。"


def clause_where(hit: Hit) -> str:
    """Where a hit's clause stands: region《title》path."""
    return f"{hit.region}《{normalize(hit.title)}》{hit.clause.path or '正文'}"


def resolved_field(question: str, resolved: str) -> str | None:
    """The contract's `resolved_question`: set only when resolving changed the question."""
    return resolved if resolved != question else None


def abstention(question: str, resolved: str, message: str, coverage: str, reason: str) -> Answer:
    """An abstained answer: the reason, then what the corpus covers."""
    return Answer(
        question=question,
        answer=f"{message}\n{coverage}",
        abstained=True,
        citations=[],
        route="abstain",
        abstain_reason=reason,
        resolved_question=resolved_field(question, resolved),
    )


def reason_message(
    reason: str,
    frame: QuestionFrame | None,
    documents: Manifest,
    periods: Mapping[str, tuple[int, int]],
) -> str:
    """The Chinese text for an abstain code ("kind:detail"), with district and period notes."""
    kind, _, detail = reason.partition(":")
    message = _REASONS.get(kind, _REASONS["below_relevance_floor"]).format(detail=detail)
    if kind == "district_not_covered" and frame is not None:
        message += district_note(frame, documents)
    if kind == "years_not_covered":
        message += period_note(documents, periods)
    return message


def only_elsewhere_message(frame: QuestionFrame, term: str, where: Sequence[str]) -> str:
    """A topic the asked region's documents never mention, naming the regions whose documents do
    (their rules do not apply to the asked region)."""
    asked = "、".join(dict.fromkeys(r.covered_by for r in frame.regions if r.covered_by))
    others = "、".join(where)
    return (
        f"已收录的{asked}政策文件中没有关于“{term}”的条款，无法回答这个问题。"
        f"收录的{others}文件有相关规定，但不适用于{asked}。"
    )


def _first_sentence(hit: Hit) -> str:
    return split_sentences(hit.clause.text)[0] if hit.clause.text else ""


def _nearest_sentence(hit: Hit, objects: Sequence[str]) -> str:
    """The clause's sentence closest to what was asked (most character pairs in common), so
    the user sees what the clause does fund (省级加速器 for 国家级加速器); the first one when no
    sentence shares any."""
    sentences = split_sentences(hit.clause.text)
    if not sentences:
        return ""
    wanted = {o[i : i + 2] for o in objects for i in range(len(o) - 1)}
    # A sentence that grants a sum shows best what the clause pays for instead.
    overlap = [sum(w in normalize_query(s) for w in wanted) + 2 * states_sum(s) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: overlap[i])
    return sentences[best] if overlap[best] else sentences[0]


def not_funded_message(objects: Sequence[str], hit: Hit) -> str:
    """An object no clause found grants money for, naming the nearest clause."""
    asked = "、".join(f"“{o}”" for o in objects)
    return (
        f"已收录的政策文件中没有找到对{asked}给予资金支持的条款，无法给出金额。"
        f"相近的条款是{clause_where(hit)}：「{_nearest_sentence(hit, objects)}」"
    )


def money_unstated_message(hit: Hit) -> str:
    """A money question whose nearest clause names no sum: what it says, and that it sets none."""
    return (
        f"已收录的政策文件没有规定这方面的补助或奖励金额，无法给出金额。"
        f"相关的条款是{clause_where(hit)}：「{_first_sentence(hit)}」该条款没有规定具体金额或标准。"
    )


def rate_unstated_message(hit: Hit) -> str:
    """A rate asked ("百分之几") whose clauses speak of the thing but state no rate."""
    return (
        "已收录的政策文件没有写明这方面的具体比例，无法给出百分比。"
        f"相关的条款是{clause_where(hit)}：「{_first_sentence(hit)}」该条款没有规定具体比例。"
    )


def count_unstated_message(hit: Hit, unit: str) -> str:
    """A count asked ("要培育到多少人") whose clause speaks of the thing but sets no number."""
    return (
        f"已收录的政策文件没有规定这方面的具体数量（多少{unit}），无法给出数字。"
        f"相关的条款是{clause_where(hit)}：「{_first_sentence(hit)}」该条款没有规定具体数量。"
    )


def criteria_unstated_message(kind: str, hit: Hit) -> str:
    """Criteria the documents do not state, naming the clause that grants the support (its
    amount is no answer to a question about conditions or procedure)."""
    what = {
        "procedure": "申报材料和流程",
        "timing": "申报时间和截止日期",
        "self_funding": "企业自筹或配套资金的比例",
        "membership": "具体哪些地区、企业或项目属于这一类别",
        "evaluation": "评审打分办法和指标权重",
    }.get(
        kind, "具体的认定条件或标准"
    )
    return (
        f"已收录的政策文件没有规定{what}，无法回答这个问题。"
        f"相关的条款是{clause_where(hit)}：「{_first_sentence(hit)}」具体以主管部门发布的申报通知为准。"
    )
