"""Reading a policy document as received (.txt, .docx, .pdf) into its text.

`.txt` in any encoding the corpus accepts (UTF-8, UTF-16/32 with a BOM, GB18030/GBK), `.docx`
with python-docx (paragraphs and tables in document order) and text PDFs with pypdf (lines a
page wrapped are rejoined; a scanned PDF without a text layer is refused). Owns the reading
limits (supported types, size) and `SourceFile`, the bytes and text of one received file.
Never guesses metadata, never cleans the text and never writes to the corpus.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyqa.corpus.clean import EncodingError, decode_bytes
from policyqa.corpus.errors import ScannedPdfError, UnreadableDocumentError
from policyqa.corpus.manifest import CorpusError
from policyqa.corpus.metadata import DOC_NO, date_line
from policyqa.corpus.source import SourceFile
from policyqa.text import to_simplified

if TYPE_CHECKING:
    from docx.table import Table

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf")
MAX_SOURCE_BYTES = 20 * 1024 * 1024


class DocumentBudgetError(UnreadableDocumentError):
    """A file over one of the reading budgets (size, inflated size, pages, characters): 413."""


@dataclass(frozen=True)
class ReadLimits:
    """Budgets a received file must fit before (and while) it is read; defaults = settings'."""

    source_bytes: int = MAX_SOURCE_BYTES
    docx_part_bytes: int = 20 * 1024 * 1024  # one zip member, inflated
    docx_total_bytes: int = 50 * 1024 * 1024  # all members, inflated
    docx_ratio: int = 100  # inflated / compressed, per member (a zip bomb is ≫ 1000)
    pdf_pages: int = 500
    text_chars: int = 2_000_000

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        """The limits configured in `policyqa.settings.Settings` (POLICYQA_MAX_*)."""
        return cls(
            source_bytes=settings.max_upload_bytes,
            docx_part_bytes=settings.max_docx_part_bytes,
            docx_total_bytes=settings.max_docx_total_bytes,
            docx_ratio=settings.max_docx_ratio,
            pdf_pages=settings.max_pdf_pages,
            text_chars=settings.max_text_chars,
        )


DEFAULT_LIMITS = ReadLimits()

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


def read_txt(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Text of a .txt file exactly as ingestion will decode it (UTF-8, UTF-16/32+BOM, GB18030)."""
    try:
        text = decode_bytes(data, name)
    except EncodingError as e:
        raise UnreadableDocumentError(str(e)) from e
    except CorpusError as e:
        raise UnreadableDocumentError(
            f"{name}: 无法识别文本编码（支持 UTF-8、带 BOM 的 UTF-16/32、GB18030/GBK）；"
            "请另存为 UTF-8 文本后再添加 (save the file as UTF-8 text)"
        ) from e
    return text


def check_docx_budget(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a .docx whose zip directory declares more inflated bytes than the budgets allow,
    before anything is inflated. A directory that lies does not get past them either: zipfile
    stops inflating a member at its declared size (and fails its CRC)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: read_docx reports the damaged file
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.docx_part_bytes or (
            info.file_size > 1024 * 1024 and ratio > limits.docx_ratio
        ):
            raise DocumentBudgetError(
                f"{name}: Word 文件中的 {info.filename} 解压后 {info.file_size // 1024} KB"
                f"（压缩比 {ratio:.0f}），超过单个部件 {limits.docx_part_bytes // (1024 * 1024)} MB"
                f" / 压缩比 {limits.docx_ratio} 的上限，不像一份政策文件 (docx part too large)"
            )
    if total > limits.docx_total_bytes:
        raise DocumentBudgetError(
            f"{name}: Word 文件解压后共 {total // (1024 * 1024)} MB，超过 "
            f"{limits.docx_total_bytes // (1024 * 1024)} MB 上限 (docx too large when inflated)"
        )


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


def read_docx(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Text of a Word .docx: paragraphs and table rows in document order, one per line."""
    check_docx_budget(data, name, limits)
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
            and not DOC_NO.fullmatch(line)
            and date_line(line) is None
        ):
            out[-1] += line
        else:
            out.append(line)
        last = line
    return out


def _page_texts(reader: Any, name: str, limits: ReadLimits) -> list[str]:
    """Each page's text; refused on the page count before any extraction, and as soon as the
    characters extracted so far pass the budget."""
    count = len(reader.pages)
    if count > limits.pdf_pages:
        raise DocumentBudgetError(
            f"{name}: PDF 共 {count} 页，超过 {limits.pdf_pages} 页上限，不像一份政策文件；"
            "请只提交政策正文 (too many pages)"
        )
    pages: list[str] = []
    extracted = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        extracted += len(text)
        if extracted > limits.text_chars:
            raise DocumentBudgetError(_too_many_chars(name, limits))
        pages.append(text)
    return pages


def _too_many_chars(name: str, limits: ReadLimits) -> str:
    return (
        f"{name}: 文字超过 {limits.text_chars:,} 字上限，不像一份政策文件；请拆分后再添加 "
        "(too much text)"
    )


def read_pdf(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Text of a text PDF, wrapped lines rejoined; a scan without a text layer is refused."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError(
                f"{name}: PDF 已加密，无法读取文字；请提供未加密的 PDF (remove the password)"
            )
        pages = _page_texts(reader, name, limits)
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


# What a file is, by its first bytes (a name can say anything).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", ".pdf"),
    (b"PK\x03\x04", ".docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
)


def sniff_type(data: bytes) -> str:
    """The file type its content shows (.pdf, .docx for any zip, .doc for OLE), else .txt."""
    head = data[:1024].lstrip(b"\r\n\t ")
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return suffix
    return ".txt"


def extract_text(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """The text of a .txt, .docx or .pdf file given as bytes; `name` picks the reader, and
    the content must be what the name says."""
    suffix = Path(name).suffix.lower()
    actual = sniff_type(data)
    if suffix in SUPPORTED_SUFFIXES and actual != suffix:
        raise UnreadableDocumentError(
            f"{name}: 文件名是 {suffix}，内容却是 {actual} 格式；请使用正确的扩展名后再添加 "
            f"(content is {actual}, not {suffix})"
        )
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
    text = reader(data, name, limits)
    if len(text) > limits.text_chars:
        raise DocumentBudgetError(_too_many_chars(name, limits))
    if len(_WORD_CHAR.findall(text)) < 20:
        raise UnreadableDocumentError(f"{name}: 文件中几乎没有文字，无法作为政策文件添加")
    return text


def source_from_bytes(name: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> SourceFile:
    """Read an uploaded document (name decides the format) into a SourceFile."""
    if len(data) > limits.source_bytes:
        raise DocumentBudgetError(
            f"{name}: 文件超过 {limits.source_bytes // (1024 * 1024)} MB，不像一份政策文件"
        )
    return SourceFile(Path(name).name, data, extract_text(data, name, limits))


def load_source(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> SourceFile:
    """Read a document file from disk into a SourceFile (its size checked before reading)."""
    try:
        size = path.stat().st_size
        if size > limits.source_bytes:
            raise DocumentBudgetError(
                f"{path.name}: 文件超过 {limits.source_bytes // (1024 * 1024)} MB，不像一份政策文件"
            )
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableDocumentError(f"无法读取文件 {path}：{e.strerror}") from e
    return source_from_bytes(path.name, data, limits)
