"""The chat UI in a real browser: the real server on 127.0.0.1, headless Debian Chromium, a
Chinese browser at desk (1280 px) and phone (390 px) widths.

Screenshots go to pytest's temporary directory (`--basetemp` to keep them somewhere), never
into the checkout: `docs/` screenshots are replaced by hand, on purpose.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from policyqa.corpus.readers import load_source
from policyqa.engine import open_document_store
from policyqa.evaluation.server import running_server
from policyqa.serve.ui_render import as_text
from policyqa.settings import Settings

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESK, PHONE = 1280, 390
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")

# Every visible element that reaches past the viewport's sides and has no ancestor that
# scrolls (or clips) sideways: content a person cannot reach.
OVERFLOWS = """() => {
  const vw = document.documentElement.clientWidth;
  const scroller = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (a === document.body || a === document.documentElement) return false;
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
    if ((r.right > vw + 1 || r.left < -1) && !scroller(el)) {
      const where = `${Math.round(r.left)}..${Math.round(r.right)}`;
      bad.push(`${el.tagName}#${el.id}.${el.className} ${where}`);
    }
  }
  return {vw, page: document.documentElement.scrollWidth, bad: bad.slice(0, 10)};
}"""


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "server.log"


@pytest.fixture(scope="module")
def server(test_settings: Settings, server_log: Path) -> Iterator[str]:
    with running_server(test_settings.index_dir, log=server_log) as running:
        yield running.base


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_page(browser: Any, server: str, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1000}, locale="zh-CN")
    page.goto(f"{server}/ui/", wait_until="networkidle")
    # A network pause is not a wired app: on a busy machine a click sent before Gradio has
    # mounted is lost. The UI's load script marks the page once it listens.
    page.wait_for_function("document.documentElement.dataset.pqReady === '1'", timeout=120_000)
    return page


@pytest.fixture(scope="module")
def page(browser: Any, server: str) -> Iterator[Any]:
    page = open_page(browser, server, DESK)
    yield page
    page.close()


@pytest.fixture(scope="module")
def phone(browser: Any, server: str) -> Iterator[Any]:
    page = open_page(browser, server, PHONE)
    yield page
    page.close()


def ask(page: Any, question: str) -> Any:
    """Ask in the chat and return the new answer's bubble once it is there."""
    bubbles = page.locator("#pq-chat .message")
    before = bubbles.count()
    box = page.locator("#pq-question textarea")
    box.fill(question)
    page.locator("#pq-send").click()
    answered = f"document.querySelectorAll('#pq-chat .message').length >= {before + 2}"
    try:
        page.wait_for_function(answered, timeout=180_000)  # two cores shared with other work
    except playwright.TimeoutError as e:
        raise AssertionError(
            f"no answer to {question!r} within 180 s; the box holds {box.input_value()!r}, "
            f"the chat {bubbles.count()} messages (before: {before})"
        ) from e
    return bubbles.last


def match(page: Any, figures: dict[str, str]) -> Any:
    """Fill the matching form's figures (万元) and run it; the result panel."""
    page.get_by_role("tab", name="资格匹配").click()
    accordion = page.get_by_text("已知金额（万元，可选）")
    if not page.locator("#pq-horizontal_project_paid_yuan").is_visible():
        accordion.click()
    for name, value in figures.items():
        page.locator(f"#pq-{name} textarea, #pq-{name} input").first.fill(value)
    page.locator("#pq-match").click()
    return page.locator("#pq-match-result")


def test_the_page_is_chinese_without_gradio_footer(page: Any) -> None:
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    text = page.locator("body").inner_text()
    for english in ("Use via API", "Built with Gradio", "Settings"):
        assert english not in text
    assert not page.locator("footer").is_visible()


