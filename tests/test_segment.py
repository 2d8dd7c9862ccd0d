"""The clause tree on the real corpus: counts verified by reading the documents."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policyqa.corpus.clean import CleanDocument
from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.corpus.manifest import DocumentMeta
from policyqa.corpus.segment import parse_departments, segment
from policyqa.text import to_simplified

# Counted by reading each document: (clauses in all, numbered items among them).
EXPECTED_COUNTS = {
    "rizhao-action-2025": (19, 18),  # cover, 一、, 二、(一)-(三), items 1.-14.
    "taian-opinions-draft": (34, 33),  # preamble, 一、二、, items 1.-28., 四、(一)-(三)
    "rizhao-rules-2025": (27, 24),  # cover, preamble, items 1.-24., closing provisions
    "wendeng-plan-2024": (15, 13),  # cover, preamble, 一、二、, 三、(一)-(八), 四、(一)-(三)
    "shandong-rd-2024": (16, 16),  # 一、, items 1.-12., 三、(一)-(三)
}
# The smallest numbered items "1." … "N." of each document, in order.
NUMBERED_ITEMS = {
    "rizhao-action-2025": 14,
    "taian-opinions-draft": 28,
    "rizhao-rules-2025": 24,
    "shandong-rd-2024": 12,
}


def test_clause_counts_per_document(corpus: IngestResult) -> None:
    for doc_id, (total, items) in EXPECTED_COUNTS.items():
        clauses = corpus.clauses_of(doc_id)
        assert len(clauses) == total, doc_id
        assert sum(c.kind == "item" for c in clauses) == items, doc_id


def test_every_numbered_item_is_exactly_one_clause(corpus: IngestResult) -> None:
    for doc_id, count in NUMBERED_ITEMS.items():
        numbers = [
            int(m.group(1))
            for c in corpus.clauses_of(doc_id)
            if (m := re.search(r"(\d+)\.$", c.path))
        ]
        assert numbers == list(range(1, count + 1)), doc_id


def test_paths_and_ids(corpus: IngestResult) -> None:
    clause = corpus.clause("rizhao-rules-2025:6.1.19")
    assert clause is not None and clause.path == "六、(一)19."
    taian = corpus.clause("taian-opinions-draft:3.3.7")
    assert taian is not None and taian.path == "三、(三)7."
    assert taian.heading == "实施重大科技攻关项目"
    assert "单个项目市级财政资金支持不超过500万元" in taian.text
    ids = [c.clause_id for c in corpus.clauses]
    assert len(ids) == len(set(ids))


def test_inline_items_of_the_page_dump(corpus: IngestResult) -> None:
    starts = {
        "taian-opinions-draft:3.4.11": "培育高新技术企业。",
        "taian-opinions-draft:3.4.12": "培强骨干企业。",
        "taian-opinions-draft:3.6.15": "打造创新平台体系。",
        "taian-opinions-draft:4.3": "加强宣传引导。",
    }
    for clause_id, start in starts.items():
        clause = corpus.clause(clause_id)
        assert clause is not None and clause.text.startswith(start), clause_id


def test_no_clause_contains_chrome_or_page_markers(corpus: IngestResult) -> None:
    for clause in corpus.clauses:
        for marker in ["电子邮箱", "联系电话", "加入会员", "图文解读", "课桌文档"]:
            assert marker not in clause.text, clause.clause_id
        if clause.doc_id == "taian-opinions-draft":
            assert not re.search(r"(?<![\d.])\d{1,2}、", clause.text), clause.clause_id


def test_unnumbered_paragraphs_are_clauses(corpus: IngestResult) -> None:
    closing = corpus.clause("rizhao-rules-2025:p2")
    assert closing is not None and "就高、不重復" in closing.text
    goals = corpus.clause("rizhao-action-2025:1")
    assert goals is not None and goals.heading == "工作目标"
    assert "万人有效发明专利拥有量达到13件" in goals.text


def test_traditional_document_keeps_original_and_searches_simplified(
    corpus: IngestResult,
) -> None:
    clause = corpus.clause("rizhao-rules-2025:5.14")
    assert clause is not None
    assert "實際支付金額50萬元以上的橫向項目" in clause.text
    assert "实际支付金额50万元以上的横向项目" in clause.search_text
    for c in corpus.clauses_of("rizhao-rules-2025"):
        assert to_simplified(c.search_text) == c.search_text, c.clause_id


def test_search_text_is_halfwidth(corpus: IngestResult) -> None:
    clause = corpus.clause("rizhao-rules-2025:3.6")
    assert clause is not None and "1:1配套" in clause.search_text and "1∶1" in clause.text


def test_text_is_the_span_of_the_cleaned_document(corpus: IngestResult) -> None:
    texts = {d.doc_id: d.text for d in corpus.documents}
    for clause in corpus.clauses:
        start, end = clause.span
        assert texts[clause.doc_id][start:end] == clause.text, clause.clause_id


def test_departments_attach_to_the_clauses_they_govern(corpus: IngestResult) -> None:
    def departments(clause_id: str) -> tuple[str, ...]:
        clause = corpus.clause(clause_id)
        assert clause is not None
        return clause.departments

    # A standalone note after items 1-2 governs exactly those two items.
    note = ("市科技局", "市工业和信息化局", "市人力资源和社会保障局", "市商务局")
    assert departments("rizhao-action-2025:3.1.1") == note
    assert departments("rizhao-action-2025:3.1.2") == note
    assert departments("rizhao-action-2025:1") == ()
    assert departments("rizhao-action-2025:3.2.3")[0] == "市发展改革委"
    # Inline notes, simplified: 市財政局 → 市财政局; 牵头/配合 roles are stripped.
    assert departments("rizhao-rules-2025:1.1") == (
        "市科技局",
        "市财政局",
        "各区县政府",
        "功能区管委",
    )
    assert departments("taian-opinions-draft:3.2.4") == (
        "市科技局",
        "市工信局",
        "市教育局",
        "市卫健委",
    )
    assert departments("taian-opinions-draft:3.8.27") == ("市科技局",)
    assert departments("shandong-rd-2024:2.4.11") == ("省科技厅",)


def test_parse_departments_keeps_names_that_contain_role_words() -> None:
    assert parse_departments("市科技局、相关产业链牵头部门按职责分工负责") == (
        "市科技局",
        "相关产业链牵头部门",
    )


def test_clause_ids_are_stable_across_runs_and_unrelated_additions(
    corpus: IngestResult, corpus_copy: Path
) -> None:
    assert [c.clause_id for c in ingest(corpus_copy).clauses] == [
        c.clause_id for c in corpus.clauses
    ]
    shutil.copy(corpus_copy / "docs" / "000_ef3f99521724ee56.txt", corpus_copy / "docs" / "new.txt")
    manifest_path = corpus_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["documents"].insert(
        0,
        {
            "id": "new-doc",
            "title": "新增文件",
            "region": "日照市",
            "level": "city",
            "status": "in_force",
            "source_file": "docs/new.txt",
        },
    )
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    grown = ingest(corpus_copy)
    old = {c.clause_id: c.text for c in corpus.clauses}
    new = {c.clause_id: c.text for c in grown.clauses if c.doc_id != "new-doc"}
    assert new == old


_META = DocumentMeta(
    id="fuzz", title="测试文件", region="日照市", level="city", status="in_force", source_file="x"
)
_PIECES = [
    "一、",
    "二、",
    "(一)",
    "(二)",
    "1.",
    "2.",
    "3 .",
    "(1)",
    "。",
    "\n",
    "补助",
    "50万元",
    "(市科技局按职责分工负责)",
    "本文件自印发之日起施行。",
    "测试",
    "12、",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_segmentation_invariants_hold_for_any_arrangement(pieces: list[str]) -> None:
    text = "".join(pieces)
    clauses = segment(CleanDocument(doc_id="fuzz", text=text), _META)
    ids = [c.clause_id for c in clauses]
    assert len(ids) == len(set(ids))
    for clause in clauses:
        assert text[clause.span[0] : clause.span[1]] == clause.text
        assert clause.text.strip() == clause.text and clause.text
