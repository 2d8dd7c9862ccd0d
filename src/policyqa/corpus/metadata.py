"""What a policy document's text says about itself, and the metadata it is added with.

Reads the title, 发文字号, signing date, issuer, region and draft status a text states
(`read_metadata`), suggests a readable unused id, and merges all that with the values a user
gives (and, on replace, the old document's) into a validated `DocumentMeta` (`propose_metadata`).
Owns the shapes of those lines (a 发文字号, a signing date). Never reads a file, never writes to
the corpus: the region names themselves come from `corpus.regions`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cn2an
from pydantic import ValidationError

from policyqa.corpus.clean import CleanDocument, clean_text
from policyqa.corpus.errors import MetadataError
from policyqa.corpus.manifest import DocumentMeta, Manifest
from policyqa.corpus.regions import PROVINCE, SHANDONG_CITIES, region_slug
from policyqa.text import to_simplified

if TYPE_CHECKING:
    from policyqa.corpus.source import SourceFile

FIELDS: tuple[str, ...] = ("id", "title", "issuer", "region", "level", "date", "doc_no", "status")

_KINDS = (
    "实施细则|细则|实施意见|指导意见|意见|实施办法|管理办法|办法|若干措施|措施|若干政策|政策|"
    "行动计划|行动方案|实施方案|工作方案|方案|计划|规划|通知|规定|决定|指南|条例|纲要|公告"
)
_PAREN_TAIL = r"(?:\s*[(（][^()（）]{1,20}[)）])*"
_TITLE_LINE = re.compile(rf"^.{{4,100}}?(?:{_KINDS}){_PAREN_TAIL}$")
_TITLE_RUN_ON = re.compile(rf"^(.{{4,80}}?(?:{_KINDS}){_PAREN_TAIL})(?=为|根据|按照|各)")
_TITLE_NOTICE = re.compile(r"印发\s*《(.{4,100}?)》")
_TITLE_COVER = re.compile(r"《(.{4,100}?)》\s*已经")
# A 发文字号 (济政字〔2025〕8号); `corpus.readers` never joins such a line to the one before.
DOC_NO = re.compile(
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

# Fields given by a user in words of their own: the aliases, the field's name and what to use.
_ALIASED_FIELDS: dict[str, tuple[dict[str, str], str, str]] = {
    "level": (LEVEL_ALIASES, "层级", "用 province / city / district（省级/市级/区县级）"),
    "status": (STATUS_ALIASES, "状态", "用 draft（征求意见稿）或 in_force（现行有效）"),
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
    """A number written in Chinese: digit by digit (二〇二五, 二○二五) or with 十 (二十三)."""
    try:
        return int(cn2an.cn2an(text.replace("○", "〇"), "smart"))
    except KeyError as e:  # cn2an's answer to some malformed numerals, such as 十十一
        raise ValueError(f"not a Chinese numeral: {text!r}") from e


def date_line(line: str) -> tuple[str | None, dt.date] | None:
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
    province = PROVINCE + "省"
    if text.startswith(province):
        rest = text[len(province) :]
        city = next((c for c in SHANDONG_CITIES if rest.startswith(c + "市")), None)
        if city is None:
            return province, "province"
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
            m = DOC_NO.search(line)
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
        found = date_line(line.strip())
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
    slug = region_slug(region)
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

    for name, (aliases, label, hint) in _ALIASED_FIELDS.items():
        if name in given:
            value = aliases.get(given[name])
            if value is None:
                raise MetadataError(f"{label} {given[name]!r} 无效；{hint}")
            given[name] = value
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