def test_two_follow_ups_in_a_row_are_answered_in_context(page: Any, screenshots: Path) -> None:
    first = ask(page, "泰安对国家级孵化器补多少？")
    assert "100万元" in first.inner_text()
    second = ask(page, "那省级的呢？")
    assert "50万元" in second.inner_text() and "100万元" not in second.inner_text().split("[1]")[0]
    # The second follow-up only makes sense with the two turns before it.
    third = ask(page, "那国家级的呢？")
    assert "可获100万元" in third.inner_text()
    users = page.locator("#pq-chat .message.user")
    # Gradio's corner toolbar (it covered the end of the first user bubble) is not shown.
    assert not page.locator("#pq-chat .top-panel").first.is_visible()
    assert "理解为：泰安对国家级孵化器补多少" in users.last.inner_text()
    # Each answer keeps its own citations, collapsed under it.
    blocks = page.locator("#pq-chat details.pq-cites")
    assert blocks.count() == 3
    blocks.first.locator("summary").first.click()
    cite = blocks.first.locator(".pq-cite").first
    assert "taian-opinions-draft:3.6.17" in cite.inner_text()
    assert cite.locator("mark").first.inner_text().startswith("100")
    cite.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"chat-{DESK}.png"), full_page=True)


def test_an_eligibility_question_in_the_chat_lists_what_the_enterprise_may_get(
    page: Any,
) -> None:
    answer = ask(page, "我们是日照的科技型中小企业，去年研发投入800万，能享受哪些政策？")
    text = answer.inner_text()
    assert "按资格匹配理解为：地区 日照市；主体类型 科技型中小企业。" in text
    assert "需补充：科技型中小企业研发投入省补助市级1:1配套" in text
    assert "可获得0项" in text  # nothing is computed from a figure it could not place


def test_a_traditional_clause_has_simplified_title_and_a_simplified_view(page: Any) -> None:
    answer = ask(page, "横向项目实际支付80万元能支持多少？")
    answer.locator("details.pq-cites > summary").click()
    cite = answer.locator(".pq-cite").first
    head = cite.locator(".pq-cite-head").inner_text()
    assert "rizhao-rules-2025:5.14" in head and "细则" in head and "細則" not in head
    original = cite.locator(".pq-cite-text").first.inner_text()
    assert "實際支付金額" in original
    cite.locator("details.pq-simplified > summary").click()
    assert "实际支付金额" in cite.locator("details.pq-simplified .pq-cite-text").inner_text()


def test_an_abstention_is_one_line_with_the_list_behind_a_toggle(page: Any) -> None:
    answer = ask(page, "北京对孵化器补多少？")
    text = answer.inner_text()
    assert "北京" in text and "查看列表" in text and "收录以下" not in text
    answer.locator("details.pq-coverage > summary").click()
    assert answer.locator("details.pq-coverage li").count() >= 5


def test_script_and_markdown_from_a_question_are_shown_as_text(page: Any) -> None:
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    question = "<script>alert('x')</script>[点我](http://evil.example)孵化器补多少"
    ask(page, question)
    chat = page.locator("#pq-chat")
    chat.get_by_text("<script>alert('x')</script>[点我](http://evil.example)").last.wait_for()
    assert alerts == []
    assert page.locator("#pq-chat script").count() == 0
    assert page.locator("#pq-chat a[href*='evil']").count() == 0


# A policy document (clause format of the corpus) whose clause 2.2 carries a Markdown link, a
# bare URL and an image. The image points at the discard port on loopback: if the browser ever
# fetched it, the request would show in the page's log and nothing would leave the machine.
LINKS_DOC = Path(__file__).parent / "fixtures" / "documents" / "liaocheng_apply_links.txt"
LINKS_CLAUSE = "liaocheng-guide-2025:2.2"
TRACKER = "http://127.0.0.1:9/track.png"


