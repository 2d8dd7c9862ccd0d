"""Candidate rules read from a document's clauses, for a person to review.

Owns `propose_rules`: every sentence of a clause that grants money becomes one candidate rule
(`reviewed = false`) with its exact quote (a substring of the clause's original text), the
formula kind read from the wording and the numbers it states: a fixed or "最高" amount, "分别"
tiers, rate × base with its caps and thresholds, an amount per unit with its annual cap, a
matched ratio (1:1 配套), the lesser of a rate and a limit, and shares split by a ratio (5:2).
Subjects, conditions and cue words are guesses, listed in `notes` for review. Never writes
a file and never computes an amount: `rules.table` keeps unreviewed rules out of every
calculation, and `serve.cli_rules` writes the candidates to rules.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from policyqa.corpus.segment import Clause
from policyqa.rules.money import Quantity, find_quantities
from policyqa.rules.vocabulary import Vocabulary
from policyqa.text import normalize

GRANTING = re.compile(r"给予|补助|支持|奖励|贴息|补偿|资助|补贴|奖补")
BENEFITS = (("贴息", "贴息"), ("补偿", "补偿"), ("奖励", "奖励"), ("再贷款", "再贷款"))
TIER_NAMES = re.compile(r"国家级|省级|市级|区县级|一等奖|二等奖|三等奖|[一二三]等")
# Sentence parts a quote is cut at; a rule's quote is one part, exactly as written.
_PARTS = re.compile(r"[^。；;]+[。；;]?")
_UPPER = ("最高", "不超过", "不高于", "择优", "最多")
_CAP_WORDS: tuple[tuple[str, str], ...] = (
    ("每年", "cap_per_year"),
    ("累计", "cap_total"),
    ("每个项目", "cap_per_item"),
    ("单个项目", "cap_per_item"),
    ("每项", "cap_per_item"),
    ("单项", "cap_per_item"),
)
_MIN_AFTER = ("以上",)
_MIN_BEFORE = ("不低于", "超过", "达到")


def _context_before(text: str, q: Quantity, width: int = 12) -> str:
    start = max(0, q.start - width)
    cut = max(text.rfind(c, start, q.start) for c in "，,")
    return text[max(start, cut + 1) : q.start]


def _is_minimum(text: str, q: Quantity) -> bool:
    after = text[q.end : q.end + 2]
    before = _context_before(text, q, 6)
    if before.endswith(("不超过", "最高")):  # a cap, though 超过 ends 不超过
        return False
    return after.startswith(_MIN_AFTER) or before.endswith(_MIN_BEFORE)


def _cap_field(text: str, q: Quantity) -> str:
    before = _context_before(text, q)
    for word, field in _CAP_WORDS:
        if word in before:
            return field
    return "cap_total"


def _money(found: Sequence[Quantity]) -> list[Quantity]:
    return [q for q in found if q.kind == "money" and q.unit == "元"]


def _yuan(q: Quantity) -> int | str:
    return int(q.value) if q.value == q.value.to_integral_value() else str(q.value)


def _percent(q: Quantity) -> str:
    return f"{(q.value * 100).normalize():f}%"


def _tiered(text: str, money: list[Quantity]) -> dict[str, Any]:
    head = text[: text.find("分别")]
    # The tier names are listed together ("国家级、省级孵化器"), nearest the 分别 first.
    names = [f"第{i + 1}档" for i in range(len(money))]
    for chunk in reversed(re.split(r"[，,]", head)):
        found = list(dict.fromkeys(TIER_NAMES.findall(chunk)))
        if len(found) == len(money):
            names = found
            break
    tiers = [{"name": n, "amount": _yuan(q)} for n, q in zip(names, money, strict=True)]
    return {"kind": "tiered", "input": "level", "tiers": tiers}


def _rate(text: str, found: list[Quantity], money: list[Quantity]) -> dict[str, Any]:
    percent = next(q for q in found if q.kind == "percent")
    formula: dict[str, Any] = {"kind": "rate", "base": "proposed_base_yuan"}
    formula["rate"] = _percent(percent)
    for q in money:
        if _is_minimum(text, q):
            formula.setdefault("min_base", _yuan(q))
        else:
            formula.setdefault(_cap_field(text, q), _yuan(q))
    years = [q for q in found if q.kind == "years" and ("连续" in text or "最多" in text)]
    if years:
        formula["max_years"] = int(years[0].value)
    return formula


def _formula(text: str, found: list[Quantity]) -> dict[str, Any] | None:
    """The formula a (normalized) sentence part states, or None when it states no grant."""
    money = _money(found)
    ratios = [q for q in found if q.kind == "ratio" and q.parts]
    percents = [q for q in found if q.kind == "percent"]
    if "分别" in text and len(money) >= 2:
        return _tiered(text, money)
    if ratios and "配套" in text:
        a, b = ratios[0].parts or (1, 1)
        formula: dict[str, Any] = {"kind": "matched", "base": "proposed_base_yuan"}
        formula["ratio"] = f"{a}:{b}"
        if money:
            formula["cap"] = _yuan(money[-1])
        return formula
    if ratios and "分担" in text:
        a, b = ratios[0].parts or (1, 1)
        split: dict[str, Any] = {"kind": "split", "base": "proposed_base_yuan"}
        split["rate_input"] = "proposed_rate"
        split["shares"] = [{"name": "第一方", "part": a}, {"name": "第二方", "part": b}]
        if money:
            split["base_cap"] = _yuan(money[0])
        return split
    if percents and ("不高于" in text or "损失" in text):
        lesser: dict[str, Any] = {"kind": "lesser_of", "base": "proposed_base_yuan"}
        lesser |= {"rate": _percent(percents[0]), "limit": "proposed_limit_yuan"}
        lesser["limit_label"] = "不高于"
        # The cap is the amount said to be the most (a fund's size may come first).
        caps = [q for q in money if any(w in _context_before(text, q) for w in _UPPER)]
        if caps:
            lesser["cap_per_item"] = _yuan(caps[-1])
        return lesser
    if percents:
        return _rate(text, found, money)
    per = re.search(
        r"每(?:年度)?[^，,。]*?(\d+)(家|个|项|人|名|件)[^，,。]*?(?:补助|奖励|给予)", text
    )
    if per and money:
        unit_money = [q for q in money if q.start > per.end(2)]
        if unit_money:
            formula = {"kind": "per_unit", "count": "proposed_count", "unit": per.group(2)}
            formula |= {"amount_per_unit": _yuan(unit_money[0]), "unit_count": int(per.group(1))}
            caps = [
                q for q in money if q is not unit_money[0] and "每年" in _context_before(text, q)
            ]
            if caps:
                formula["cap_per_year"] = _yuan(caps[0])
            return formula
    grants = [q for q in money if not _is_minimum(text, q)]
    if len(grants) == 1:
        return {"kind": "fixed", "amount": _yuan(grants[0])}
    return None


def _inputs(formula: dict[str, Any]) -> list[dict[str, Any]]:
    names = [formula.get(k) for k in ("input", "base", "limit", "count", "rate_input")]
    return [{"name": n} for n in names if n]


def _subjects(text: str, vocabulary: Vocabulary) -> list[str]:
    named = [s for s in vocabulary.subject_names() if s in text]
    # The longest names only: 科技型中小企业 rather than also 企业 inside it.
    kept = [s for s in named if not any(s != o and s in o for o in named)]
    return kept or ["企业"]


def _benefit(text: str) -> str:
    return next((benefit for word, benefit in BENEFITS if word in text), "补助")


def _parts(clause_text: str) -> Iterable[str]:
    """Each sentence part, and before a "其中" (a special case follows) also what precedes it:
    the general rule and its special case are two rules."""
    for m in _PARTS.finditer(clause_text):
        part = m.group(0).strip().rstrip("。；;")
        if not part:
            continue
        general = part.split("其中", 1)[0].rstrip("，,")
        if general and general != part and not part.startswith("其中"):
            yield general
        yield part


# Caps a special case ("其中，…") keeps from its general rule when it does not restate them.
_INHERITED = ("cap_per_item", "cap_per_year", "cap_total")


def propose_rules(clauses: Sequence[Clause], vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """Candidate rules, in rules.toml's field names, for every granting sentence part.

    Each quote is an exact substring of its clause's original text; `reviewed` is false.
    """
    out: list[dict[str, Any]] = []
    for clause in clauses:
        n = 0
        previous: dict[str, Any] | None = None
        for part in _parts(clause.text):
            text = normalize(part)
            if not GRANTING.search(text):
                continue
            formula = _formula(text, find_quantities(text))
            if formula is None:
                continue
            if text.startswith("其中") and previous and previous["kind"] == formula["kind"]:
                for field in _INHERITED:
                    if field in previous and not any(f in formula for f in _INHERITED):
                        formula[field] = previous[field]
            previous = formula
            n += 1
            upper = formula["kind"] == "fixed" and any(w in text for w in _UPPER)
            rule: dict[str, Any] = {
                "id": _rule_id(clause.clause_id, n),
                "clause_id": clause.clause_id,
                "title": f"{clause.path or clause.clause_id}（待审核）",
                "subjects": _subjects(text, vocabulary),
                "benefit": _benefit(text),
                "upper_bound": upper,
                "quote": [part],
                "notes": ["由 policyqa rules propose 生成：请核对主体、条件、输入名与提示语"],
                "formula": formula,
                "inputs": _inputs(formula),
                "reviewed": False,
            }
            out.append(rule)
    return out


def _rule_id(clause_id: str, n: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", clause_id.lower()).strip("-")
    return f"proposed-{slug}-{n}"


def proposed_numbers(proposal: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """The numbers a proposal states, as `rules.model.rule_numbers` gives them for a rule."""
    from policyqa.rules.kinds import KINDS

    formula = dict(proposal["formula"])
    return KINDS[formula["kind"]].model_validate(formula).numbers()
