"""Adding, replacing and removing policy documents (.txt, .docx, .pdf) in a corpus directory.

Reading: `.txt` in any encoding the corpus accepts (UTF-8, UTF-16/32 with a BOM, GB18030/GBK),
`.docx` with python-docx (paragraphs and tables in document order) and text PDFs with pypdf (a
scanned PDF without a text layer is refused). Metadata the text states (title, 发文字号, date,
issuer, region) is read from it and shown for confirmation; explicit values override it.

Changing: the file is copied into `corpus/docs/` as received (for Word and PDF the text read from
it is stored beside it as `.txt`, which is what the manifest names and ingestion reads), the
manifest is rewritten atomically, and the index is updated incrementally
(`policyqa.search.incremental`). Every check runs before anything is written, and a failure part-way
removes what was written, so on any error the corpus and the index are left as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from policyqa.corpus.ingest import IngestResult
from policyqa.corpus.manifest import (
    MANIFEST_NAME,
    CleanDocument,
    CorpusError,
    Correction,
    DocumentMeta,
    Manifest,
    clean_text,
    corpus_hash,
    decode_bytes,
    load_corrections,
    load_manifest,
    read_document,
)
from policyqa.corpus.segment import Clause, SegmentError, segment
from policyqa.rules.table import RULES_FILE, RuleBook, RulesError, load_rules
from policyqa.search.embed import Embedder
from policyqa.search.incremental import IndexUpdate, commit_update, discard_update, stage_update
from policyqa.search.index import CURRENT
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.text import normalize, to_simplified

if TYPE_CHECKING:
    from docx.table import Table

    from policyqa.settings import Settings

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf")
MAX_SOURCE_BYTES = 20 * 1024 * 1024
DOCS_DIR = "docs"
LOCK_NAME = ".documents.lock"
FIELDS: tuple[str, ...] = ("id", "title", "issuer", "region", "level", "date", "doc_no", "status")


# --- errors ----------------------------------------------------------------------------------


class DocumentError(Exception):
    """A document change that cannot be made as asked; the corpus and index were left untouched."""


class UnreadableDocumentError(DocumentError):
    """The file's text cannot be read: unsupported type, damaged file, unknown encoding."""


class ScannedPdfError(UnreadableDocumentError):
    """A PDF with no text layer (a scan); it needs OCR or the text version of the document."""


class MetadataError(DocumentError):
    """A metadata field is missing or invalid; the message names the flag / form field to set."""


class DuplicateDocumentError(DocumentError):
    """The same content (by sha256 of the file or of its text) is already in the corpus."""


class DocumentConflictError(DocumentError):
    """The change conflicts with the corpus: an id already taken, or rules needing the document."""


class UnknownDocumentError(DocumentError):
    """No document with that id in the manifest."""


# --- reading ---------------------------------------------------------------------------------

# PDF text often carries Kangxi radicals (⼀ U+2F00) for the CJK ideographs they look like.
_RADICALS = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)]
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
_WORD_CHAR = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)$"
)
_MARKER_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}\s?[.．、]|"
    r"[(（]\d{1,2}[)）]|第[一二三四五六七八九十百]+[章条节])"
)
_LINE_END = tuple("。！？；：:;!?”」』）)")


def _clean_line(text: str) -> str:
    """One line with tabs and runs of whitespace collapsed to single spaces."""
    return " ".join(text.replace("\t", " ").split())


def read_txt(data: bytes, name: str) -> str:
    """Text of a .txt file exactly as ingestion will decode it (UTF-8, UTF-16/32+BOM, GB18030)."""
    try:
        text = decode_bytes(data, name)
    except CorpusError as e:
        raise UnreadableDocumentError(
            f"{name}: 无法识别文本编码（支持 UTF-8、带 BOM 的 UTF-16/32、GB18030/GBK）；"
            "请另存为 UTF-8 文本后再添加 (save the file as UTF-8 text)"
        ) from e
    return text


def _table_lines(table: Table) -> list[str]:
    """One line per table row, cells joined by ' | ' (a merged cell counted once)."""
    lines = []
    for row in table.rows:
        seen: list[Any] = []
        cells: list[str] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell repeats across the grid
                continue
            seen.append(cell._tc)
            text = _clean_line(cell.text)
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