@pytest.fixture()
def links_server(corpus_copy: Path, index_copy: Path, tmp_path: Path) -> Iterator[str]:
    """The real server over a private corpus + index to which the Markdown fixture was added."""
    store = open_document_store(Settings(corpus_dir=corpus_copy, index_dir=index_copy))
    source = load_source(LINKS_DOC)
    report = store.add(source, store.propose(source).meta)
    assert LINKS_CLAUSE in report.clauses
    env = {"POLICYQA_CORPUS_DIR": str(corpus_copy)}
    with running_server(index_copy, log=tmp_path / "server.log", env=env) as running:
        yield running.base


def test_markdown_in_a_clause_is_shown_as_text_and_fetches_nothing(
    browser: Any, links_server: str
) -> None:
    clause = next(
        line.partition(".")[2]
        for line in LINKS_DOC.read_text("utf-8").splitlines()
        if line.startswith("2.")
    )
    # The check can fail: rendered as Markdown the clause is a live link and an image the
    # browser would fetch; the UI's escaping (ui_render.as_text) is what leaves them text.
    live = MarkdownIt("commonmark").render(clause)
    assert '<a href="https://example.invalid/apply">' in live and f'src="{TRACKER}"' in live
    inert = as_text(clause)
    assert "<a" not in MarkdownIt("commonmark").render(inert)
    assert "<img" not in MarkdownIt("commonmark").render(inert)
    assert "://" not in inert  # nothing left for a GFM autolinker (the bare URL)

    page = open_page(browser, links_server, DESK)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        answer = ask(page, "聊城市研发费用补助怎么在线申报？")
        quoted = answer.inner_text().split("引用条款")[0]  # the answer's text, above its block
        answer.locator("details.pq-cites > summary").click()
        cite = answer.locator(".pq-cite").filter(has_text=LINKS_CLAUSE)
        shown = cite.locator(".pq-cite-text").first.inner_text()
        for markup in (
            "[申报入口](https://example.invalid/apply)",
            "https://example.invalid/x",
            f"![]({TRACKER})",
        ):
            assert markup in shown  # the citation shows the characters of the source
            assert markup in quoted  # and so does the answer that quotes it
        page.wait_for_timeout(1000)  # a fetch the rendering started has had time to go out
        assert page.locator('a[href*="example.invalid"]').count() == 0
        assert page.locator(f'img[src="{TRACKER}"], img[src*="track.png"]').count() == 0
        assert [url for url in requests if "track.png" in url or "example.invalid" in url] == []
    finally:
        page.close()


def test_an_empty_question_is_refused_next_to_the_box(page: Any) -> None:
    page.locator("#pq-question textarea").fill("   ")
    page.locator("#pq-send").click()
    page.locator("#pq-question-error").get_by_text("请先输入问题").wait_for(timeout=30_000)


def test_a_new_conversation_forgets_the_context(page: Any) -> None:
    page.locator("#pq-clear").click()
    page.wait_for_function(
        "document.querySelectorAll('#pq-chat .message').length === 0", timeout=30_000
    )
    answer = ask(page, "那省级的呢？")
    assert "无法给出有依据的回答" in answer.inner_text()


def test_matching_lists_computed_amounts_first_and_nothing_unproven_as_obtainable(
    page: Any, screenshots: Path
) -> None:
    region = page.locator("#pq-region input")
    page.get_by_role("tab", name="资格匹配").click()
    assert region.input_value() == "日照市"  # the loaded corpus's first region
    page.locator("#pq-subjects").get_by_label("高新技术企业").check()
    result = match(
        page,
        {
            "horizontal_project_paid_yuan": "80",
            "provincial_rd_subsidy_yuan": "30",
            "shared_instrument_fee_yuan": "50",
        },
    )
    obtainable = result.locator("#pq-group-obtainable")
    obtainable.wait_for(timeout=60_000)
    cards = obtainable.locator(".pq-card")
    rules = [cards.nth(i).get_attribute("data-rule") for i in range(cards.count())]
    assert rules == ["rz-rd-matching", "rz-horizontal-project", "rz-voucher-user"]
    first = html.unescape(cards.first.inner_text())
    assert "30万元" in first and "计入组合" in first
    assert cards.nth(1).locator(".pq-steps").inner_text().strip() == "80万元 × 20% = 16万元"
    assert "最佳组合合计 30万元" in obtainable.locator("h4").inner_text()
    assert "国家科学技术奖" not in obtainable.inner_text()
    assert "需补充" in result.locator("#pq-group-needs_input h4").inner_text()
    assert not result.locator("#pq-group-related .pq-card").first.is_visible()  # collapsed
    page.screenshot(path=str(screenshots / f"match-{DESK}.png"), full_page=True)


