"""The chat UI in a real browser: the real server on 127.0.0.1, headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policyqa.evaluation.server import running_server
from policyqa.settings import PROJECT_ROOT, Settings

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOT = PROJECT_ROOT / "docs" / "chat-ui.png"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")


@pytest.fixture(scope="module")
def server(test_settings: Settings) -> Iterator[str]:
    with running_server(test_settings.index_dir) as running:
        yield running.base


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto(f"{server}/ui/", wait_until="networkidle")
        yield page
        browser.close()


def ask(page: object, question: str) -> None:
    box = page.locator("#pq-question textarea")  # type: ignore[attr-defined]
    box.fill(question)
    page.locator("#pq-send").click()  # type: ignore[attr-defined]


def test_chat_shows_answer_and_citation(page: object) -> None:
    ask(page, "横向项目实际支付80万元能支持多少？")
    chat = page.locator("#pq-chat")  # type: ignore[attr-defined]
    chat.get_by_text("五、14.", exact=False).last.wait_for(timeout=60_000)
    citations = page.locator("#pq-citations")  # type: ignore[attr-defined]
    citations.get_by_text("實際支付金額", exact=False).first.wait_for(timeout=30_000)
    assert "rizhao-rules-2025:5.14" in citations.inner_text()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)  # type: ignore[attr-defined]


def test_script_question_is_shown_as_text(page: object) -> None:
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    question = "<script>alert('x')</script>孵化器补多少"
    ask(page, question)
    chat = page.locator("#pq-chat")  # type: ignore[attr-defined]
    chat.get_by_text("<script>alert('x')</script>", exact=False).last.wait_for(timeout=60_000)
    assert alerts == []
    assert page.locator("#pq-chat script").count() == 0  # type: ignore[attr-defined]


def test_matching_form_offers_the_rule_tables_figures_and_the_corpus_regions(
    page: object,
) -> None:
    page.get_by_role("tab", name="资格匹配").click()  # type: ignore[attr-defined]
    # The region list is the loaded corpus's (manifest order: a Rizhao document comes first).
    region = page.locator("#pq-region input")  # type: ignore[attr-defined]
    assert region.input_value() == "日照市"
    page.get_by_text("已知金额（元，可选）").click()  # type: ignore[attr-defined]
    # One box per money input of rules.toml, labelled as the rule table labels it.
    figure = page.locator("#pq-horizontal_project_paid_yuan")  # type: ignore[attr-defined]
    assert "横向项目实际支付金额" in figure.inner_text()
    figure.locator("input").fill("800000")
    page.locator("#pq-match").click()  # type: ignore[attr-defined]
    result = page.locator("#pq-match-result")  # type: ignore[attr-defined]
    result.get_by_text("160,000 元", exact=False).first.wait_for(timeout=60_000)
    assert "rizhao-rules-2025:5.14" in result.inner_text()
