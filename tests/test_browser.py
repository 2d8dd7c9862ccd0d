"""The chat UI in a real browser: the real server on 127.0.0.1, headless Debian Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(test_settings: Settings) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "POLICYQA_INDEX_DIR": str(test_settings.index_dir)}
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("server did not come up within 120 s")
    yield base
    proc.terminate()
    proc.wait(timeout=30)


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
