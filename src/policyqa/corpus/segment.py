"""The clause tree of a cleaned document: 一、 / (一) / 1. / (1), one clause per smallest item.

Numbering markers are found at line starts, and, for documents whose line breaks were lost,
inline where they continue the running sequence of their level after a sentence or heading
boundary. Each smallest numbered item is one clause; unnumbered paragraphs (the preamble,
goals, closing provisions) are clauses too. Department notes ("(市科技局、市财政局按职责分工
负责)") are attached to the clauses they govern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import cn2an
from pydantic import BaseModel, ConfigDict

from policyqa.corpus.clean import CleanDocument
from policyqa.corpus.manifest import DocumentMeta
from policyqa.text import normalize, to_simplified


class Clause(BaseModel):
    """One clause: what users see (original text) and what is searched (normalized text)."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    clause_id: str
    path: str
    heading: str
    text: str
    search_text: str
    departments: tuple[str, ...] = ()
    span: tuple[int, int]
    kind: Literal["item", "paragraph", "cover"]


_CN_DIGITS = "一二三四五六七八九十"
_MARKERS: dict[int, re.Pattern[str]] = {
    1: re.compile(rf"([{_CN_DIGITS}]{{1,3}})、"),
    2: re.compile(rf"[(（]([{_CN_DIGITS}]{{1,3}})[)）]"),
    3: re.compile(r"(?<![\d.．])(\d{1,2})\s?[.．、](?![\d])"),
    4: re.compile(r"[(（](\d{1,2})[)）]"),
}
# Inline markers must follow a sentence or bracket end, or sit in the heading just opened.
_BOUNDARY = tuple("。；;!！?？)）”")
_HEADING_ZONE = 40
# Standard section titles of Chinese policy documents; used to cut a heading run into its text.
_SECTION_TITLES = (
    "总体要求",
    "指导思想",
    "基本原则",
    "工作目标",
    "主要目标",
    "总体目标",
    "发展目标",
    "重点任务",
    "主要任务",
    "重点领域",
    "专项行动",
    "保障措施",
    "推进措施",
    "组织实施",
    "组织保障",
    "工作要求",
    "实施步骤",
    "附则",
)
_DEPT_NOTE = re.compile(
    r"[(（]([^()（）]*?(按照?职责分工|牵头|配合|负责|责任单位)[^()（）]*)[)）]$"
)
_CLOSING = re.compile(r"^本(文件|办法|细则|实施细则|意见|实施意见|方案|通知|规定|政策|计划|措施)")
_DEPT_PREFIX = re.compile(r"^(牵头单位|责任单位|配合单位)[:：]")
_DEPT_SUFFIX = re.compile(r"(按照?职责分工(负责)?|牵头|配合|负责)$")


class SegmentError(Exception):
    """A document whose structure cannot be read (e.g. duplicate clause ids)."""


@dataclass
class _Marker:
    level: int
    value: int
    start: int
    end: int

    @property
    def label(self) -> str:
        if self.level == 1:
            return f"{_to_chinese(self.value)}、"
        if self.level == 2:
            return f"({_to_chinese(self.value)})"
        if self.level == 3:
            return f"{self.value}."
        return f"({self.value})"


@dataclass
class _Node:
    marker: _Marker
    path: str
    key: str
    parent_path: str
    end: int = 0
    children: list[_Node] = field(default_factory=list)


def _to_chinese(value: int) -> str:
    return str(cn2an.an2cn(value))


