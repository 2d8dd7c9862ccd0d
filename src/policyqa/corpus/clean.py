"""Reading corpus files as text and stripping scrape damage from them.

Owns decoding (UTF-8, UTF-16/32 with a BOM, GB18030), the reviewed corrections table
(`corrections.toml`) and cleaning. Cleaning is rule based so that it works on the next scraped
document too: web chrome is recognised by what it looks like (login widgets, phone numbers,
view counters, ads, link labels, document-site banners), page markers by their shape (every line
of a page dump starts with the next page number and cuts a sentence), and OCR slips come from
the reviewed table. Never segments text into clauses and never writes to the corpus.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from policyqa.corpus.manifest import CORRECTIONS_NAME, CorpusError, Manifest, load_manifest

# --- reading ---------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz"})
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Of the characters that are not whitespace, ASCII letters, digits or punctuation, at least this
# share must be CJK ideographs for a GB18030 reading to count as Chinese text.
MIN_CJK_SHARE = 0.5


class EncodingError(CorpusError):
    """A text file whose encoding cannot be read with confidence (message in Chinese)."""


def _mostly_cjk(text: str) -> bool:
    other = [ch for ch in text if not (ch.isspace() or ch.isascii())]
    return bool(other) and len(_CJK.findall(text)) >= MIN_CJK_SHARE * len(other)


def _confirm_gb18030(data: bytes, text: str, name: str) -> None:
    """Big5 and Shift-JIS bytes are mostly valid GB18030 too (as mojibake): accept a GB18030
    reading only when the charset detector agrees and the result is mostly CJK text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    detected = best.encoding if best is not None else None
    if detected in _GB_FAMILY and _mostly_cjk(text):
        return
    seen = f"（检测结果像是 {detected}）" if detected else ""
    raise EncodingError(
        f"{name}: 无法可靠识别文本编码{seen}；支持 UTF-8、带 BOM 的 UTF-16/32、GB18030/GBK。"
        "请另存为 UTF-8 文本后再添加 (unsupported or uncertain encoding: save as UTF-8)"
    )


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a text file received as UTF-8, UTF-16/32 with a BOM, or GB18030 (GBK, GB2312);
    anything else (Big5, Shift-JIS, binary) is refused with EncodingError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            candidates = [encoding]
            break
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary data can decode as GB18030; real text has (almost) no control characters.
        if len(_CONTROL.findall(text)) > max(2, len(text) // 1000):
            continue
        if encoding == "gb18030":
            _confirm_gb18030(data, text, name)
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise EncodingError(
        f"{name}: 无法识别文本编码；支持 UTF-8、带 BOM 的 UTF-16/32、GB18030/GBK。"
        "请另存为 UTF-8 文本后再添加 (cannot decode: save the file as UTF-8 text)"
    )


def read_document(path: Path) -> str:
    """Read one corpus file as text, naming the file in any error."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"cannot read {path}: {e.strerror}") from e
    return decode_bytes(data, str(path))


# --- corrections table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """One reviewed text repair: a regex, its replacement, why, and optionally one document."""

    pattern: str
    replacement: str
    reason: str
    doc: str | None = None

    def applies_to(self, doc_id: str) -> bool:
        return self.doc is None or self.doc == doc_id


def load_corrections(corpus_dir: Path) -> list[Correction]:
    """Read `corrections.toml` (absent → no corrections); a bad regex is an error, not a skip."""
    path = corpus_dir / CORRECTIONS_NAME
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("correction", [])
        corrections = [Correction(**entry) for entry in entries]
    except (tomllib.TOMLDecodeError, TypeError) as e:
        raise CorpusError(
            f"{path}: {e}; each [[correction]] needs pattern, replacement and reason"
        ) from e
    for c in corrections:
        try:
            re.compile(c.pattern)
        except re.error as e:
            raise CorpusError(f"{path}: bad pattern {c.pattern!r}: {e}") from e
    return corrections


# --- cleaning --------------------------------------------------------------------------------

# Lines that are web-page furniture, recognised by shape. Only short lines are judged by these,
# so a policy sentence that merely mentions 注册 or 广告 is never dropped.
_CHROME_LINE = [
    (
        "login widget",
        re.compile(
            r"^(电子邮箱|邮箱|密码|忘记密码|注册|登录|登陆|用户名|验证码|退出)(\s|[:：?？]|$)"
        ),
    ),
    ("follow prompt", re.compile(r"关注(微信)?公众号|扫[一描]?扫?码|二维码")),
    ("contact line", re.compile(r"联系电话|联系方式[:：]|(?<!\d)1[3-9]\d{9}(?!\d)|\(微信\)")),
    (
        "page counters",
        re.compile(r"发布时间[:：]|\d+\s*次浏览|浏览次数|分享到[:：]?|打印本页|关闭窗口|字号[:：]"),
    ),
    ("advert", re.compile(r"^[×Xx]\s*\S|加入会员|广告")),
    (
        "link label",
        re.compile(
            r"^(图文解读|领导解读|政策解读|相关解读|文件PDF版(与word版)?|附件下载|相关链接)$"
        ),
    ),
]
_CHROME_MAX_LEN = 160
# Document-sharing site banners can be long, so they are matched at any length.
_SITE_BANNER = re.compile(r"由会员分享|可在线阅读|页珍藏版|文档上搜索|文档分享平台")
# A metadata bullet list ("• 发文字号:…") at the top of a page: kept as data, not text.
_META_BULLET = re.compile(r"^[•·●▪◆]\s*([^:：]{1,20})[:：]\s*(.*)$")
_PAGE_MARKER = re.compile(r"^(\d{1,3})、")
_SENTENCE_END = "。！？；;!?”）)"


@dataclass
class CleanDocument:
    """A document after cleaning: the text segmentation reads, and what was taken out."""

    doc_id: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    removed: list[tuple[str, str]] = field(default_factory=list)
    corrections: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    page_markers: int = 0


def chrome_reason(line: str) -> str | None:
    """Why a stripped line is page chrome, or None if it is document text."""
    if _SITE_BANNER.search(line):
        return "site banner"
    if len(line) > _CHROME_MAX_LEN:
        return None
    for reason, pattern in _CHROME_LINE:
        if pattern.search(line):
            return reason
    return None


def _is_page_dump(lines: list[str]) -> bool:
    """True when every line starts with the next page number and most page breaks cut a sentence.

    Real enumerations ("1、…") do not number every line of a document, and their items end in
    sentence punctuation; page markers of a scraped dump do both.
    """
    if len(lines) < 3:
        return False
    for expected, line in enumerate(lines, start=1):
        m = _PAGE_MARKER.match(line)
        if not m or int(m.group(1)) != expected:
            return False
    cuts = sum(1 for line in lines[:-1] if not line.rstrip().endswith(tuple(_SENTENCE_END)))
    return cuts * 2 >= len(lines) - 1


def apply_corrections(
    text: str, doc_id: str, corrections: list[Correction]
) -> tuple[str, list[tuple[str, str, str]]]:
    """Apply the corrections table; returns the text and (found, replacement, reason) per fix."""
    applied: list[tuple[str, str, str]] = []
    for c in corrections:
        if not c.applies_to(doc_id):
            continue
        pattern = re.compile(c.pattern)
        for m in pattern.finditer(text):
            applied.append((m.group(0), c.replacement, c.reason))
        text = pattern.sub(c.replacement, text)
    return text, applied


_MOJIBAKE = re.compile(r"[\u4e00-\u9fff]\?{2,}|\?{2,}[\u4e00-\u9fff]|\ufffd")


def clean_text(raw: str, doc_id: str, corrections: list[Correction]) -> CleanDocument:
    """Strip chrome, metadata bullets and page markers, then apply reviewed corrections."""
    doc = CleanDocument(doc_id=doc_id, text="")
    kept: list[str] = []
    for raw_line in raw.split("\n"):
        line = raw_line.strip().replace("\u3000", " ").strip()
        if not line:
            continue
        meta = _META_BULLET.match(line)
        if meta:
            key, value = meta.group(1).strip(), meta.group(2).strip()
            if value:
                doc.metadata[key] = value
            doc.removed.append(("metadata bullet", line))
            continue
        reason = chrome_reason(line)
        if reason:
            doc.removed.append((reason, line))
            continue
        kept.append(line)
    if _is_page_dump(kept):
        doc.page_markers = len(kept)
        # The pages of a dump are one running text: drop each marker and rejoin the cut sentence.
        kept = ["".join(_PAGE_MARKER.sub("", line, count=1) for line in kept)]
    text, doc.corrections = apply_corrections("\n".join(kept), doc_id, corrections)
    for m in _MOJIBAKE.finditer(text):
        start = max(0, m.start() - 8)
        doc.warnings.append(f"possible mojibake near {text[start : m.end() + 8]!r}")
    doc.text = text
    return doc


def load_clean_documents(
    corpus_dir: Path, manifest: Manifest | None = None
) -> tuple[Manifest, list[CleanDocument]]:
    """Manifest plus every document read and cleaned, in manifest order.

    The manifest is `corpus_dir/manifest.json` unless one is given: a manifest not yet written,
    whose documents are already in `corpus_dir` (the document store checks a change with it).
    """
    if manifest is None:
        manifest = load_manifest(corpus_dir)
    corrections = load_corrections(corpus_dir)
    docs = [
        clean_text(read_document(corpus_dir / d.source_file), d.id, corrections)
        for d in manifest.documents
    ]
    return manifest, docs