def read_docx(data: bytes, name: str) -> str:
    """Text of a Word .docx: paragraphs and table rows in document order, one per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    lines: list[str] = []
    try:
        document = docx.Document(io.BytesIO(data))
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(_clean_line(block.text))
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        etree.LxmlError,
    ) as e:
        raise UnreadableDocumentError(
            f"{name}: Word 文件已损坏或不是 .docx（{type(e).__name__}）；请在 Word/WPS 中打开并"
            "重新另存为 .docx 后再添加 (the .docx is damaged; re-save it from Word)"
        ) from e
    return "\n".join(line for line in lines if line)


def _reflow(lines: list[str]) -> list[str]:
    """Rejoin lines a PDF wrapped at the page width: a full-width line that does not end a
    sentence continues on the next one, unless that one starts a numbered item, a 发文字号 or a
    date, or the line closes a title (…的通知)."""
    lengths = sorted(len(line) for line in lines)
    if len(lengths) < 4:
        return lines
    width = lengths[int(len(lengths) * 0.8)]
    out: list[str] = []
    last = ""  # the previous physical line
    for line in lines:
        if (
            out
            and width >= 15
            and len(last) >= 0.85 * width
            and not last.endswith(_LINE_END)
            and not to_simplified(last).endswith("的通知")
            and not _MARKER_START.match(line)
            and not _DOC_NO.fullmatch(line)
            and _date_line(line) is None
        ):
            out[-1] += line
        else:
            out.append(line)
        last = line
    return out


def read_pdf(data: bytes, name: str) -> str:
    """Text of a text PDF, wrapped lines rejoined; a scan without a text layer is refused."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError(
                f"{name}: PDF 已加密，无法读取文字；请提供未加密的 PDF (remove the password)"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise UnreadableDocumentError(
            f"{name}: PDF 文件已损坏，无法读取（{type(e).__name__}）；请重新导出 PDF 后再添加 "
            "(the PDF is damaged; export it again)"
        ) from e
    lines: list[str] = []
    for page in pages:
        for raw in page.translate(_RADICALS).replace("\r", "\n").split("\n"):
            line = _clean_line(raw)
            if line and not _PAGE_NUMBER.match(line):
                lines.append(line)
    words = sum(len(_WORD_CHAR.findall(line)) for line in lines)
    if words < max(20, 10 * len(pages)):
        raise ScannedPdfError(
            f"{name}: 这是扫描件（没有文字层），读不出文字；请提供文字版 PDF 或先做 OCR"
            "（例如 ocrmypdf -l chi_sim 扫描件.pdf 文字版.pdf）再添加 "
            "(scanned PDF without a text layer: provide a text PDF or run OCR first)"
        )
    return "\n".join(_reflow(lines))


def extract_text(data: bytes, name: str) -> str:
    """The text of a .txt, .docx or .pdf file given as bytes; `name` picks the reader."""
    suffix = Path(name).suffix.lower()
    if suffix in (".doc", ".wps"):
        raise UnreadableDocumentError(
            f"{name}: 不支持旧版 Word 格式（{suffix}）；请在 Word/WPS 中另存为 .docx 后再添加 "
            "(save as .docx)"
        )
    readers = {".txt": read_txt, ".docx": read_docx, ".pdf": read_pdf}
    reader = readers.get(suffix)
    if reader is None:
        raise UnreadableDocumentError(
            f"{name}: 不支持的文件类型 {suffix or '（无扩展名）'}；支持 "
            f"{'、'.join(SUPPORTED_SUFFIXES)} (supported: .txt, .docx, .pdf)"
        )
    text = reader(data, name)
    if len(_WORD_CHAR.findall(text)) < 20:
        raise UnreadableDocumentError(f"{name}: 文件中几乎没有文字，无法作为政策文件添加")
    return text


@dataclass(frozen=True)
class SourceFile:
    """A document as received (name and bytes) with the text read from it."""

    name: str
    data: bytes = field(repr=False)
    text: str = field(repr=False)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def source_from_bytes(name: str, data: bytes) -> SourceFile:
    """Read an uploaded document (name decides the format) into a SourceFile."""
    if len(data) > MAX_SOURCE_BYTES:
        raise UnreadableDocumentError(
            f"{name}: 文件超过 {MAX_SOURCE_BYTES // (1024 * 1024)} MB，不像一份政策文件"
        )
    return SourceFile(Path(name).name, data, extract_text(data, name))