def _to_int(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else int(cn2an.cn2an(numeral, "strict"))


def _find_markers(text: str, start: int) -> list[_Marker]:
    """Every accepted numbering marker in `text[start:]`, in order."""
    candidates: list[_Marker] = []
    for level, pattern in _MARKERS.items():
        for m in pattern.finditer(text, start):
            candidates.append(_Marker(level, _to_int(m.group(1)), m.start(), m.end()))
    candidates.sort(key=lambda c: (c.start, c.level))

    accepted: list[_Marker] = []
    last: dict[int, int] = {}
    fresh: set[int] = set()  # levels whose parent changed since their last marker
    taken_until = start
    for cand in candidates:
        if cand.start < taken_until:
            continue
        at_line_start = cand.start == 0 or text[cand.start - 1] == "\n"
        if not at_line_start and not _inline_ok(text, cand, accepted, last, fresh):
            continue
        accepted.append(cand)
        last[cand.level] = cand.value
        fresh.discard(cand.level)
        fresh.update(range(cand.level + 1, 5))
        taken_until = cand.end
    return accepted


def _inline_ok(
    text: str, cand: _Marker, accepted: list[_Marker], last: dict[int, int], fresh: set[int]
) -> bool:
    """An inline marker must continue its level's sequence right after a boundary or heading.

    Under a new parent a level may restart at 1 or continue a document-wide numbering.
    """
    prev_char = text[cand.start - 1]
    in_heading = bool(accepted) and (
        cand.start - accepted[-1].end <= _HEADING_ZONE
        and "。" not in text[accepted[-1].end : cand.start]
    )
    if prev_char not in _BOUNDARY and not in_heading:
        return False
    previous = last.get(cand.level)
    if previous is None:
        # A level's first marker under a new parent starts at 1 (at the top, 一、 only).
        return cand.value == 1
    if cand.level in fresh and cand.value == 1:
        return True
    if cand.level == 2:
        # Drafts skip or repeat a (五)/(六); a parenthesised numeral is distinctive enough.
        return previous <= cand.value <= previous + 2
    return cand.value == previous + 1


def _body_start(text: str, title: str) -> int:
    """Where the body begins: after the last line repeating the title before the first 一、."""
    first_section = text.find("一、")
    limit = first_section if first_section >= 0 else len(text)
    wanted = {_title_key(title), _title_key(to_simplified(title))}
    best = 0
    pos = 0
    for line in text.split("\n"):
        line_end = pos + len(line)
        if pos >= limit:
            break
        key = _title_key(line)
        if key and (key in wanted or any(len(key) >= 8 and w.endswith(key) for w in wanted)):
            best = min(line_end + 1, len(text))
        else:
            for candidate in (title, to_simplified(title)):
                if line.startswith(candidate):
                    best = pos + len(candidate)
        pos = line_end + 1
    return best


def _title_key(line: str) -> str:
    return re.sub(r"[\s《》“”\"'()（）]", "", normalize(line))


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line in text[start:end], whitespace trimmed."""
    spans = []
    pos = start
    for line in text[start:end].split("\n"):
        line_end = pos + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos = line_end + 1
    return spans


def parse_departments(note: str) -> tuple[str, ...]:
    """Department names (simplified) from a responsibility note's inner text."""
    note = normalize(note).split("。")[0]
    names: list[str] = []
    for part in re.split(r"[、,，;；]", note):
        part = _DEPT_PREFIX.sub("", part.strip())
        for _ in range(2):
            part = _DEPT_SUFFIX.sub("", part).strip()
        if part and part not in names:
            names.append(part)
    return tuple(names)


def _dept_note(paragraph: str) -> str | None:
    """The inner text of a responsibility note ending `paragraph`, if there is one."""
    m = _DEPT_NOTE.search(normalize(paragraph))
    return m.group(1) if m else None


def _is_dept_paragraph(paragraph: str) -> bool:
    """True for a paragraph that is nothing but a responsibility note."""
    m = _DEPT_NOTE.search(normalize(paragraph))
    return m is not None and m.start() == 0


def _heading_of(text: str, has_more_paragraphs: bool) -> str:
    """A short heading: the title line, the first short sentence, or a standard section title."""
    first_line = text.split("\n", 1)[0].strip()
    if has_more_paragraphs and len(first_line) <= 40 and "。" not in first_line.rstrip("。"):
        return first_line.rstrip("。")
    first_sentence = re.split(r"[。;；]", first_line, maxsplit=1)[0]
    if len(first_sentence) <= 30 and first_sentence != first_line:
        return first_sentence
    if len(first_line) <= 30:
        return first_line.rstrip("。")
    simplified = normalize(first_line)
    for title in _SECTION_TITLES:
        if simplified.startswith(title):
            return first_line[: len(title)]
    return ""


def _build_tree(markers: list[_Marker], body_end: int) -> list[_Node]:
    """Nest markers by level; a repeated number under one parent gets a "~2" key suffix."""
    nodes: list[_Node] = []
    stack: list[_Node] = []
    seen: dict[str, int] = {}
    for i, marker in enumerate(markers):
        while stack and stack[-1].marker.level >= marker.level:
            stack.pop()
        parent_path = stack[-1].path if stack else ""
        parent_key = stack[-1].key if stack else ""
        key = f"{parent_key}.{marker.value}" if parent_key else str(marker.value)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}~{seen[key]}"
        node = _Node(
            marker=marker,
            path=parent_path + marker.label,
            key=key,
            parent_path=parent_path,
            end=markers[i + 1].start if i + 1 < len(markers) else body_end,
        )
        if stack:
            stack[-1].children.append(node)
        nodes.append(node)
        stack.append(node)
    return nodes


