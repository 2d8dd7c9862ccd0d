"""The UI's pure parts: the history reader, inert text, citations, the matching form and cards."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from policyqa.answer.contract import Answer, Citation, Turn
from policyqa.corpus.manifest import DocumentMeta
from policyqa.rules.match import match_report
from policyqa.rules.model import InputSpec
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import load_rules
from policyqa.serve.ui_eligibility import eligibility_cues, eligibility_reply, read_profile
from policyqa.serve.ui_history import content_text, read_history
from policyqa.serve.ui_match import FigureError, read_form, read_wan, report_html
from policyqa.serve.ui_render import (
    answer_message,
    as_text,
    cited_numbers,
    highlight,
    user_message,
)
from policyqa.settings import PROJECT_ROOT

Q = "泰安对国家级孵化器补多少？"
A = "国家级为100万元。"
EXPECTED = [Turn(role="user", content=Q), Turn(role="assistant", content=A)]

# Every shape Gradio (4, 5, 6) or a caller hands a chat history in.
HISTORIES: list[tuple[str, Any]] = [
    ("plain strings", [{"role": "user", "content": Q}, {"role": "assistant", "content": A}]),
    (
        "parts lists (Gradio 6)",
        [
            {"role": "user", "content": [{"type": "text", "text": Q}]},
            {"role": "assistant", "content": [{"type": "text", "text": A}]},
        ],
    ),
    (
        "dict content",
        [
            {"role": "user", "content": {"type": "text", "text": Q}},
            {"role": "assistant", "content": {"text": A}},
        ],
    ),
    ("tuples", [(Q, A)]),
    ("lists as pairs", [[Q, A]]),
    (
        "message objects",
        [SimpleNamespace(role="user", content=Q), SimpleNamespace(role="assistant", content=A)],
    ),
    (
        "parts with a file and the UI's escaping and citation block",
        [
            {
                "role": "user",
                "content": [{"type": "file", "file": {"path": "/tmp/x"}}, {"text": Q}],
            },
            {
                "role": "assistant",
                "content": as_text(A) + '\n\n<details class="pq-cites"><summary>引用</summary>',
            },
        ],
    ),
    (
        "a thought message (metadata title) is skipped",
        [
            {"role": "user", "content": Q},
            {"role": "assistant", "content": "检索中", "metadata": {"title": "检索"}},
            {"role": "assistant", "content": A},
        ],
    ),
]


@pytest.mark.parametrize(("shape", "history"), HISTORIES, ids=[h[0] for h in HISTORIES])
def test_read_history_understands_every_shape(shape: str, history: Any) -> None:
    assert read_history(history) == EXPECTED


@pytest.mark.parametrize(
    "history",
    [None, [], [{"role": "system", "content": "x"}], [{"role": "user", "content": None}]],
)
def test_read_history_without_turns(history: Any) -> None:
    assert read_history(history) == []


def test_read_history_keeps_the_last_turns_and_bounds_their_length() -> None:
    history = [{"role": "user", "content": str(i) + "x" * 5000} for i in range(30)]
    turns = read_history(history)
    assert len(turns) == 20 and turns[0].content.startswith("10")
    assert all(len(t.content) == 4000 for t in turns)


def test_content_text_joins_text_parts() -> None:
    assert content_text([{"type": "text", "text": "a"}, "b", {"type": "image"}]) == "a\nb"


@pytest.mark.parametrize(
    "text",
    [
        "[官网](http://evil.example/x)",
        "![图](http://evil.example/p.png)",
        "**粗体** _斜体_ `代码`",
        "# 标题\n1. 列表\n    缩进代码",
        "<script>alert('x')</script>",
        "见 www.evil.example 与 http://evil.example",
    ],
)
def test_as_text_leaves_no_markdown_or_html_syntax(text: str) -> None:
    shown = as_text(text)
    bare = re.sub(r"&#?\w+;", "", shown.replace("<br>", ""))  # what is not a reference
    assert not re.search(r"[<>\[\]()*_`#!:.]", bare), bare
    assert user_message(text) == shown


def test_read_history_round_trips_what_the_ui_shows() -> None:
    question = "<b>日照</b> [1]\n80.5万元 * 2 <br>"
    turns = read_history([{"role": "user", "content": [{"text": user_message(question)}]}])
    assert turns == [Turn(role="user", content=question)]


def test_a_follow_up_is_passed_on_as_it_was_read() -> None:
    shown = user_message("那省级的呢？", "泰安对省级孵化器补多少?")
    assert "那省级的呢" in shown and "理解为：泰安对省级孵化器补多少" in html.unescape(shown)
    turns = read_history([{"role": "user", "content": [{"type": "text", "text": shown}]}])
    assert turns == [Turn(role="user", content="泰安对省级孵化器补多少?")]
    assert user_message("泰安对省级孵化器补多少？", None) == as_text("泰安对省级孵化器补多少？")


def test_cited_numbers_and_highlight() -> None:
    numbers = cited_numbers("可获100万元。[1] 见五、14.")
    assert numbers == {"100"}
    marked = highlight("分别给予100萬元、50萬元", numbers)
    assert marked.count("<mark>") == 1 and "<mark>100萬元</mark>" in marked


def _citation(text: str, title: str) -> Citation:
    return Citation(
        doc_id="d",
        title=title,
        region="日照市",
        clause_id="d:1",
        path="五、14.",
        text=text,
        score=1.0,
    )


def test_an_answer_keeps_its_citations_simplified_titles_and_a_simplified_view() -> None:
    answer = Answer(
        question="q",
        answer="可获16万元。[1]",
        abstained=False,
        citations=[
            _citation("按實際支付金額的20%給予16萬元[連結](http://x)", "關於科技創新的細則")
        ],
    )
    shown = answer_message(answer, [])
    block = shown.split("\n\n", 1)[1]
    assert block.startswith('<details class="pq-cites">') and "\n" not in block
    assert "关于科技创新的细则" in block and "關於" not in block  # title simplified
    assert "實際支付" in block and "实际支付" in block  # original text, then the 简体 view
    assert "<summary>简体</summary>" in block and "<mark>16萬元</mark>" in block
    assert "<a" not in block and "](" not in block
    assert read_history([{"role": "assistant", "content": shown}])[0].content == answer.answer


def test_an_abstention_is_one_line_with_the_list_behind_a_toggle() -> None:
    docs = [
        DocumentMeta(
            id="a",
            title="日照細則",
            region="日照市",
            level="city",
            status="in_force",
            source_file="a",
        ),
        DocumentMeta(
            id="b", title="泰安意见", region="泰安市", level="city", status="draft", source_file="b"
        ),
    ]
    answer = Answer(
        question="北京？",
        answer="本知识库没有收录北京的政策文件，无法回答这个问题。\n本知识库收录以下……",
        abstained=True,
        citations=[],
    )
    reason, block = answer_message(answer, docs).split("\n\n")
    assert "北京" in reason and "收录以下" not in reason
    assert "已收录日照市、泰安市共2份政策文件（查看列表）" in block
    assert "日照细则" in block


BOOK = load_rules(PROJECT_ROOT / "corpus")
SPECS = [
    InputSpec(name="shared_instrument_fee_yuan", kind="money", label="费用", prompt="?"),
    InputSpec(
        name="horizontal_project_paid_yuan", kind="money", label="横向", prompt="?", multiple=True
    ),
]


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("80", 800_000),
        ("80万元", 800_000),
        ("800000元", 800_000),
        ("1,200", 12_000_000),
        ("", None),
    ],
)
def test_read_wan(typed: str, yuan: int | None) -> None:
    assert read_wan(typed) == (None if yuan is None else Decimal(yuan))


@pytest.mark.parametrize("typed", ["-5", "负80万", "很多", "80美元"])
def test_read_wan_refuses_in_chinese(typed: str) -> None:
    with pytest.raises(FigureError, match=r"[\u4e00-\u9fff]"):
        read_wan(typed)


def test_read_form_names_each_field_in_error() -> None:
    errors = read_form(None, [], "", {"shared_instrument_fee_yuan": "-5"}, SPECS)
    assert errors == {
        "region": "请选择地区",
        "subject_types": "请至少选择一种主体类型",
        "shared_instrument_fee_yuan": "金额不能为负数",
    }
    too_big = read_form("日照市", ["企业"], "", {"shared_instrument_fee_yuan": "20000亿"}, SPECS)
    assert isinstance(too_big, dict) and "超过1万亿元" in too_big["shared_instrument_fee_yuan"]


def test_read_form_reads_figures_in_wan() -> None:
    profile = read_form(
        "日照市", ["企业"], " ", {"horizontal_project_paid_yuan": "80、120万元"}, SPECS
    )
    assert isinstance(profile, EnterpriseProfile)
    assert profile.horizontal_project_paid_yuan == (Decimal(800_000), Decimal(1_200_000))
    assert profile.industry is None


def test_report_cards_put_computed_amounts_first_in_wan() -> None:
    profile = EnterpriseProfile(
        region="日照市",
        subject_types=("科技型中小企业",),
        horizontal_project_paid_yuan=["80万元"],
    )
    shown = html.unescape(report_html(match_report(profile, BOOK).to_dict()))
    obtainable, rest = shown.split("id='pq-group-needs_input'", 1)
    assert (
        "可获得" in obtainable and "16万元" in obtainable and "80万元 × 20% = 16万元" in obtainable
    )
    assert "最佳组合合计 16万元" in obtainable and "计入组合" in obtainable
    assert "国家科学技术奖" not in obtainable
    assert "<details class='pq-group' id='pq-group-related'>" in rest
    assert not re.search(r"\d{1,3},\d{3}", shown)  # no "160,000 元"


def test_report_without_results_says_why() -> None:
    profile = EnterpriseProfile(region="北京市", subject_types=("企业",))
    shown = report_html(match_report(profile, BOOK).to_dict())
    assert "北京市" in shown and "已收录地区" in shown and "pq-card" not in shown


REGIONS = ["日照市", "泰安市", "威海市文登区"]


@pytest.mark.parametrize(
    ("question", "region", "subjects", "figures"),
    [
        (
            "我们是日照的科技型中小企业，去年研发投入800万，能享受哪些政策？",
            "日照市",
            ("科技型中小企业",),
            {},  # 去年 (上一年度研发投入) and 投入 (项目科技投入) tie: the figure is not guessed
        ),
        (
            "日照的科小，获得省研发补助30万，横向项目实际支付100万，有哪些政策？",
            "日照市",
            ("科技型中小企业",),
            {
                "provincial_rd_subsidy_yuan": Decimal(300_000),
                "horizontal_project_paid_yuan": (Decimal(1_000_000),),
            },
        ),
        ("横向项目实际支付100万和50万，日照的高企有哪些政策？", "日照市", ("高新技术企业",), {}),
        ("文登的孵化器能享受哪些政策", "威海市文登区", ("孵化器",), {}),
        ("济南的高企能享受哪些政策", "济南市", ("高新技术企业",), {}),
    ],
)
def test_read_profile_from_an_eligibility_question(
    question: str, region: str, subjects: tuple[str, ...], figures: dict[str, Any]
) -> None:
    profile = read_profile(question, REGIONS, BOOK)
    assert profile is not None
    assert (profile.region, profile.subject_types, profile.figures) == (
        region,
        subjects,
        figures,
    )


@pytest.mark.parametrize(
    "question",
    [
        "横向项目实际支付80万元能支持多少？",  # an amount question, not eligibility
        "科技型中小企业能享受哪些政策？",  # no region
        "日照能享受哪些政策？",  # no kind of enterprise
    ],
)
def test_read_profile_leaves_other_questions_to_the_answerer(question: str) -> None:
    assert read_profile(question, REGIONS, BOOK) is None


def test_the_eligibility_reply_lists_what_may_be_got() -> None:
    question = "日照的科小，获得省研发补助30万，横向项目实际支付100万，有哪些政策？"
    profile = read_profile(question, REGIONS, BOOK)
    assert profile is not None
    reply = eligibility_reply(profile, match_report(profile, BOOK), BOOK)
    lines = reply.splitlines()
    assert lines[0] == (
        "按资格匹配理解为：地区 日照市；主体类型 科技型中小企业；"
        "获得的省企业研究开发财政补助 30万元；横向项目实际支付金额 100万元。"
    )
    assert lines[1].startswith("可获得2项，最佳组合合计30万元")
    assert "· 可获得：科技型中小企业研发投入省补助市级1:1配套 30万元（计入组合）" in lines[2]
    assert "企业产学研横向项目经费支持 20万元（就高不重复，不叠加）" in lines[3]
    assert any(line.startswith("· 需补充：") for line in lines)


def test_the_cue_list_is_valid() -> None:
    cues = eligibility_cues()
    assert "能享受哪些" in cues and len(set(cues)) == len(cues)


def test_no_ui_event_is_queued_so_any_worker_answers_it() -> None:
    """Gradio's queue lives in one process: with a worker per core a queued event's stream can
    reach a worker that never saw the click, and the answer never comes."""
    from fastapi import FastAPI

    from policyqa.serve.ui import build_ui

    ui = build_ui(FastAPI(), load_rules(PROJECT_ROOT / "corpus"))
    dependencies = ui.get_config_file()["dependencies"]
    assert len(dependencies) >= 5  # ask (button, Enter), new conversation, match, page load
    assert [d["queue"] for d in dependencies] == [False] * len(dependencies)


def test_the_unused_event_queue_polls_rarely_once_mounted() -> None:
    """Gradio's queue loop polls every 1 ms in every worker (about 1,100 wake-ups a second,
    idle or busy); no event here is queued, so the mounted UI's queue polls at QUEUE_POLL_S.
    A Gradio that renames these attributes fails here instead of polling again unnoticed."""
    from fastapi import FastAPI
    from starlette.routing import Mount

    from policyqa.serve.ui import PROGRESS_POLL_S, QUEUE_POLL_S, mount_ui

    app = mount_ui(FastAPI(), load_rules(PROJECT_ROOT / "corpus"))
    (mounted,) = [r for r in app.routes if isinstance(r, Mount) and r.path == "/ui"]
    queue = mounted.app.get_blocks()._queue
    assert (queue.sleep_when_free, queue.progress_update_sleep_when_free) == (
        QUEUE_POLL_S,
        PROGRESS_POLL_S,
    )
