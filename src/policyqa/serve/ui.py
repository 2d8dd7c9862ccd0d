"""The Gradio chat UI, mounted into the FastAPI app: chat with citations, and matching.

Everything the UI shows that came from a user or a document is HTML-escaped here, before
Gradio renders it, so a question containing `<script>` is shown as text.
"""

from __future__ import annotations

import html
import re
from typing import Any

import gradio as gr
from fastapi import FastAPI
from pydantic import ValidationError

from policyqa.answer.compose import QuestionError
from policyqa.answer.contract import Answer, Turn
from policyqa.engine import Engine
from policyqa.rules.match import match_report
from policyqa.rules.model import InputSpec
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook

EXAMPLES = [
    "泰安对省级加速器补多少？",
    "我们首次认定为规上高企，能拿多少补助？",
    "横向项目实际支付80万元能支持多少？",
    "到2027年日照万人有效发明专利拥有量目标是多少？",
    "國家科學技術一等獎獎勵多少？",
]
_UNITS = "万元|萬元|亿元|億元|元|%|万|萬|亿|億|家|年|件|项|個|个|人|名"
_NUMBER = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)(?:\s*(?:{_UNITS}))?")


def cited_numbers(answer_text: str) -> set[str]:
    """The bare numbers an answer states (what to highlight in its citations).

    Citation markers ("[1]") and clause paths ("五、14.") are references, not cited figures.
    """
    text = re.sub(r"\[\d+\]|\d+\.(?!\d)", " ", answer_text)
    return {
        m.group(1) for m in _NUMBER.finditer(text) if m.group(0) != m.group(1) or "." in m.group(1)
    }


def highlight(text: str, numbers: set[str]) -> str:
    """Clause text, HTML-escaped, with the cited numbers (and their units) marked."""
    escaped = html.escape(text)
    if not numbers:
        return escaped

    def mark(m: re.Match[str]) -> str:
        return f"<mark>{m.group(0)}</mark>" if m.group(1) in numbers else m.group(0)

    return _NUMBER.sub(mark, escaped)


def citations_html(answer: Answer) -> str:
    """The citations panel of one answer."""
    if answer.abstained or not answer.citations:
        return "<p class='pq-none'>（本回答没有引用条款）</p>"
    numbers = cited_numbers(answer.answer)
    parts = []
    for i, c in enumerate(answer.citations, start=1):
        parts.append(
            "<div class='pq-citation'>"
            f"<div class='pq-cite-head'>[{i}] {html.escape(c.title)}（{html.escape(c.region)}）"
            f" {html.escape(c.path)} <code>{html.escape(c.clause_id)}</code></div>"
            f"<div class='pq-cite-text'>{highlight(c.text, numbers)}</div></div>"
        )
    return "\n".join(parts)


def _history(messages: list[dict[str, Any]]) -> list[Turn]:
    turns = []
    for m in messages:
        role, content = m.get("role"), m.get("content")
        if role in ("user", "assistant") and isinstance(content, str):
            turns.append(Turn(role=role, content=html.unescape(content)[:4000]))
    return turns


def match_html(results: list[dict[str, Any]], provisions: list[dict[str, Any]]) -> str:
    """The matching tab's result table (every cell escaped)."""
    if not results and not provisions:
        return "<p>没有找到可能适用的补助规则。</p>"
    rows = []
    for r in results:
        amount = "金额未定" if r["amount_yuan"] is None else f"{r['amount_yuan']:,} 元"
        status = "可能适用" if r["qualifies"] else f"不符合：{r['reason']}"
        if r["superseded_by"]:
            status += "（就高不重复：不与更高一项叠加）"
        notes = "；".join(r["missing"] + r["notes"])
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(x))}</td>"
                for x in (r["title"], r["amount_label"], amount, status, r["clause_id"], notes)
            )
            + "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("规则", "口径", "金额", "状态", "条款", "说明"))
    extra = "".join(
        f"<li>{html.escape(p['title'])}（未规定金额）{html.escape(p['clause_id'])}</li>"
        for p in provisions
    )
    table = f"<table class='pq-match'><tr>{head}</tr>{''.join(rows)}</table>"
    return table + (f"<p>另有未规定金额的支持：</p><ul>{extra}</ul>" if extra else "")