class _Builder:
    """Accumulates clauses for one document and resolves department notes."""

    def __init__(self, doc_id: str, text: str) -> None:
        self.doc_id = doc_id
        self.text = text
        self.clauses: list[Clause] = []
        self.paragraph_count = 0
        # Clauses still waiting for a following standalone department note, per parent path.
        self.pending: dict[str, list[int]] = {}

    def add(
        self,
        key: str,
        path: str,
        spans: list[tuple[int, int]],
        kind: Literal["item", "paragraph", "cover"],
        parent_path: str,
        heading: str | None = None,
    ) -> None:
        start, end = spans[0][0], spans[-1][1]
        body = self.text[start:end]
        note = _dept_note(body)
        departments = parse_departments(note) if note else ()
        if heading is None:
            heading = _heading_of(body, len(spans) > 1)
        self.clauses.append(
            Clause(
                doc_id=self.doc_id,
                clause_id=f"{self.doc_id}:{key}",
                path=path,
                heading=heading,
                text=body,
                search_text=normalize(body),
                departments=departments,
                span=(start, end),
                kind=kind,
            )
        )
        if not departments and kind == "item":
            self.pending.setdefault(parent_path, []).append(len(self.clauses) - 1)

    def add_paragraph(self, span: tuple[int, int], path: str = "", key_prefix: str = "") -> None:
        self.paragraph_count += 1
        key = f"{key_prefix}.p{self.paragraph_count}" if key_prefix else f"p{self.paragraph_count}"
        self.add(key, path, [span], "paragraph", parent_path=path)

    def resolve_departments(self, note_paragraph: str, parent_path: str) -> None:
        note = _dept_note(note_paragraph)
        if not note:
            return
        departments = parse_departments(note)
        for index in self.pending.pop(parent_path, []):
            clause = self.clauses[index]
            self.clauses[index] = clause.model_copy(update={"departments": departments})


def segment(doc: CleanDocument, meta: DocumentMeta) -> list[Clause]:
    """Split a cleaned document into clauses in document order."""
    text = doc.text
    body_start = _body_start(text, meta.title)
    builder = _Builder(meta.id, text)

    cover = _paragraphs(text, 0, body_start)
    if cover and "。" in text[cover[0][0] : cover[-1][1]]:
        builder.add("cover", "印发通知", [cover[0], cover[-1]], "cover", "", heading="印发通知")

    markers = _find_markers(text, body_start)
    first = markers[0].start if markers else len(text)
    closing: list[tuple[int, int]] = []
    for span in _paragraphs(text, body_start, first):
        builder.add_paragraph(span)

    for node in _build_tree(markers, len(text)):
        own_end = node.children[0].marker.start if node.children else node.end
        paragraphs = _paragraphs(text, node.marker.end, own_end)
        body: list[tuple[int, int]] = []
        notes: list[str] = []
        for span in paragraphs:
            paragraph = text[span[0] : span[1]]
            if _CLOSING.match(normalize(paragraph)):
                closing.append(span)
            elif body and _is_dept_paragraph(paragraph):
                notes.append(paragraph)
            elif closing:
                closing.append(span)
            else:
                body.append(span)
        if not body:
            continue
        if node.children:
            head, rest = body[0], body[1:]
            heading_text = text[head[0] : head[1]]
            if len(heading_text) > 40 or "。" in heading_text.rstrip("。"):
                rest = body
            for span in rest:
                builder.add_paragraph(span, node.path, node.key)
        else:
            builder.add(node.key, node.path, body, "item", node.parent_path)
        for note in notes:
            builder.resolve_departments(note, node.parent_path)

    for span in closing:
        builder.add_paragraph(span)

    ids = [c.clause_id for c in builder.clauses]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SegmentError(f"{meta.id}: duplicate clause ids {dupes}; check the numbering")
    return builder.clauses
