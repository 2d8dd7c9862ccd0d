"""The matching tab's two pure halves: reading the form into a profile, and the result cards.

`read_form` turns what was typed (figures in 万元, or with their own unit) into an
`EnterpriseProfile`, or into Chinese messages keyed by the field they belong to, so the UI can
show each next to its field; it never raises for a user's mistake. `report_html` renders the
JSON form of a `MatchReport` (what `POST /match` returns) as grouped cards: 可获得 with steps
and the best combination's total, 需补充 with what is missing, the rest collapsed. Amounts are
shown in 万元 (`format_yuan`). Never matches: that is `rules.match`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from policyqa.rules.model import InputSpec
from policyqa.rules.money import MoneyParseError, parse_amount
from policyqa.rules.profile import EnterpriseProfile
from policyqa.rules.table import RuleBook
from policyqa.serve.ui_render import as_text, bullet_list

WAN = Decimal(10_000)
_NEGATIVE = ("-", "\u2212", "\uff0d", "负", "負")
_BARE = re.compile(r"\d+(?:\.\d+)?")
_LIST_SEPARATORS = re.compile(r"[、；;，\s]+")


class FigureError(ValueError):
    """A figure typed into the form that is not an amount; the message says what to type."""


def read_wan(text: str) -> Decimal | None:
    """A figure from a 万元 box: a bare number is 万元 ("80" → 800000), a figure with its own
    unit is read as written ("80万元", "800000元", "1.5亿"); empty is None."""
    value = text.strip().replace(",", "")
    if not value:
        return None
    if value.startswith(_NEGATIVE):
        raise FigureError("金额不能为负数")
    if _BARE.fullmatch(value):
        try:
            return Decimal(value) * WAN
        except InvalidOperation as e:  # pragma: no cover - the pattern admits only decimals
            raise FigureError("请填写数字，如 80（万元）") from e
    try:
        return parse_amount(value)
    except MoneyParseError as e:
        raise FigureError(f"看不懂“{value}”：请填写数字（万元），如 80 或 80万元") from e


def read_wan_list(text: str) -> list[Decimal]:
    """Several figures in one box, separated by 、 ， ； or spaces."""
    values = [read_wan(part) for part in _LIST_SEPARATORS.split(text.strip()) if part]
    return [v for v in values if v is not None]


def _message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "")).removeprefix("Value error, ")
    if not re.search(r"[\u4e00-\u9fff]", msg):
        return "这一项的填写有误，请检查"
    return msg


def _field_error(error: Mapping[str, Any], figures: set[str]) -> tuple[str, str]:
    """(form field, Chinese message) of one profile validation error.

    The profile model checks every figure in one `figures` validator whose message starts with
    the figure's name ("rd_investment_yuan: 金额…"): the error belongs next to that figure.
    """
    loc = tuple(error.get("loc") or ("region",))
    field = str(loc[0])
    message = _message(error)
    if field == "figures":
        name, _, rest = message.partition(": ")
        if name in figures:
            return name, rest
    return field, message


def read_form(
    region: str | None,
    subjects: Sequence[str] | None,
    industry: str | None,
    figures: Mapping[str, str | None],
    specs: Sequence[InputSpec],
    book: RuleBook | None = None,
) -> EnterpriseProfile | dict[str, str]:
    """The profile the form describes, or {field: Chinese message} for every field in error.

    With `book`, figures and subject types are checked against that rule table (the engine's).
    """
    errors: dict[str, str] = {}
    if not region:
        errors["region"] = "请选择地区"
    if not subjects:
        errors["subject_types"] = "请至少选择一种主体类型"
    data: dict[str, Any] = {
        "region": region or "",
        "subject_types": list(subjects or []),
        "industry": (industry or "").strip() or None,
    }
    for spec in specs:
        text = figures.get(spec.name) or ""
        try:
            if spec.multiple:
                values = read_wan_list(text)
                if values:
                    data[spec.name] = values
            else:
                value = read_wan(text)
                if value is not None:
                    data[spec.name] = value
        except FigureError as e:
            errors[spec.name] = str(e)
    if errors:
        return errors
    try:
        if book is not None:
            return EnterpriseProfile.for_rules(data, book)
        return EnterpriseProfile.model_validate(data)
    except ValidationError as e:
        for error in e.errors():
            field, message = _field_error(error, {spec.name for spec in specs})
            errors.setdefault(field, message)
        return errors


def _card(result: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    amount = result.get("amount_text") or "金额未定"
    badge = ""
    if result.get("counted"):
        badge = "<span class='pq-badge pq-counted'>计入组合</span>"
    elif result.get("superseded_by"):
        top = titles.get(result["superseded_by"], result["superseded_by"])
        badge = f"<span class='pq-badge'>就高不重复：不与“{as_text(top)}”叠加</span>"
    parts = [
        f"<div class='pq-card-title'>{as_text(result['title'])}</div>",
        f"<div class='pq-card-amount'><b>{as_text(amount)}</b>"
        f" <span class='pq-label'>{as_text(result['amount_label'])}</span>{badge}</div>",
    ]
    if not result.get("qualifies") and result.get("reason"):
        parts.append(f"<div class='pq-reason'>不符合：{as_text(result['reason'])}</div>")
    calculation = result.get("calculation")
    if result.get("group") == "obtainable" and calculation:
        parts.append(f"<ol class='pq-steps'>{bullet_list(calculation['steps'])}</ol>")
    if result.get("missing"):
        parts.append(
            f"<div class='pq-need'>还需填写：<ul>{bullet_list(result['missing'])}</ul></div>"
        )
    if result.get("requirements"):
        label = "需确认" if result.get("group") != "obtainable" else "前提条件"
        parts.append(
            f"<div class='pq-req'>{label}：<ul>{bullet_list(result['requirements'])}</ul></div>"
        )
    if result.get("notes"):
        parts.append(
            "<details class='pq-notes'><summary>说明</summary>"
            f"<ul>{bullet_list(result['notes'])}</ul></details>"
        )
    parts.append(f"<div class='pq-clause'>条款 <code>{as_text(result['clause_id'])}</code></div>")
    return f"<div class='pq-card' data-rule='{as_text(result['rule_id'])}'>{''.join(parts)}</div>"


_HEADINGS = {
    "obtainable": "可获得：按所填数据算出的金额",
    "needs_input": "需补充：面向该类主体，补充后才能计算",
    "related": "其他可能相关（只因主体类型宽泛而列出，未计入）",
    "not_eligible": "不符合（按所填数据）",
}


def report_html(report: Mapping[str, Any]) -> str:
    """Grouped cards for the JSON form of a match report (every text escaped)."""
    summary = f"<p class='pq-summary'>{as_text(report['summary'])}</p>"
    if report.get("empty_reason"):
        return f"<div class='pq-report'>{summary}</div>"
    titles = {r["rule_id"]: r["title"] for r in report["results"]}
    sections = [summary]
    for group, heading in _HEADINGS.items():
        members = [r for r in report["results"] if r["group"] == group]
        if not members:
            continue
        cards = "".join(_card(r, titles) for r in members)
        title = f"{heading}（{len(members)}项）"
        if group == "obtainable":
            total = report["best_combination"]["total_text"]
            title += f" · 最佳组合合计 {as_text(total)}"
        body = f"<div class='pq-cards'>{cards}</div>"
        if group in ("obtainable", "needs_input"):
            sections.append(
                f"<section class='pq-group' id='pq-group-{group}'><h4>{title}</h4>{body}</section>"
            )
        else:
            sections.append(
                f"<details class='pq-group' id='pq-group-{group}'><summary>{title}</summary>"
                f"{body}</details>"
            )
    if report["provisions"]:
        items = bullet_list(f"{p['title']}（{p['clause_id']}）" for p in report["provisions"])
        sections.append(
            f"<details class='pq-group' id='pq-group-provisions'><summary>另有未规定金额的支持"
            f"（{len(report['provisions'])}项）</summary><ul>{items}</ul></details>"
        )
    return f"<div class='pq-report'>{''.join(sections)}</div>"
