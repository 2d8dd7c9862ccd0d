"""Reading a Gradio chat history back into the engine's conversation turns.

Gradio hands a chatbot's value back in several shapes, depending on version and on how a
message was made: a plain string, a list of parts (`[{"type": "text", "text": …}]`), a dict
whose `content` is either of those, a `ChatMessage`-like object, or the old `(user, assistant)`
pairs. `read_history` accepts all of them and returns `Turn`s with the text a person typed or
read: the HTML escaping and the citation block the UI added (`CITATIONS_MARK`) are taken off
again, and a follow-up the UI showed with its reading ("理解为：…", `RESOLVED_MARK`) is passed
on as that standalone question, so the next follow-up builds on the whole conversation and not
on a bare "那省级的呢？". Pure: never calls the engine, never renders.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from policyqa.answer.contract import Turn

# Kept in step with the block ui_render appends under each answer (a raw tag: the text of the
# answer itself is escaped, so it can never contain one).
CITATIONS_MARK = '<details class="pq-'
RESOLVED_MARK = '<div class="pq-resolved">理解为：'
RESOLVED_END = "</div>"
MAX_TURN_CHARS = 4000
MAX_TURNS = 20


def part_text(part: Any) -> str:
    """The text of one content part: a string, a `{"type": "text", "text": …}` dict, or an
    object with a `text` attribute; files, images and other parts have none."""
    if isinstance(part, str):
        return part
    if isinstance(part, Mapping):
        if part.get("type", "text") == "text" and isinstance(part.get("text"), str):
            return str(part["text"])
        return ""
    text = getattr(part, "text", None)
    return text if isinstance(text, str) else ""


def content_text(content: Any) -> str:
    """All the text of a message's content, whatever its shape (parts joined by newlines)."""
    if content is None:
        return ""
    if isinstance(content, str | Mapping):
        return part_text(content)
    if isinstance(content, Iterable):
        return "\n".join(t for t in (part_text(p) for p in content) if t)
    return part_text(content)


def plain_text(shown: str) -> str:
    """What the UI showed, as the person read it: citation block dropped, line breaks back,
    HTML unescaped; for a follow-up shown with its reading, that reading."""
    if RESOLVED_MARK in shown:
        shown = shown.split(RESOLVED_MARK, 1)[1].split(RESOLVED_END, 1)[0]
    shown = shown.split(CITATIONS_MARK, 1)[0].replace("<br>", "\n")
    return html.unescape(shown).strip()


def _role_and_content(message: Any) -> tuple[Any, Any]:
    if isinstance(message, Mapping):
        return message.get("role"), message.get("content")
    return getattr(message, "role", None), getattr(message, "content", None)


def _metadata_title(message: Any) -> Any:
    meta = message.get("metadata") if isinstance(message, Mapping) else None
    meta = meta if meta is not None else getattr(message, "metadata", None)
    if isinstance(meta, Mapping):
        return meta.get("title")
    return getattr(meta, "title", None)


def read_history(messages: Any) -> list[Turn]:
    """The conversation as engine turns: user and assistant messages with text, in order, the
    last `MAX_TURNS` of them; tool/thought messages (with a metadata title) are skipped."""
    turns: list[Turn] = []
    for message in messages or ():
        if isinstance(message, list | tuple) and len(message) == 2:
            pairs = zip(("user", "assistant"), message, strict=True)  # old (user, bot) pairs
        else:
            if _metadata_title(message):
                continue
            pairs = iter([_role_and_content(message)])
        for role, content in pairs:
            text = plain_text(content_text(content))
            if role in ("user", "assistant") and text:
                turns.append(Turn(role=role, content=text[:MAX_TURN_CHARS]))
    return turns[-MAX_TURNS:]
