"""Questions about the collection itself: which documents it holds, of a place, a level, a year,
an issuer, or with a 文号 ("你们收录了哪些政策文件", "有没有区县一级的文件", "2025年印发的文件
有哪些", "哪份文件有正式文号").

Owns `documents_asked`: the manifest's documents such a question asks for, or None when the
question asks about something the documents say (a topic: "哪些文件提到了揭榜挂帅" is
`overview.topic_of`'s). The manifest answers these; no clause is searched. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policyqa.answer.docfacts import place_of
from policyqa.answer.overview import topic_of
from policyqa.corpus.manifest import DocumentMeta
from policyqa.text import normalize

# A question about documents as such: which, how many, whether there are any.
_ASKS_DOCUMENTS = re.compile(
    r"(?:哪些|哪几|几份|哪份|哪个|哪一份|有没有|有几|收录了?)[^，,。？?]{0,8}?(?:政策)?(?:文件|文档)"
    r"|(?:文件|文档)(?:库)?(?:里|中)?(?:你这儿?|你们这儿?|这里|这儿)?(?:有|是|都是)"
    r"(?:哪些|哪几|几份|几个|哪份|哪个)"
    r"|(?:那份|这份)(?:文件|文档)"
)
# "你这几份文件里", "日照那俩文件": documents pointed at, which asks nothing by itself ("这几份
# 文件里，研发费用加计扣除比例是多少" asks about a topic) ...
_POINTED = re.compile(
    r"(?:你们|您|你|咱们|咱)?(?:(?:这|那)(?:几份|些|两份|两个|俩|[二两三四五六七八九十][份个])"
    r"|[二两三四五六七八九十]份)(?:政策)?"
    r"(?:文件|文档)(?:里|中|当中)?"
)
# ... unless what is asked of them is which one, and what the manifest says ("哪个先发的").
_WHICH_ONE = re.compile(r"哪一份|哪份|哪个|哪几份|几份|哪些")
_MANIFEST_WORDS = re.compile(
    r"先发|后发|哪天|日期|谁发|发布|印发|出台|叫啥|叫什么|名称|标题|文号|征求意见稿|草案|正式|几份"
    r"|一级|级别|层级|出的|发的|哪个部门|哪家单位|字号"
)
# "哪一份还是征求意见稿": the drafts only.
_DRAFT = re.compile(r"征求意见稿|草案|草稿|(?:未|没|还没)(?:有)?正式")
# Words that ask what documents say about something: a topic, not the collection.
_ABOUT_TOPIC = re.compile(
    r"提到|提及|提过|提出|涉及|讲了|讲到|说到|说了|写了|写到|规定了|关于|有关|包含|部署|(?<!库)里有|(?<!库)中有"
    r"|支持|出现|使用|说法|提法|落实"
)
_LEVELS = (
    ("province", re.compile(r"省级|省一级|省里的|省级层面|省直")),
    ("city", re.compile(r"市级|市一级|地市")),
    ("district", re.compile(r"区县|区级|县级|区一级|县一级")),
)
_YEAR_ISSUED = re.compile(r"(20\d\d)年(?:度)?(?:印发|发布|出台|发的|制定|下发)")
_DOC_NO = re.compile(r"文号|字号")
# An issuer as a question names it ("市科技局"), matched against the manifest's (科学技术局).
_ISSUER = re.compile(r"(科技局|财政局|人民政府办公室|政府办公室|政府办|人民政府|政府)")
_ISSUER_FORMS = {"科技局": "科学技术局", "政府办": "政府办公室"}


# "收录了哪些", "一共收了哪几份": the collection itself, not a topic.
_COLLECTED = re.compile(r"收录|收了|收集|收有")
# What a topic word is about, up to the 的 before 文件 ("涉及日照的文件").
_ABOUT_WHAT = re.compile(r"([^的，,。？?]{1,10})的")


def _place_only(rest: str, documents: Sequence[DocumentMeta]) -> bool:
    """Whether a topic word is about a place the collection covers and nothing else ("涉及
    日照的政策文件有几份": which documents are 日照's, not what they say)."""
    m = _ABOUT_WHAT.match(rest)
    if not m:
        return False
    what = re.sub(r"[省市区县]$", "", m.group(1))
    return any(place_of(d.region) == what for d in documents)


def documents_asked(
    question: str, documents: Sequence[DocumentMeta]
) -> tuple[DocumentMeta, ...] | None:
    """The documents a question about the collection asks for (see the module docstring),
    filtered by the place, level, year of issue, issuer or 文号 it names; None when it is no
    such question."""
    text = normalize(question)
    pointed = _POINTED.search(text)
    rest = f"{text[: pointed.start()]}{text[pointed.end() :]}" if pointed else text
    asked = _ASKS_DOCUMENTS.search(rest)
    if not asked and not (pointed and _WHICH_ONE.search(rest) and _MANIFEST_WORDS.search(rest)):
        return None
    about = _ABOUT_TOPIC.search(text)
    of_place = about is not None and _place_only(text[about.end() :], documents)
    if about and not of_place:
        return None
    topic = topic_of(text)
    if topic is not None and not _COLLECTED.search(topic) and not of_place:
        return None  # "创新券在哪些文件里": what the documents say
    found = list(documents)
    places = {place_of(d.region) for d in documents if place_of(d.region) in text}
    if places:
        found = [d for d in found if place_of(d.region) in places]
    levels = {level for level, cue in _LEVELS if cue.search(text)}
    if levels:
        found = [d for d in found if d.level in levels]
    years = {int(y) for y in _YEAR_ISSUED.findall(text)}
    if years:
        found = [d for d in found if d.date is not None and d.date.year in years]
    # Drafts only when the ask itself is of drafts ("哪一份还是征求意见稿"), not when another
    # sentence asks whether any is ("一共收了哪几份？有没有还没正式出台的？": the list says).
    asking = next(
        (s for s in re.split(r"[？?。！!]", rest) if asked is None or asked.group(0) in s), rest
    )
    if _DRAFT.search(asking):
        found = [d for d in found if d.status == "draft"]
    if _DOC_NO.search(text):
        found = [d for d in found if d.doc_no]
    issuer = _ISSUER.search(text)
    if issuer:
        office = _ISSUER_FORMS.get(issuer.group(1), issuer.group(1))
        found = [d for d in found if d.issuer and office in d.issuer]
    return tuple(found)
