"""HTML for the chat: an answer's message with its own citation block, and abstentions.

Every piece of text that came from a user or a document goes through `as_text`, which escapes
HTML *and* every character Markdown would act on, so a clause containing `[链接](http://…)`,
`![图](…)`, `**` or `# ` is shown as typed, never as a live link, image or heading (the chatbot
renders Markdown). Titles are shown in simplified characters; a clause keeps its original
characters, with a 简体 view when the document is traditional. Pure: no engine, no Gradio.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from policyqa.answer.contract import Answer, Citation
from policyqa.corpus.manifest import DocumentMeta
from policyqa.serve.ui_history import CITATIONS_MARK, RESOLVED_END, RESOLVED_MARK
from policyqa.text import to_simplified

_UNITS = "万元|萬元|亿元|億元|元|%|万|萬|亿|億|家|年|件|项|個|个|人|名"
_NUMBER = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)(?:\s*(?:{_UNITS}))?")
# Markdown acts on these (links, images, emphasis, code, headings, lists, tables, autolinks);
# as numeric character references they are shown as themselves and parsed as nothing.
_MARKDOWN = set("\\`*_{}[]()#+-.!|~:>=")


def as_text(text: str) -> str:
    """`text` as inert HTML: escaped, Markdown-neutral, lines kept (leading blanks dropped so
    an indented line is not read as code)."""
    lines = []
    for line in text.splitlines():
        out = []
        for ch in line.lstrip():
            if ch in _MARKDOWN:
                out.append(f"&#{ord(ch)};")
            else:
                out.append(html.escape(ch))
        lines.append("".join(out))
    return "<br>".join(lines)


def cited_numbers(answer_text: str) -> set[str]:
    """The bare numbers an answer states (what to highlight in its citations).

    Citation markers ("[1]") and clause paths ("五、14.") are references, not cited figures;
    a bare integer without a unit is not a figure either.
    """
    text = re.sub(r"\[\d+\]|\d+\.(?!\d)", " ", answer_text)
    return {
        m.group(1) for m in _NUMBER.finditer(text) if m.group(0) != m.group(1) or "." in m.group(1)
    }


def highlight(text: str, numbers: set[str]) -> str:
    """Clause text as inert HTML, with the cited numbers (and their units) marked."""
    parts: list[str] = []
    last = 0
    for m in _NUMBER.finditer(text):
        if m.group(1) not in numbers:
            continue
        parts.append(as_text(text[last : m.start()]))
        parts.append(f"<mark>{as_text(m.group(0))}</mark>")
        last = m.end()
    parts.append(as_text(text[last:]))
    return "".join(parts)


def citation_item(index: int, citation: Citation, numbers: set[str]) -> str:
    """One citation: simplified title, region and path, the original text, a 简体 view."""
    title = to_simplified(citation.title)
    head = (
        f"<div class='pq-cite-head'><b>[{index}]</b> {as_text(citation.region)}"
        f"《{as_text(title)}》 {as_text(citation.path)}"
        f" <code>{as_text(citation.clause_id)}</code></div>"
    )
    body = f"<div class='pq-cite-text'>{highlight(citation.text, numbers)}</div>"
    simplified = to_simplified(citation.text)
    if simplified != citation.text:
        body += (
            "<details class='pq-simplified'><summary>简体</summary>"
            f"<div class='pq-cite-text'>{highlight(simplified, numbers)}</div></details>"
        )
    return f"<li class='pq-cite'>{head}{body}</li>"


def citations_block(answer: Answer) -> str:
    """The expandable block of one answer's citations (no newline: it stays one HTML block)."""
    if not answer.citations:
        return ""
    numbers = cited_numbers(answer.answer)
    items = "".join(citation_item(i, c, numbers) for i, c in enumerate(answer.citations, 1))
    return (
        f'{CITATIONS_MARK}cites"><summary>引用条款（{len(answer.citations)}）</summary>'
        f"<ol class='pq-cite-list'>{items}</ol></details>"
    )


def coverage_block(documents: Sequence[DocumentMeta]) -> str:
    """What the corpus covers, in one line, with the document list behind a 查看 toggle."""
    regions = "、".join(dict.fromkeys(d.region for d in documents))
    items = "".join(
        f"<li>{as_text(d.region)}《{as_text(to_simplified(d.title))}》"
        f"{'（征求意见稿）' if d.status == 'draft' else ''}</li>"
        for d in documents
    )
    return (
        f'{CITATIONS_MARK}coverage"><summary>已收录{as_text(regions)}共{len(documents)}份'
        f"政策文件（查看列表）</summary><ul>{items}</ul></details>"
    )


def answer_message(answer: Answer, documents: Sequence[DocumentMeta]) -> str:
    """An answer as the chatbot shows it: the text, then its citations or, for an abstention,
    the reason in one line and the coverage behind a toggle."""
    if answer.abstained:
        reason = answer.answer.split("\n", 1)[0]
        return f"{as_text(reason)}\n\n{coverage_block(documents)}"
    block = citations_block(answer)
    return as_text(answer.answer) + (f"\n\n{block}" if block else "")


def user_message(question: str, resolved: str | None = None) -> str:
    """The user's bubble; a follow-up also shows how it was read (and the history reader passes
    that reading on to the next turn)."""
    shown = as_text(question)
    if resolved and resolved != question:
        shown += f"\n\n{RESOLVED_MARK}{as_text(resolved)}{RESOLVED_END}"
    return shown


def bullet_list(items: Iterable[str]) -> str:
    return "".join(f"<li>{as_text(i)}</li>" for i in items)