def load_source(path: Path) -> SourceFile:
    """Read a document file from disk into a SourceFile."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableDocumentError(f"无法读取文件 {path}：{e.strerror}") from e
    return source_from_bytes(path.name, data)


# --- metadata --------------------------------------------------------------------------------

_KINDS = (
    "实施细则|细则|实施意见|指导意见|意见|实施办法|管理办法|办法|若干措施|措施|若干政策|政策|"
    "行动计划|行动方案|实施方案|工作方案|方案|计划|规划|通知|规定|决定|指南|条例|纲要|公告"
)
_PAREN_TAIL = r"(?:\s*[(（][^()（）]{1,20}[)）])*"
_TITLE_LINE = re.compile(rf"^.{{4,100}}?(?:{_KINDS}){_PAREN_TAIL}$")
_TITLE_RUN_ON = re.compile(rf"^(.{{4,80}}?(?:{_KINDS}){_PAREN_TAIL})(?=为|根据|按照|各)")
_TITLE_NOTICE = re.compile(r"印发\s*《(.{4,100}?)》")
_TITLE_COVER = re.compile(r"《(.{4,100}?)》\s*已经")
_DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[【［(（]\s*(?:19|20)\d{2}\s*[〕\]】］)）]\s*第?\s*\d{1,4}\s*号"
)
_DATE_LINE = re.compile(
    r"^(?:(?P<who>.{2,60}?)\s*)?(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$"
)
_CN_DATE_LINE = re.compile(
    r"^(?:(?P<who>.{2,60}?)\s*)?(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日$"
)
_ISO_DATE = re.compile(
    r"^\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$"
)
_ORG = re.compile(
    r"(人民政府办公室|人民政府办公厅|人民政府|人民代表大会常务委员会|委员会|管理委员会|管委会|办公室|"
    r"办公厅|局|厅|委|部|院|中心|协会)$"
)
_ISSUER_IN_TITLE = re.compile(
    r"^(.{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|局|厅|委员会))关于"
)
_DRAFT = re.compile(r"征求意见稿|草案|送审稿|讨论稿|征求意见")
SHANDONG_CITIES: dict[str, str] = {
    "济南": "jinan",
    "青岛": "qingdao",
    "淄博": "zibo",
    "枣庄": "zaozhuang",
    "东营": "dongying",
    "烟台": "yantai",
    "潍坊": "weifang",
    "济宁": "jining",
    "泰安": "taian",
    "威海": "weihai",
    "日照": "rizhao",
    "临沂": "linyi",
    "德州": "dezhou",
    "聊城": "liaocheng",
    "滨州": "binzhou",
    "菏泽": "heze",
}
DISTRICT_SLUGS: dict[str, str] = {"文登": "wendeng"}
_KIND_SLUGS: tuple[tuple[str, str], ...] = (
    ("实施细则", "rules"),
    ("细则", "rules"),
    ("若干政策", "policies"),
    ("若干措施", "measures"),
    ("措施", "measures"),
    ("办法", "measures"),
    ("意见", "opinions"),
    ("行动计划", "action"),
    ("行动方案", "plan"),
    ("方案", "plan"),
    ("规划", "plan"),
    ("计划", "plan"),
    ("通知", "notice"),
    ("规定", "rules"),
    ("指南", "guide"),
    ("政策", "policies"),
)
LEVEL_ALIASES = {
    "province": "province",
    "省": "province",
    "省级": "province",
    "city": "city",
    "市": "city",
    "市级": "city",
    "district": "district",
    "区": "district",
    "县": "district",
    "区级": "district",
    "县级": "district",
    "区县级": "district",
}
STATUS_ALIASES = {
    "draft": "draft",
    "征求意见稿": "draft",
    "草案": "draft",
    "in_force": "in_force",
    "in-force": "in_force",
    "现行有效": "in_force",
    "有效": "in_force",
}


@dataclass(frozen=True)
class MetadataGuess:
    """What a document's text says about itself; None where it says nothing."""

    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    level: str | None = None
    date: dt.date | None = None
    doc_no: str | None = None
    status: str | None = None