def figure_inputs(rules: RuleBook | None) -> list[InputSpec]:
    """The money figures the rule table asks for that an enterprise profile can carry: one per
    input name, in table order (the matching form offers a number box for each)."""
    specs: dict[str, InputSpec] = {}
    for rule in rules.rules if rules else ():
        for spec in rule.inputs:
            if spec.kind == "money":  # every money input a rule declares is a profile figure
                specs.setdefault(spec.name, spec)
    return list(specs.values())


def build_ui(app: FastAPI, rules: RuleBook | None) -> gr.Blocks:
    """The chat and matching UI; handlers read the engine the app loaded at start-up.

    The matching form's figures are those of `rules` (the corpus's rule table); its regions are
    the loaded corpus's, filled in when the page loads.
    """
    figures = figure_inputs(rules)

    def engine() -> Engine:
        loaded: Engine = app.state.engine
        return loaded

    def respond(
        message: str, messages: list[dict[str, Any]]
    ) -> tuple[str, list[dict[str, Any]], str]:
        messages = list(messages or [])
        try:
            answer = engine().answerer.answer(message, _history(messages))
            reply, cites = answer.answer, citations_html(answer)
        except QuestionError as e:
            reply, cites = str(e), ""
        messages.append({"role": "user", "content": html.escape(message or "")})
        messages.append({"role": "assistant", "content": html.escape(reply)})
        return "", messages, cites

    with gr.Blocks(title="policyqa 科技政策问答") as ui:
        gr.Markdown("## 科技政策问答\n回答均附所依据的条款；金额由规则计算，并注明条款出处。")
        with gr.Tab("问答"):
            chat = gr.Chatbot(label="对话", height=420, elem_id="pq-chat")
            box = gr.Textbox(
                label="问题", placeholder="例如：泰安对省级加速器补多少？", elem_id="pq-question"
            )
            send = gr.Button("提问", variant="primary", elem_id="pq-send")
            gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            gr.Markdown("### 引用条款")
            cites = gr.HTML(elem_id="pq-citations")
            send.click(respond, [box, chat], [box, chat, cites])
            box.submit(respond, [box, chat], [box, chat, cites])
        with gr.Tab("资格匹配"):
            gr.Markdown(
                "填写企业画像，列出可能适用的补助规则（按金额排序，注明条款与“就高、不重复”）。"
            )
            region = gr.Dropdown([], label="地区", elem_id="pq-region")
            subjects = gr.CheckboxGroup(
                list(rules.vocabulary.subject_names()) if rules else [],
                value=["科技型中小企业"],
                label="主体类型",
                elem_id="pq-subjects",
            )
            industry = gr.Textbox(
                label="所属产业（可选，如 新材料、低空经济）", elem_id="pq-industry"
            )
            amounts: list[gr.Number] = []
            with gr.Accordion("已知金额（元，可选）", open=False):
                for start in range(0, len(figures), 3):
                    with gr.Row():
                        amounts += [
                            gr.Number(label=spec.label, minimum=0, elem_id=f"pq-{spec.name}")
                            for spec in figures[start : start + 3]
                        ]
            run = gr.Button("匹配", variant="primary", elem_id="pq-match")
            matched = gr.HTML(elem_id="pq-match-result")

            def do_match(region: str, subjects: list[str], industry: str, *values: Any) -> str:
                rules = engine().rules
                if rules is None:
                    return "<p>当前语料没有规则表（rules.toml），无法匹配。</p>"
                data: dict[str, Any] = {
                    "region": region,
                    "subject_types": subjects,
                    "industry": industry or None,
                }
                for spec, value in zip(figures, values, strict=True):
                    if value:
                        data[spec.name] = [value] if spec.multiple else value
                try:
                    profile = EnterpriseProfile.for_rules(data, rules)
                except ValidationError as e:
                    reasons = "；".join(str(err["msg"]) for err in e.errors())
                    return f"<p class='pq-error'>画像有误：{html.escape(reasons)}</p>"
                report = match_report(profile, rules).to_dict()
                return match_html(report["results"], report["provisions"])

            run.click(do_match, [region, subjects, industry, *amounts], matched)

        def current_regions() -> gr.Dropdown:
            choices = engine().regions()
            return gr.Dropdown(choices=choices, value=choices[0] if choices else None)

        ui.load(current_regions, None, region)
    return ui
