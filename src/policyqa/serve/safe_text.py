"""Corpus text made inert for a Markdown + HTML renderer (the Gradio chat).

A clause may contain `[申报入口](https://…)`, `![](http://…/track.png)`, a bare URL or HTML; in
the chat they must show as the characters they are, never as a link, an image the browser
fetches, or markup. Pure function; never decides what text to show.
"""

from __future__ import annotations

import html
import re

# The ASCII punctuation CommonMark lets a backslash escape, except & < > (html.escape does those:
# a backslash before & would show an entity as its code).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~\"'=:$^@/])")
# What GFM autolinking recognises, broken by an entity the browser shows as the same character.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)(\\?[:.])")


def escape_markdown(text: str) -> str:
    """`text` as literal characters in Markdown that may contain HTML: no emphasis, links,
    images, headings, lists, code or tags, and no autolinked URL."""
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    escaped = html.escape(escaped, quote=False)
    return _AUTOLINK.sub(
        lambda m: m.group(1) + ("&#58;" if m.group(2).endswith(":") else "&#46;"), escaped
    )
