"""as_text: corpus text shows as its characters in the chat's Markdown + HTML renderer."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from policyqa.serve.ui_render import as_text

RENDER = MarkdownIt("commonmark")
ATTACKS = [
    "[申报入口](https://kjj.example.gov.cn/apply)",
    "![](http://tracker.example.com/track.png)",
    "详见 https://kjj.example.gov.cn/a?b=1 或 www.example.gov.cn",
    "<img src=x onerror=alert(1)> <script>alert(1)</script>",
    "**重点** _斜体_ `代码` # 标题\n1. 第一项\n- 列表\n> 引用",
    "[1][2] 补助 200万元。",
]


def _shown(rendered: str) -> str:
    """The characters a browser shows for rendered HTML (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered.replace("<br>", "\n"))).strip()


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_render_as_their_own_characters(text: str) -> None:
    rendered = RENDER.render(as_text(text))
    assert not re.search(r"<(?!/?p>|br>)", rendered)  # paragraphs and breaks: no a, img, em …
    assert _shown(rendered).split() == text.split()


@pytest.mark.parametrize("text", ATTACKS[:3])
def test_no_bare_url_is_left_for_an_autolinker(text: str) -> None:
    escaped = as_text(text)
    assert "://" not in escaped
    assert "www." not in escaped


def test_plain_chinese_is_unchanged() -> None:
    assert as_text("泰安市对省级孵化器补助30万元。") == "泰安市对省级孵化器补助30万元。"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80))
def test_any_single_line_renders_without_markup(text: str) -> None:
    line = " ".join(text.split())
    rendered = RENDER.render(as_text(line))
    assert not re.search(r"<(?!/?p>)", rendered)
    assert " ".join(_shown(rendered).split()) == line
