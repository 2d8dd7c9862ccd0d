"""The Gradio chat UI, mounted into the FastAPI app at /ui: chat with citations, and matching.

Owns the layout, the handlers (each one engine call) and the page's language, footer and
styles. The HTML of answers and match results is made by the pure `ui_render` and `ui_match`,
the conversation is read back by `ui_history`, an eligibility question goes to the matching
through `ui_eligibility`; no business logic here. A user's mistake (an
empty question, a figure that is not an amount) is answered in Chinese next to its field and
clears the old result; it never raises, so Gradio shows no English toast and logs no traceback.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr
from fastapi import FastAPI

from policyqa.answer.asking import QuestionError
from policyqa.engine import Engine
from policyqa.rules.match import match_report
from policyqa.rules.model import InputSpec
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook
from policyqa.serve.ui_eligibility import eligibility_reply, read_profile
from policyqa.serve.ui_history import read_history
from policyqa.serve.ui_match import read_form, report_html
from policyqa.serve.ui_render import answer_message, as_text, user_message

EXAMPLES = [
    "泰安对省级加速器补多少？",
    "我们首次认定为规上高企，能拿多少补助？",
    "横向项目实际支付80万元能支持多少？",
    "到2027年日照万人有效发明专利拥有量目标是多少？",
    "國家科學技術一等獎獎勵多少？",
]

# Gradio writes <html lang="en">; the page is Chinese (screen readers, fonts, translation).
HEAD = "<script>document.documentElement.lang = 'zh-CN';</script>"
# Gradio runs `js` once the app is mounted and its events are wired: `data-pq-ready` tells a
# browser test (or any script driving the page) that a click is now heard.
JS = (
    "() => { document.documentElement.lang = 'zh-CN';"
    " document.documentElement.dataset.pqReady = '1'; }"
)
CSS = """
footer { display: none !important; }
/* Gradio's clear icon sits over the first user bubble; 新对话 below does its job. */
#pq-chat .top-panel { display: none !important; }
.pq-field-error { color: #b91c1c; font-size: 0.9em; min-height: 0; }
.pq-field-error:not(:has([role=alert])) { display: none !important; }
#pq-chat .message, #pq-chat .message-content { max-width: 100%; overflow-wrap: anywhere; }
.pq-cites, .pq-coverage { margin-top: 6px; }
.pq-resolved { font-size: 0.85em; opacity: 0.75; }
.pq-cites > summary, .pq-coverage > summary, .pq-simplified > summary { cursor: pointer;
  color: #1d4ed8; }
.pq-cite-list { list-style: none; padding-left: 0; margin: 6px 0; }
.pq-cite { border-left: 3px solid #2563eb; background: rgba(37, 99, 235, 0.06);
  padding: 6px 10px; margin: 8px 0; border-radius: 4px; }
.pq-cite-head { font-size: 0.9em; margin-bottom: 4px; }
.pq-cite-text { max-height: 16em; overflow: auto; overflow-wrap: anywhere; }
.pq-cite code, .pq-clause code { word-break: break-all; white-space: normal; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
.pq-report { max-width: 100%; overflow-x: auto; }
.pq-summary { font-weight: 600; }
.pq-group { margin: 10px 0; }
.pq-group > summary { cursor: pointer; font-weight: 600; }
.pq-cards { display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); }
.pq-card { border: 1px solid #d1d5db; border-radius: 8px; padding: 10px; min-width: 0;
  overflow-wrap: anywhere; }
.pq-card-title { font-weight: 600; }
.pq-card-amount b { font-size: 1.15em; }
.pq-label { color: #6b7280; font-size: 0.9em; }
.pq-badge { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 4px;
  background: #f3f4f6; font-size: 0.85em; }
.pq-badge.pq-counted { background: #dcfce7; color: #166534; }
.pq-reason, .pq-need { color: #92400e; }
.pq-steps, .pq-card ul { margin: 4px 0; padding-left: 1.4em; }
"""


def figure_inputs(rules: RuleBook | None) -> list[InputSpec]:
    """The money figures the rule table asks for that an enterprise profile can carry: one per
    input name, in table order (the matching form offers a box for each)."""
    specs: dict[str, InputSpec] = {}
    for rule in rules.rules if rules else ():
        for spec in rule.inputs:
            if spec.kind == "money":  # every money input a rule declares is a profile figure
                specs.setdefault(spec.name, spec)
    return list(specs.values())


def _error(message: str) -> str:
    return f"<span role='alert'>{html.escape(message)}</span>" if message else ""


def build_ui(app: FastAPI, rules: RuleBook | None) -> gr.Blocks:
    """The chat and matching UI; handlers read the engine the app loaded at start-up.

    The matching form's figures are those of `rules` (the corpus's rule table); its regions are
    the loaded corpus's, filled in when the page loads.
    """
    figures = figure_inputs(rules)

    def engine() -> Engine:
        loaded: Engine = app.state.engine
        return loaded

    def respond(message: str, messages: list[Any]) -> tuple[str, list[Any], str]:
        messages = list(messages or [])
        if not (message or "").strip():
            return message, messages, _error("请先输入问题")
        loaded = engine()
        book = loaded.rules
        profile = read_profile(message, loaded.regions(), book) if book else None
        if book is not None and profile is not None:
            # "…能享受哪些政策？" asks what the enterprise may get: the matching answers it.
            reply = eligibility_reply(profile, match_report(profile, book), book)
            messages.append({"role": "user", "content": user_message(message)})
            messages.append({"role": "assistant", "content": as_text(reply)})
            return "", messages, ""
        try:
            answer = loaded.answerer.answer(message, read_history(messages))
        except QuestionError as e:
            return message, messages, _error(str(e))
        shown = user_message(message, answer.resolved_question)
        messages.append({"role": "user", "content": shown})
        reply = answer_message(answer, loaded.corpus.manifest.documents)
        messages.append({"role": "assistant", "content": reply})
        return "", messages, ""

    with gr.Blocks(title="policyqa 科技政策问答") as ui:
        gr.Markdown("## 科技政策问答\n回答均附所依据的条款；金额由规则计算，并注明条款出处。")
        with gr.Tab("问答"):
            chat = gr.Chatbot(
                label="对话",
                show_label=False,
                height=460,
                elem_id="pq-chat",
                buttons=[],
                feedback_options=None,
                sanitize_html=True,
            )
            box = gr.Textbox(
                label="问题",
                placeholder="例如：泰安对省级加速器补多少？追问可直接说“那省级的呢？”",
                elem_id="pq-question",
            )
            box_error = gr.HTML("", elem_id="pq-question-error", elem_classes="pq-field-error")
            with gr.Row():
                send = gr.Button("提问", variant="primary", elem_id="pq-send")
                clear = gr.Button("新对话", elem_id="pq-clear")
            gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            # queue=False everywhere: each event is one HTTP request, answered by whichever
            # worker receives it. Gradio's queue keeps its state in one process, so with a
            # worker per core a queued event's stream can land on a worker that never saw it.
            send.click(respond, [box, chat], [box, chat, box_error], queue=False)
            box.submit(respond, [box, chat], [box, chat, box_error], queue=False)
            clear.click(lambda: ([], "", ""), None, [chat, box, box_error], queue=False)
        with gr.Tab("资格匹配"):
            gr.Markdown(
                "填写企业画像：按所填数据算出的金额列在“可获得”，面向该类主体但缺数据的列在"
                "“需补充”，并按“就高、不重复”给出最佳组合与合计。"
            )
            # Any region may be typed: one the corpus lacks gets the reason, not an error.
            region = gr.Dropdown([], label="地区", elem_id="pq-region", allow_custom_value=True)
            region_error = gr.HTML("", elem_id="pq-err-region", elem_classes="pq-field-error")
            subjects = gr.CheckboxGroup(
                list(rules.vocabulary.subject_names()) if rules else [],
                value=["科技型中小企业"],
                label="主体类型",
                elem_id="pq-subjects",
            )
            subjects_error = gr.HTML(
                "", elem_id="pq-err-subject_types", elem_classes="pq-field-error"
            )
            industry = gr.Textbox(
                label="所属产业（可选，如 新材料、低空经济）", elem_id="pq-industry"
            )
            amounts: list[gr.Textbox] = []
            amount_errors: list[gr.HTML] = []
            with gr.Accordion("已知金额（万元，可选）", open=False, elem_id="pq-figures"):
                for start in range(0, len(figures), 3):
                    with gr.Row():
                        for spec in figures[start : start + 3]:
                            with gr.Column(min_width=240):
                                amounts.append(
                                    gr.Textbox(
                                        label=f"{spec.label}（万元）",
                                        placeholder="如 80；多笔用“、”分隔"
                                        if spec.multiple
                                        else "如 80",
                                        elem_id=f"pq-{spec.name}",
                                    )
                                )
                                amount_errors.append(
                                    gr.HTML(
                                        "",
                                        elem_id=f"pq-err-{spec.name}",
                                        elem_classes="pq-field-error",
                                    )
                                )
            run = gr.Button("匹配", variant="primary", elem_id="pq-match")
            matched = gr.HTML(elem_id="pq-match-result")

            def do_match(
                region: str | None, subjects: list[str] | None, industry: str | None, *values: Any
            ) -> list[str]:
                loaded = engine().rules
                texts = {spec.name: str(v or "") for spec, v in zip(figures, values, strict=True)}
                profile = read_form(region, subjects, industry, texts, figures, loaded)
                fields = ["region", "subject_types", *texts]
                if not isinstance(profile, EnterpriseProfile):
                    return ["", *(_error(profile.get(f, "")) for f in fields)]
                if loaded is None:
                    result = "<p>当前语料没有规则表（rules.toml），无法匹配。</p>"
                else:
                    result = report_html(match_report(profile, loaded).to_dict())
                return [result, *("" for _ in fields)]

            run.click(
                do_match,
                [region, subjects, industry, *amounts],
                [matched, region_error, subjects_error, *amount_errors],
                queue=False,
            )

        def current_regions() -> gr.Dropdown:
            choices = engine().regions()
            return gr.Dropdown(choices=choices, value=choices[0] if choices else None)

        ui.load(current_regions, None, region, queue=False)
    return ui


# Gradio's queue loop polls for queued events every 1 ms (and for progress every 10 ms) in every
# worker, busy or idle: about 1,100 wake-ups a second, 3.5% of a core on an idle worker and
# about 0.75 ms of the event loop's CPU per /ask under load, for nothing here, since no event
# of this UI is queued. Polled at these intervals instead.
QUEUE_POLL_S = 0.1
PROGRESS_POLL_S = 0.5


def quiet_queue(ui: gr.Blocks) -> gr.Blocks:
    """`ui` with its (unused) event queue polling rarely instead of every millisecond (private
    attributes of Gradio's Queue: `tests/test_ui.py` notices when they change)."""
    queue = getattr(ui, "_queue", None)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = QUEUE_POLL_S
        queue.progress_update_sleep_when_free = PROGRESS_POLL_S
    return ui


def mount_ui(app: FastAPI, rules: RuleBook | None) -> FastAPI:
    """`app` with the UI at /ui: Chinese page language, no Gradio footer, the UI's styles."""
    return gr.mount_gradio_app(
        app,
        quiet_queue(build_ui(app, rules)),
        path="/ui",
        footer_links=[],
        css=CSS,
        head=HEAD,
        js=JS,
    )
