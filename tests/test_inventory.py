"""Questions about the collection itself, answered from the manifest."""

from __future__ import annotations

import pytest

from policyqa.answer.inventory import documents_asked
from policyqa.answer.overview import unstated_metadata
from policyqa.corpus.manifest import DocumentMeta
from policyqa.engine import Engine

DOCS = [
    DocumentMeta(
        id="a-plan",
        title="行动计划",
        issuer="日照市人民政府办公室",
        region="日照市",
        level="city",
        date="2025-07-16",
        status="in_force",
        source_file="a.txt",
    ),
    DocumentMeta(
        id="a-rules",
        title="若干政策实施细则",
        issuer="日照市科学技术局、日照市财政局",
        region="日照市",
        level="city",
        date="2025-08-15",
        status="in_force",
        source_file="b.txt",
    ),
    DocumentMeta(
        id="w-plan",
        title="三年行动方案",
        issuer="威海市文登区人民政府",
        region="威海市文登区",
        level="district",
        date="2024-04-28",
        doc_no="威文政发〔2024〕6号",
        status="in_force",
        source_file="c.txt",
    ),
    DocumentMeta(
        id="s-plan",
        title="山东省行动计划",
        region="山东省",
        level="province",
        status="in_force",
        source_file="d.txt",
    ),
    DocumentMeta(
        id="t-draft",
        title="实施意见(征求意见稿)",
        issuer="泰安市人民政府",
        region="泰安市",
        level="city",
        status="draft",
        source_file="e.txt",
    ),
]
ALL = ["a-plan", "a-rules", "w-plan", "s-plan", "t-draft"]


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        ("你们这里一共收录了哪些政策文件？", ALL),
        ("日照的文件有哪几份？", ["a-plan", "a-rules"]),
        ("省级层面的文件有哪些？", ["s-plan"]),
        ("有没有区县一级的文件？", ["w-plan"]),
        ("2025年印发的文件有哪些？", ["a-plan", "a-rules"]),
        ("日照市科技局牵头发的是哪个文件？", ["a-rules"]),
        ("哪份文件有正式文号？", ["w-plan"]),
        ("2023年印发的文件有哪些？", []),
        # 涉及 a place the collection covers: the place's documents, not a topic.
        ("你这儿涉及日照的政策文件有几份？", ["a-plan", "a-rules"]),
        ("你这儿一共收了哪几份政策文件？", ALL),
        # The one asked ("你这") is no topic; 征求意见稿 asks for the drafts.
        ("你这几份政策文件里，哪一份还是征求意见稿？", ["t-draft"]),
        ("日照那俩文件，哪个先发的？各是哪天？", ["a-plan", "a-rules"]),
        ("这几份文件里，哪份是区县一级出的？", ["w-plan"]),
        ("五份文件里哪份有正式发文字号？字号是多少？", ["w-plan"]),
        ("日照的政策文件你这有几份？都叫啥？", ["a-plan", "a-rules"]),
        ("这五个文件里，哪个还只是征求意见稿，不是正式印发的？", ["t-draft"]),
        ("咱们这套资料里，日照市的文件有几个？分别叫啥？", ["a-plan", "a-rules"]),
        ("日照的政策文件库里有几份？分别叫啥、谁发的？", ["a-plan", "a-rules"]),
        # Whether any is a draft, asked besides the list: the list (with each status) answers.
        ("你这儿一共收了哪几份政策文件？有没有还没正式出台的？", ALL),
    ],
)
def test_the_documents_a_question_about_the_collection_asks_for(
    question: str, ids: list[str]
) -> None:
    found = documents_asked(question, DOCS)
    assert found is not None and [d.id for d in found] == ids


@pytest.mark.parametrize(
    "question",
    [
        "哪些文件提到了揭榜挂帅？",  # what the documents say: a topic
        "创新券在哪些文件里出现过？",
        "日照这份实施细则是为了落实哪一份政策文件而制定的？",
        "日照对省级孵化器补多少？",  # no question about documents at all
        "涉及孵化器的政策文件有几份？",  # 涉及 a topic
        "日照那俩文件里，高企认定奖励多少？",  # nothing asked of the documents themselves
        "咱们这几份文件里，研发费用加计扣除比例是按100%还是多少？",
    ],
)
def test_a_question_about_what_documents_say_is_no_inventory(question: str) -> None:
    assert documents_asked(question, DOCS) is None


def test_the_collection_is_listed_from_the_manifest_with_cover_clauses(engine: Engine) -> None:
    answer = engine.answerer.answer("有没有区县一级的文件？")
    assert not answer.abstained
    assert "威文政发〔2024〕6号" in answer.answer and "共1份" in answer.answer
    assert [c.clause_id for c in answer.citations] == ["wendeng-plan-2024:cover"]
    none = engine.answerer.answer("2023年印发的文件有哪些？")
    assert none.abstained and none.abstain_reason == "no_documents_match"


def test_a_date_unstated_is_no_abstention_when_the_status_is_asked_too() -> None:
    draft = DOCS[-1]
    assert unstated_metadata("这个文件是哪天发的？", draft) == ("发布日期",)
    assert unstated_metadata("这个文件是正式印发的吗？哪天发的？", draft) == ()


def test_who_issued_a_named_document_is_answered_from_the_manifest(engine: Engine) -> None:
    # Its words rank no clause above the relevance floor; the document is named.
    answer = engine.answerer.answer("日照那份實施細則是哪兩個部門聯合發的?落款日期是哪天?")
    assert not answer.abstained
    assert "日照市科学技术局、日照市财政局" in answer.answer and "2025年8月15日" in answer.answer