def _cn_number(text: str) -> int:
    digits = "〇一二三四五六七八九"
    text = text.replace("○", "〇").replace("零", "〇")
    if all(ch in digits for ch in text) and len(text) > 1:
        return int("".join(str(digits.index(ch)) for ch in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + digits.index(text[1])
    if text.endswith("十"):
        return digits.index(text[0]) * 10
    if "十" in text:
        tens, ones = text.split("十")
        return digits.index(tens) * 10 + digits.index(ones)
    return digits.index(text)


def _date_line(line: str) -> tuple[str | None, dt.date] | None:
    """(issuer prefix, date) of a line that is a signing date, possibly after the issuer."""
    for pattern, convert in ((_DATE_LINE, int), (_CN_DATE_LINE, _cn_number)):
        m = pattern.match(line)
        if m:
            try:
                date = dt.date(convert(m["y"]), convert(m["m"]), convert(m["d"]))
            except ValueError:
                return None
            who = m["who"]
            return (who.strip() if who else None), date
    return None


def _in_original(original: str, simplified: str, start: int, end: int) -> str:
    """The original-script text of a span found in the simplified text (same length: 1:1)."""
    if len(original) == len(simplified):
        return original[start:end]
    return simplified[start:end]


def _issuer_of(text: str) -> str | None:
    """Issuer names of a signature line ('日照市科學技術局 日照市財政局' → '…局、…局')."""
    parts = [p for p in re.split(r"[\s、，,]+", text.strip()) if p]
    if not parts or len(text) > 60 or "。" in text:
        return None
    simplified = [to_simplified(p) for p in parts]
    if not all(_ORG.search(p) for p in simplified):
        return None
    return "、".join(simplified)


def region_of(text: str) -> tuple[str, str] | None:
    """(region, level) named at the start of an issuer or title: 山东省, 济宁市, 威海市文登区."""
    text = to_simplified(text.strip())
    if text.startswith("山东省"):
        rest = text[3:]
        city = next((c for c in SHANDONG_CITIES if rest.startswith(c + "市")), None)
        if city is None:
            return "山东省", "province"
        text = rest
    city_name: str | None = None
    for city in SHANDONG_CITIES:
        if text.startswith(city + "市"):
            city_name = city + "市"
            break
    if city_name is None:
        m = re.match(
            r"^([\u4e00-\u9fff]{2,3}市)(?=人民政府|[\u4e00-\u9fff]{0,8}(?:局|委员会|办公室|厅))",
            text,
        )
        if m is None:
            return None
        city_name = m.group(1)
    rest = text[len(city_name) :]
    district = re.match(
        r"^([\u4e00-\u9fff]{1,4}?(?:区|县))(?=人民政府|[\u4e00-\u9fff]{0,8}(?:局|委员会|办公室))",
        rest,
    )
    if district:
        return city_name + district.group(1), "district"
    return city_name, "city"


def level_of_region(region: str) -> str:
    """The level a region name implies: …省 province, …区/…县 district, otherwise city."""
    if region.endswith("省"):
        return "province"
    if re.search(r"市.+(区|县|市)$", region) or region.endswith(("区", "县")):
        return "district"
    return "city"


def read_metadata(raw: str) -> MetadataGuess:
    """Title, issuer, region, date, 发文字号 and draft status as the text states them."""
    cleaned: CleanDocument = clean_text(raw, "new", [])
    bullets = {k.replace("文件", ""): v for k, v in cleaned.metadata.items()}
    lines = [line for line in cleaned.text.split("\n") if line.strip()]
    body = next((i for i, line in enumerate(lines) if line.startswith("一、")), len(lines))
    head_lines = lines[: min(body, 40)] or lines[:1]
    head = "".join(head_lines)[:4000]
    head_simple = to_simplified(head)

    title: str | None = None
    for pattern in (_TITLE_NOTICE, _TITLE_COVER):
        m = pattern.search(head_simple)
        if m:
            title = _in_original(head, head_simple, m.start(1), m.end(1))
            break
    if title is None:
        for line in head_lines:
            simple = to_simplified(line)
            if (
                "。" not in line
                and not simple.startswith(("为", "根据", "各", "《"))
                and not line.endswith((":", "："))
                and _TITLE_LINE.match(simple)
            ):
                title = line.strip()
                break
    if title is None and lines:
        m = _TITLE_RUN_ON.match(to_simplified(lines[0]))
        if m:
            title = _in_original(lines[0], to_simplified(lines[0]), 0, m.end(1))

    doc_no = bullets.get("发文字号") or None
    if doc_no is None:
        for line in lines[: body + 5]:
            m = _DOC_NO.search(line)
            if m and len(line) <= 60:
                doc_no = re.sub(r"\s+", "", m.group(0))
                break

    date: dt.date | None = None
    issuer = bullets.get("发文机关") or None
    for key in ("成文日期", "发布日期", "公开发布日期"):
        m = _ISO_DATE.match(bullets.get(key, ""))
        if m:
            date = dt.date(int(m[1]), int(m[2]), int(m[3]))
            break
    for i, line in enumerate(lines):
        found = _date_line(line.strip())
        if found is None:
            continue
        who, line_date = found
        date = date or line_date
        if issuer is None:
            issuer = _issuer_of(who) if who else (_issuer_of(lines[i - 1]) if i else None)
        break
    if issuer is None and title:
        m = _ISSUER_IN_TITLE.match(to_simplified(title))
        if m:
            issuer = m.group(1)

    region_level = None
    for candidate in (issuer, title, doc_no):
        if candidate:
            region_level = region_of(candidate)
            if region_level:
                break
    status = None
    if title or head_lines:
        status = "draft" if _DRAFT.search(to_simplified(title or head_lines[0])) else "in_force"
    return MetadataGuess(
        title=title,
        issuer=issuer,
        region=region_level[0] if region_level else None,
        level=region_level[1] if region_level else None,
        date=date,
        doc_no=doc_no,
        status=status,
    )


def _parse_date(value: str) -> dt.date:
    m = _ISO_DATE.match(value)
    if m:
        with contextlib.suppress(ValueError):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise MetadataError(f"日期 {value!r} 无法识别；请写成 2025-03-06 (use YYYY-MM-DD)")


def suggest_id(meta: Mapping[str, Any], taken: set[str], sha256: str) -> str:
    """A readable unused id: region, kind and year from the metadata ('jining-measures-2025')."""
    region = str(meta.get("region") or "")
    slug = next((s for name, s in DISTRICT_SLUGS.items() if name in region), None)
    slug = slug or next((s for name, s in SHANDONG_CITIES.items() if name in region), None)
    if slug is None and region.startswith("山东"):
        slug = "shandong"
    title = to_simplified(str(meta.get("title") or ""))
    kind = next((s for word, s in _KIND_SLUGS if word in title), "doc")
    year: str | None = None
    date = meta.get("date")
    if isinstance(date, dt.date):
        year = str(date.year)
    else:
        m = re.search(r"(?:19|20)\d{2}", f"{title} {meta.get('doc_no') or ''}")
        year = m.group(0) if m else None
    if slug is None:
        base = f"doc-{sha256[:8]}"
    else:
        base = "-".join(p for p in (slug, kind, year) if p)
        if meta.get("status") == "draft":
            base += "-draft"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@dataclass(frozen=True)
class Proposal:
    """The metadata a document will be added with, and where each value came from."""

    meta: DocumentMeta
    origins: dict[str, str]
    guessed: MetadataGuess

    def rows(self) -> list[tuple[str, str, str]]:
        """(field, value, origin) for showing to the user before confirming."""
        data = self.meta.model_dump(mode="json")
        return [
            (name, str(data[name]) if data[name] is not None else "—", self.origins[name])
            for name in FIELDS
        ]


_PENDING_FILE = "docs/pending.txt"
ORIGIN_FILE = "文件"
ORIGIN_GIVEN = "指定"
ORIGIN_PREVIOUS = "原文档"
ORIGIN_DERIVED = "推断"


def propose_metadata(
    source: SourceFile,
    manifest: Manifest,
    overrides: Mapping[str, str | None] | None = None,
    previous: DocumentMeta | None = None,
) -> Proposal:
    """Merge what the text states, the given overrides and (on replace) the old document's
    region, level and issuer into a validated DocumentMeta; says what is missing."""
    given = {k: v.strip() for k, v in (overrides or {}).items() if v is not None and v.strip()}
    unknown = set(given) - set(FIELDS)
    if unknown:
        raise MetadataError(f"未知的元数据字段 {sorted(unknown)}；可用字段：{', '.join(FIELDS)}")
    guess = read_metadata(source.text)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    def take(name: str, value: Any, origin: str) -> None:
        if name not in values and value is not None:
            values[name] = value
            origins[name] = origin

    if "level" in given:
        level = LEVEL_ALIASES.get(given["level"])
        if level is None:
            raise MetadataError(
                f"层级 {given['level']!r} 无效；用 province / city / district（省级/市级/区县级）"
            )
        given["level"] = level
    if "status" in given:
        status = STATUS_ALIASES.get(given["status"])
        if status is None:
            raise MetadataError(
                f"状态 {given['status']!r} 无效；用 draft（征求意见稿）或 in_force（现行有效）"
            )
        given["status"] = status
    for name, value in given.items():
        take(name, _parse_date(value) if name == "date" else value, ORIGIN_GIVEN)
    if "region" in values and "level" not in values:
        take("level", level_of_region(values["region"]), ORIGIN_DERIVED)
    for name in ("title", "issuer", "region", "level", "date", "doc_no", "status"):
        take(name, getattr(guess, name), ORIGIN_FILE)
    if previous is not None:
        for name in ("region", "level", "issuer"):
            take(name, getattr(previous, name), ORIGIN_PREVIOUS)
        take("id", previous.id, ORIGIN_PREVIOUS)
    take("title", Path(source.name).stem, ORIGIN_DERIVED)
    take("status", "in_force", ORIGIN_DERIVED)
    if "region" not in values:
        raise MetadataError(
            f"{source.name}: 未能从文中读出发文地区；请指定，例如 --region 济宁市 --level city "
            "(API: form field region)"
        )
    if "id" not in values:
        taken = {d.id for d in manifest.documents}
        take("id", suggest_id(values, taken, source.sha256), ORIGIN_DERIVED)
    for name in FIELDS:
        origins.setdefault(name, "—")
    try:
        meta = DocumentMeta(**values, source_file=_PENDING_FILE)
    except ValidationError as e:
        problems = "；".join(_field_problem(err) for err in e.errors())
        raise MetadataError(f"元数据无效：{problems}") from e
    return Proposal(meta, origins, guess)


def _field_problem(err: Mapping[str, Any]) -> str:
    name = ".".join(str(p) for p in err.get("loc", ()))
    hints = {
        "id": "只能用小写字母、数字和连字符，例如 jining-measures-2025 (--id)",
        "level": "用 province / city / district (--level)",
        "status": "用 draft 或 in_force (--status)",
        "date": "写成 2025-03-06 (--date)",
    }
    return f"{name}: {hints.get(name, err.get('msg', ''))}"


# --- the corpus change -----------------------------------------------------------------------


ReviewKind = Literal["rule", "provision", "exclusion", "combination", "industry"]
# (kind, rule id or title, clause id, quotes) of a rules.toml entry tied to a document.
_Reference = tuple[ReviewKind, str, str, tuple[str, ...]]


@dataclass(frozen=True)
class ReviewItem:
    """An entry of rules.toml tied to a clause that changed or left, and why to review it."""

    kind: ReviewKind
    ref: str
    clause_id: str
    reason: str


@dataclass(frozen=True)
class ChangeReport:
    """What one add / replace / remove did to the corpus and the index."""

    action: Literal["add", "replace", "remove"]
    document: DocumentMeta | None
    previous: DocumentMeta | None
    clauses: tuple[str, ...]
    removed_clauses: tuple[str, ...]
    index: IndexUpdate | None
    review: tuple[ReviewItem, ...] = ()

    def lines(self) -> list[str]:
        """A Chinese summary for the command line."""
        out: list[str] = []
        doc, old = self.document, self.previous
        if self.action == "add" and doc:
            out.append(f"已添加 {doc.id}（{doc.title}）：{len(self.clauses)} 条条款。")
        elif self.action == "replace" and doc and old:
            out.append(
                f"已用新文本替换 {old.id}"
                + (f" → {doc.id}" if doc.id != old.id else "")
                + f"（{doc.title}）：移除旧条款 {len(self.removed_clauses)} 条，"
                f"新条款 {len(self.clauses)} 条。"
            )
        elif old:
            out.append(f"已删除 {old.id}（{old.title}）：移除条款 {len(self.removed_clauses)} 条。")
        if self.index is None:
            out.append("尚未建立索引：首次检索时会自动建立（或运行 policyqa index）。")
        else:
            u = self.index
            out.append(
                f"索引已增量更新：新嵌入 {u.embedded} 条，沿用 {u.reused} 条，移除 {u.dropped} 条，"
                f"共 {u.n_clauses} 条，用时 {u.seconds:.1f} 秒。"
            )
        if self.review:
            out.append(f"rules.toml 中有 {len(self.review)} 个条目与旧条款相关，需要复核：")
            names = {
                "rule": "规则",
                "provision": "条款补充",
                "exclusion": "排除项",
                "combination": "组合规则",
                "industry": "产业目录",
            }
            for item in self.review:
                out.append(f"  {names[item.kind]} {item.ref}（{item.clause_id}）：{item.reason}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the admin API."""
        return {
            "action": self.action,
            "document": self.document.model_dump(mode="json") if self.document else None,
            "previous": self.previous.model_dump(mode="json") if self.previous else None,
            "clauses": list(self.clauses),
            "removed_clauses": list(self.removed_clauses),
            "index": (
                {
                    "embedded": self.index.embedded,
                    "reused": self.index.reused,
                    "dropped": self.index.dropped,
                    "n_clauses": self.index.n_clauses,
                    "seconds": self.index.seconds,
                }
                if self.index
                else None
            ),
            "review": [item.__dict__ for item in self.review],
        }


def ingest_manifest(corpus_dir: Path, manifest: Manifest) -> IngestResult:
    """`ingest` for a manifest not yet written: read, clean and segment its documents."""
    corrections = load_corrections(corpus_dir)
    documents = [
        clean_text(read_document(corpus_dir / d.source_file), d.id, corrections)
        for d in manifest.documents
    ]
    clauses: list[Clause] = []
    for doc, meta in zip(documents, manifest.documents, strict=True):
        clauses.extend(segment(doc, meta))
    return IngestResult(manifest, documents, clauses, corpus_hash(corpus_dir, manifest))


def _segment_text(text: str, meta: DocumentMeta, corrections: list[Correction]) -> list[Clause]:
    """Clauses of one document's text, as ingestion will produce them; at least one."""
    try:
        clauses = segment(clean_text(text, meta.id, corrections), meta)
    except SegmentError as e:
        raise DocumentError(f"无法切分条款：{e}") from e
    if not clauses:
        raise DocumentError(f"{meta.id}: 清理后没有正文，无法切分出条款；请检查文件内容")
    return clauses


def _fingerprint(text: str) -> str:
    """A hash of the text without whitespace: the same content in another file format."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def _companions(corpus_dir: Path, meta: DocumentMeta) -> list[str]:
    """The manifest's text file of a document plus its original (.docx/.pdf) beside it."""
    path = corpus_dir / meta.source_file
    files = [meta.source_file]
    for other in sorted(path.parent.glob(f"{_glob_escape(path.stem)}.*")):
        if other != path and other.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(str(other.relative_to(corpus_dir)))
    return files


def _glob_escape(text: str) -> str:
    """`text` with glob metacharacters bracketed, for matching it literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file in the same directory, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_manifest(corpus_dir: Path, manifest: Manifest) -> None:
    """Rewrite manifest.json atomically, in the layout of the hand-written one."""
    path = corpus_dir / MANIFEST_NAME
    payload = {"documents": [d.model_dump(mode="json") for d in manifest.documents]}
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    _atomic_write(path, text.encode("utf-8"), mode)


class DocumentStore:
    """A corpus directory and its index, changed one document at a time under a file lock."""

    def __init__(
        self, corpus_dir: Path, index_dir: Path, embedder: Embedder, tokenizer: PolicyTokenizer
    ) -> None:
        self.corpus_dir = corpus_dir
        self.index_dir = index_dir
        self.embedder = embedder
        self.tokenizer = tokenizer

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentStore:
        """The configured corpus, index, embedding model and tokenizer."""
        from policyqa.search.embed import load_embedder
        from policyqa.search.tokenize import default_tokenizer

        return cls(
            settings.corpus_dir,
            settings.index_dir,
            load_embedder(settings.embedder),
            default_tokenizer(),
        )

    # -- queries --

    def manifest(self) -> Manifest:
        """The corpus manifest as it is on disk now."""
        return load_manifest(self.corpus_dir)

    def get(self, doc_id: str) -> DocumentMeta:
        """One document's manifest entry, or UnknownDocumentError listing the known ids."""
        manifest = self.manifest()
        for doc in manifest.documents:
            if doc.id == doc_id:
                return doc
        known = ", ".join(d.id for d in manifest.documents)
        raise UnknownDocumentError(f"没有文档 {doc_id!r}；现有文档ID：{known}")

    def propose(
        self,
        source: SourceFile,
        overrides: Mapping[str, str | None] | None = None,
        replacing: str | None = None,
    ) -> Proposal:
        """The metadata `add` (or `replace` of `replacing`) would use for `source`."""
        previous = self.get(replacing) if replacing else None
        return propose_metadata(source, self.manifest(), overrides, previous)

    # -- changes --

    def add(self, source: SourceFile, meta: DocumentMeta) -> ChangeReport:
        """Add a new document (its `source_file` is assigned here) and index its clauses."""
        with self._locked():
            manifest = self.manifest()
            existing = {d.id: d for d in manifest.documents}
            if meta.id in existing:
                raise DocumentConflictError(
                    f"文档ID {meta.id} 已被《{existing[meta.id].title}》使用；用 --id 另取一个ID，"
                    f"或用 `policyqa replace {meta.id} FILE` 替换它"
                )
            self._refuse_duplicate(manifest, source, replacing=None)
            meta, files = self._place(source, meta)
            clauses = _segment_text(source.text, meta, load_corrections(self.corpus_dir))
            _, update = self._apply([*manifest.documents, meta], files, [])
        return ChangeReport("add", meta, None, tuple(c.clause_id for c in clauses), (), update)

    def replace(self, doc_id: str, source: SourceFile, meta: DocumentMeta) -> ChangeReport:
        """Replace a document's text (a draft by its final version) in place in the manifest;
        rules.toml entries tied to the old clauses are reported for review."""
        with self._locked():
            manifest = self.manifest()
            old = self.get(doc_id)
            if meta.id != doc_id and any(d.id == meta.id for d in manifest.documents):
                raise DocumentConflictError(f"文档ID {meta.id} 已被另一个文档使用；换一个 --id")
            self._refuse_duplicate(manifest, source, replacing=doc_id)
            references = self._references(doc_id)
            if meta.id != doc_id:
                self._refuse_if_needed(doc_id, references, "改用新的文档ID")
            corrections = load_corrections(self.corpus_dir)
            old_clauses = _segment_text(
                read_document(self.corpus_dir / old.source_file), old, corrections
            )
            meta, files = self._place(source, meta)
            clauses = _segment_text(source.text, meta, corrections)
            documents = [meta if d.id == doc_id else d for d in manifest.documents]
            _, update = self._apply(documents, files, _companions(self.corpus_dir, old))
        by_id = {c.clause_id: c for c in clauses}
        review = tuple(
            ReviewItem(kind, ref, clause_id, _review_reason(clause_id, quotes, by_id))
            for kind, ref, clause_id, quotes in references
        )
        return ChangeReport(
            "replace",
            meta,
            old,
            tuple(c.clause_id for c in clauses),
            tuple(c.clause_id for c in old_clauses),
            update,
            review,
        )

    def remove(self, doc_id: str) -> ChangeReport:
        """Remove a document and its clauses; refused while rules.toml still needs it."""
        with self._locked():
            manifest = self.manifest()
            old = self.get(doc_id)
            if len(manifest.documents) == 1:
                raise DocumentConflictError(f"{doc_id} 是语料中唯一的文档，不能删除")
            references = self._references(doc_id)
            self._refuse_if_needed(doc_id, references, "删除")
            old_clauses = _segment_text(
                read_document(self.corpus_dir / old.source_file),
                old,
                load_corrections(self.corpus_dir),
            )
            documents = [d for d in manifest.documents if d.id != doc_id]
            _, update = self._apply(documents, {}, _companions(self.corpus_dir, old))
        review = tuple(
            ReviewItem(kind, ref, clause_id, "文档已删除，条目引用的条款已不存在")
            for kind, ref, clause_id, _ in references
        )
        return ChangeReport(
            "remove", None, old, (), tuple(c.clause_id for c in old_clauses), update, review
        )

    # -- helpers --

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One change at a time across threads and processes (an flock in the index dir)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / LOCK_NAME, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _refuse_duplicate(
        self, manifest: Manifest, source: SourceFile, replacing: str | None
    ) -> None:
        sha = source.sha256
        text_print = _fingerprint(source.text)
        for doc in manifest.documents:
            for rel in _companions(self.corpus_dir, doc):
                data = (self.corpus_dir / rel).read_bytes()
                same = hashlib.sha256(data).hexdigest() == sha
                if not same and rel == doc.source_file:
                    with contextlib.suppress(CorpusError):
                        same = _fingerprint(decode_bytes(data, rel)) == text_print
                if not same:
                    continue
                if doc.id == replacing:
                    raise DuplicateDocumentError(
                        f"{source.name} 与 {doc.id} 的现有文本内容相同（sha256 {sha[:12]}…），"
                        "无需替换"
                    )
                raise DuplicateDocumentError(
                    f"{source.name} 的内容已在语料中：与 {doc.id}（{doc.title}）相同"
                    f"（sha256 {sha[:12]}…），未重复添加。如要更新该文档，请用 "
                    f"`policyqa replace {doc.id} FILE`"
                )

    def _place(
        self, source: SourceFile, meta: DocumentMeta
    ) -> tuple[DocumentMeta, dict[str, bytes]]:
        """The new files under docs/ (the file as received, plus its text for .docx/.pdf)."""
        docs = self.corpus_dir / DOCS_DIR
        numbers = [
            int(m.group(1))
            for p in (docs.iterdir() if docs.is_dir() else [])
            if (m := re.match(r"^(\d{3,})_", p.name))
        ]
        stem = f"{DOCS_DIR}/{max(numbers, default=-1) + 1:03d}_{source.sha256[:16]}"
        text_file = f"{stem}.txt"
        if source.suffix == ".txt":
            files = {text_file: source.data}
        else:
            files = {text_file: source.text.encode("utf-8"), f"{stem}{source.suffix}": source.data}
        return meta.model_copy(update={"source_file": text_file}), files

    def _rules(self) -> RuleBook | None:
        if not (self.corpus_dir / RULES_FILE).is_file():
            return None
        try:
            return load_rules(self.corpus_dir)
        except RulesError as e:
            raise DocumentError(
                f"{RULES_FILE} 无法加载，无法判断哪些规则依赖这份文档：{e}；请先修好 {RULES_FILE}"
            ) from e

    def _references(self, doc_id: str) -> list[_Reference]:
        """(kind, ref, clause_id, quotes) of every rules.toml entry tied to the document."""
        book = self._rules()
        if book is None:
            return []
        prefix = f"{doc_id}:"
        refs: list[_Reference] = []
        refs += [("rule", r.id, r.clause_id, r.quote) for r in book.rules if r.doc_id == doc_id]
        refs += [
            ("provision", p.title, p.clause_id, p.quote)
            for p in book.provisions
            if p.doc_id == doc_id
        ]
        refs += [
            ("combination", c.id, c.clause_id, c.quote)
            for c in book.combinations
            if c.doc_id == doc_id
        ]
        refs += [
            ("exclusion", e.reason, e.clause_id, e.quote)
            for e in book.exclusions
            if e.clause_id.startswith(prefix)
        ]
        refs += [
            ("industry", f"{i.region}{i.category}", source, ())
            for i in book.industries
            for source in i.sources
            if source.startswith(prefix)
        ]
        return refs

    @staticmethod
    def _refuse_if_needed(doc_id: str, references: list[_Reference], what: str) -> None:
        # Rules, provisions and combinations must name a document of the manifest, or the rule
        # table (and with it the engine) no longer loads.
        blocking = [r for r in references if r[0] in ("rule", "provision", "combination")]
        if not blocking:
            return
        names = "、".join(ref for _, ref, _, _ in blocking[:8])
        more = f" 等 {len(blocking)} 条" if len(blocking) > 8 else ""
        raise DocumentConflictError(
            f"{RULES_FILE} 仍有条目引用 {doc_id}（{names}{more}），{what}后规则表将无法加载。"
            f"请先在 corpus/{RULES_FILE} 中删除或改写这些条目；若是用定稿替换征求意见稿，"
            f"请用 `policyqa replace {doc_id} FILE` 并保留原文档ID"
        )

    def _apply(
        self, documents: list[DocumentMeta], new_files: dict[str, bytes], old_files: list[str]
    ) -> tuple[IngestResult, IndexUpdate | None]:
        """Write new files, stage the index, swap the manifest, then commit the index.

        Anything failing before the manifest swap removes the new files and the staged build,
        so the corpus and index stay as they were; old files are deleted only after the swap.
        """
        written: list[Path] = []
        update: IndexUpdate | None = None
        try:
            for rel, data in new_files.items():
                path = self.corpus_dir / rel
                if path.exists():
                    raise DocumentConflictError(f"{path} 已存在；请重试")
                _atomic_write(path, data)
                written.append(path)
            manifest = Manifest(documents=documents)
            try:
                result = ingest_manifest(self.corpus_dir, manifest)
            except SegmentError as e:
                raise DocumentError(f"无法切分条款：{e}") from e
            if (self.index_dir / CURRENT).exists():
                update = stage_update(result, self.embedder, self.tokenizer, self.index_dir)
            write_manifest(self.corpus_dir, manifest)
        except BaseException:
            if update is not None:
                discard_update(update)
            for path in written:
                path.unlink(missing_ok=True)
            raise
        if update is not None:
            # A crash between the manifest swap and this rename leaves an index that loading
            # refuses as "from another corpus" with the rebuild command: never a wrong answer.
            commit_update(self.index_dir, update)
        for rel in old_files:
            (self.corpus_dir / rel).unlink(missing_ok=True)
        return result, update


def _review_reason(clause_id: str, quotes: tuple[str, ...], clauses: dict[str, Clause]) -> str:
    clause = clauses.get(clause_id)
    if clause is None:
        return "新文本中已没有这一条款"
    text = normalize(clause.text)
    missing = [q for q in quotes if normalize(q) not in text]
    if missing:
        return f"条款文字已改变，引文不再出现：{missing[0]}"
    return "条款编号与引文仍在；请核对金额与条件是否仍然适用"