def test_an_invalid_figure_is_refused_in_chinese_next_to_its_field(
    page: Any, server_log: Path
) -> None:
    # Each step waits for what only its own run shows (a click while a run is pending would
    # be dropped by Gradio).
    only_fee = {"horizontal_project_paid_yuan": "", "provincial_rd_subsidy_yuan": ""}
    result = match(page, {**only_fee, "shared_instrument_fee_yuan": "50"})
    result.get_by_text("最佳组合合计10万元", exact=False).wait_for(timeout=60_000)
    match(page, {"shared_instrument_fee_yuan": "-5"})
    error = page.locator("#pq-err-shared_instrument_fee_yuan")
    error.get_by_text("金额不能为负数").wait_for(timeout=30_000)
    assert result.inner_text().strip() == ""  # no stale result under the error
    assert page.locator(".toast-body").count() == 0
    match(page, {"shared_instrument_fee_yuan": "50"})
    result.get_by_text("最佳组合合计10万元", exact=False).wait_for(timeout=60_000)
    assert error.inner_text().strip() == ""
    assert "Traceback" not in server_log.read_text(encoding="utf-8", errors="replace")


def test_a_region_the_corpus_lacks_gets_the_reason(page: Any, server_log: Path) -> None:
    page.get_by_role("tab", name="资格匹配").click()
    region = page.locator("#pq-region input")
    region.fill("北京市")
    region.press("Enter")
    result = match(page, {"shared_instrument_fee_yuan": ""})
    result.get_by_text("已收录地区", exact=False).wait_for(timeout=60_000)
    assert "北京市" in result.inner_text() and result.locator(".pq-card").count() == 0
    region.fill("")
    match(page, {})
    page.locator("#pq-err-region").get_by_text("请选择地区").wait_for(timeout=30_000)
    assert result.inner_text().strip() == ""
    assert "Traceback" not in server_log.read_text(encoding="utf-8", errors="replace")


def test_at_phone_width_nothing_overflows_without_a_scroller(phone: Any, screenshots: Path) -> None:
    answer = ask(phone, "横向项目实际支付80万元能支持多少？")
    answer.locator("details.pq-cites > summary").click()
    chat = phone.evaluate(OVERFLOWS)
    phone.screenshot(path=str(screenshots / f"chat-{PHONE}.png"), full_page=True)
    assert chat["bad"] == [] and chat["page"] <= chat["vw"], chat
    result = match(
        phone, {"horizontal_project_paid_yuan": "80", "provincial_rd_subsidy_yuan": "30"}
    )
    result.locator("#pq-group-obtainable .pq-card").first.wait_for(timeout=60_000)
    result.locator("#pq-group-related > summary").click()
    card = result.locator(".pq-card").first.bounding_box()
    assert card is not None and card["width"] <= PHONE  # cards, one per row
    matching = phone.evaluate(OVERFLOWS)
    phone.screenshot(path=str(screenshots / f"match-{PHONE}.png"), full_page=True)
    assert matching["bad"] == [] and matching["page"] <= matching["vw"], matching
    # The check sees what it looks for: a box wider than the phone, outside any scroller.
    phone.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'pq-too-wide';"
        " d.style.width = '600px'; d.style.height = '10px';"
        " document.querySelector('gradio-app').prepend(d); }"
    )
    assert any("pq-too-wide" in b for b in phone.evaluate(OVERFLOWS)["bad"])
