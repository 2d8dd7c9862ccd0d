"""Reading a question for one rule: which of its figures are the rule's inputs.

Owns the cue matching that gives each amount, count, rate and number of years in a question to
the input whose cue words stand next to it (`read_inputs`), the years a question speaks of
(`years_asked`), the industries it names (`industries_in`) and how well its figures fit a rule
(`input_fit`). Pure and deterministic: what cannot be placed with confidence is left missing,
never guessed. Never chooses the rule (`answer.choice`) and never computes (`rules.calc`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policyqa.answer.frame import denied
from policyqa.answer.quantities import restate
from policyqa.rules.formulas import round_yuan
from policyqa.rules.model import InputSpec, Rule, industries_named
from policyqa.rules.money import Quantity, chinese_to_decimal, find_quantities, format_yuan
from policyqa.text import normalize_query

# A money amount right after these words is a cap being asked about, not a figure of the asker.
_CAP_WORDS = re.compile(r"(最高|最多|不超过|上限|封顶|至多)[^,，。;；]{0,3}$")
_CONTEXT = 24
_PUNCTUATION = re.compile(r"[,，。;；?？!！]")
# The clause pays for one of several, chosen by the asker ("任选一笔纳入备案").
_CHOOSE_ONE = re.compile(r"任选一|择一")
# The question names several of that one thing ("两笔贷款…一笔…另一笔"), not other sums (本金).
_SEVERAL_OF_ONE = re.compile(r"另一笔|两笔|几笔|多笔|第二笔|各一笔")
# An input that is a total over a period, and occasions listed within one.
_SPAN_TOTAL = re.compile(r"一年内|年度|全年|累计|合计")
_OCCASIONS = re.compile(
    r"另一次|第二次|(?<![第\d])[两三四五六七八九十\d]次|几次|多次|还有一次|又一次|分几次|分别花"
    # The parts of one year ("上半年花了30万，下半年又花了20万", "一季度…二季度…").
    r"|上半年[^。？?]*下半年|[一二三四1-4]季度[^。？?]*[一二三四1-4]季度"
)
# A total said with its parts after it ("科技投入里人员费用300万、设备材料500万"): the input's
# cue, then 里/中/包括 and the parts.
_PARTS_AFTER = "(?:里|中|当中|其中|包括|包含|分为|由)"
# A sum agreed or planned rather than paid: 合同额, 预算, 计划投资.
# ("合同实际付款65万" is paid: words of paying between make it so.)
_AGREED = re.compile(
    r"(合同|预算|计划投资|拟投入|拟投资|概算)(?![^，,。;；\d]*(?:实际|实付|已付|付款|支付|付了))"
    r"[^，,。;；\d]{0,4}$"
)
_GRANTED_TOGETHER = re.compile(
    r"(?:合计|一共|总共|共计|加起来)(?:补助|补贴|补|给|拿到|拿|发|获得|到账|收到)了?$"
)
_GRANTED = re.compile(
    r"(?:补了|补助了|补贴了|给了|拨了|奖了|奖励了"
    # "省级创新券补助拿到了24万": a grant word, then what was received.
    r"|(?:补助|补贴|奖励|创新券|资助)(?:已经|已)?(?:拿到了?|拿了|获得了?|收到了?|到账了?|领了))$"
)
# An input that is itself a grant or award received ("获得的省企业研究开发财政补助").
_GRANT_BASE = re.compile(r"补助|补贴|奖励|奖金|额度")
# An amount after these words is a total over the years asked about ("三年一共花了600万").
_TOTAL_WORDS = re.compile(r"一共|总共|共计|合计|总计|累计|累积|共(?=花|支付|付|投入|用)")


@dataclass(frozen=True)
class QuestionReading:
    """The inputs found in a question for one rule, and the ones still missing."""

    rule_id: str
    inputs: dict[str, Any]
    missing: tuple[InputSpec, ...]
    notes: tuple[str, ...] = ()
    # How a figure was read, shown as the first steps of the calculation ("…为3年合计").
    explained: tuple[str, ...] = ()

    @property
    def prompts(self) -> tuple[str, ...]:
        return tuple(spec.prompt for spec in self.missing)


def _cue_score(context: str, cues: Sequence[str]) -> int:
    """Length of the longest cue in `context` (0 when none): longer cues are more specific."""
    return max((len(c) for c in cues if c and c in context), default=0)


def _nearest_cue(before: str, after: str, cues: Sequence[str]) -> tuple[int, int, int]:
    """How close a cue stands to a number: (found before, nearness, cue length); 0s when none.

    A cue just before the number ("损失了150万元") beats one further back ("投资失败损失了"
    names both 投资 and 损失; 损失 is nearer), and any cue before beats a cue after.
    """
    best = (0, 0, 0)
    for cue in cues:
        if not cue:
            continue
        at = before.rfind(cue)
        if at >= 0:
            best = max(best, (2, at + len(cue) - len(before) + _CONTEXT + 1, len(cue)))
        at = after.find(cue)
        if at >= 0:
            best = max(best, (1, _CONTEXT - at, len(cue)))
    return best


def _contexts(text: str, bounds: Sequence[Quantity], q: Quantity) -> tuple[str, str]:
    """The text before `q` back to the previous competing number (at most 24 chars), and a
    little after, up to the next competing number or punctuation.

    `bounds` are the numbers competing for the same inputs (the money amounts when money is
    assigned): a count or a year between a cue and its amount ("首轮投资日照一家企业500万元",
    "运营费一年花300万") does not cut the cue off.
    """
    previous_end = max((o.end for o in bounds if o.end <= q.start), default=0)
    before = text[max(previous_end, q.start - _CONTEXT) : q.start]
    following = [o.start for o in bounds if o.start >= q.end]
    after_end = min([q.end + 6, *following])
    after = _PUNCTUATION.split(text[q.end : after_end])[0]
    return before, after


def _assign(
    text: str, candidates: Sequence[Quantity], specs: Sequence[InputSpec]
) -> tuple[dict[str, list[Quantity]], list[str]]:
    """Give each quantity to the spec whose cue is nearest in meaning (longest cue in context)."""
    notes: list[str] = []
    if len(specs) == 1:
        spec = specs[0]
        if len(candidates) == 1 and _spent_not_granted(text, candidates, spec):
            notes.append(f"{format_yuan(candidates[0].value)}是投入或花费，不是{spec.label}")
            return {}, notes
        if spec.multiple or len(candidates) <= 1:
            return {spec.name: list(candidates)}, notes
        if _SPAN_TOTAL.search(spec.label) and _OCCASIONS.search(text):
            # A total over a period ("一年内…发生的费用") and the question lists occasions in it
            # ("一次检测花了60万，另一次测试花了90万", "三次检测，分别花了25万、40万、15万"):
            # the figures are its parts, the ones listed after a single cue included.
            return {spec.name: list(candidates)}, notes
        if _parts_of_one(text, candidates, spec):
            return {spec.name: list(candidates)}, notes
        cued = [
            q for q in candidates if _cue_score("".join(_contexts(text, candidates, q)), spec.cues)
        ]
        if len(cued) == 1:
            return {spec.name: cued}, notes
        notes.append(f"问题中有多个金额，无法确定哪一个是{spec.label}")
        return {}, notes
    assigned: dict[str, list[Quantity]] = {}
    for q in candidates:
        before, after = _contexts(text, candidates, q)
        scores = [(_nearest_cue(before, after, s.cues), s) for s in specs]
        best = max(score for score, _ in scores)
        winners = [s for score, s in scores if score == best]
        if best[0] == 0 or len(winners) != 1:
            notes.append(
                f"无法确定{format_yuan(q.value) if q.kind == 'money' else q.text}对应哪一项"
            )
            continue
        assigned.setdefault(winners[0].name, []).append(q)
    for name, found in list(assigned.items()):
        spec = next(s for s in specs if s.name == name)
        if len(found) > 1 and not spec.multiple:
            notes.append(f"问题中有多个数值可能是{spec.label}，请明确")
            del assigned[name]
    return assigned, notes


# Words right before a figure that make it a sum spent or earned ("研发投入600万").
_SPENT = re.compile(r"(?:投入|花了|花费|支付|付了|投资|投了|费用|营收|收入)[了为是达]?$")


def _latest_two_years(text: str, rule: Rule) -> str:
    """"前年600万、去年1300万" read as the previous and the latest year by a rule that compares
    a year with the one before it (its cues say 今年/去年): the latest year named is the
    current one."""
    if not any(t.growth for t in rule.thresholds):
        return text
    if "前年" in text and "去年" in text and "今年" not in text:
        return text.replace("去年", "今年").replace("前年", "去年")
    return text


def _spent_not_granted(text: str, candidates: Sequence[Quantity], spec: InputSpec) -> bool:
    """A rule paying on a grant received (1:1 配套 of the 省补助) and the only figure is said as
    a sum spent ("去年研发投入600万"): that sum is no grant, whatever cue stands further back."""
    if not _GRANT_BASE.search(spec.label):
        return False
    before, _ = _contexts(text, candidates, candidates[0])
    return bool(_SPENT.search(before[-8:])) and not any(c in before[-8:] for c in spec.cues)


def _parts_of_one(text: str, candidates: Sequence[Quantity], spec: InputSpec) -> bool:
    """Whether every figure is a part of the one input, listed after its cue and 里/包括
    ("科技投入里人员费用300万、设备材料500万"), with nothing but the list between them."""
    cues = "|".join(re.escape(c) for c in sorted(spec.cues, key=len, reverse=True) if len(c) >= 2)
    if not cues:
        return False
    m = re.search(f"(?:{cues}){_PARTS_AFTER}", text)
    if m is None or any(q.start < m.end() for q in candidates):
        return False
    between = [text[a.end : b.start] for a, b in itertools.pairwise(candidates)]
    return all(len(gap) <= 8 and re.match(r"^[、和及与,，]", gap) for gap in between)


def _tier_from_text(rule: Rule, text: str) -> str | None:
    found = {
        t.name for t in rule.formula.tier_options() for cue in (t.name, *t.cues) if cue in text
    }
    return found.pop() if len(found) == 1 else None


def industries_in(text: str, rule: Rule) -> list[tuple[str, str]]:
    """(term, category) for the industries of the rule's region that `text` names, longest first
    (a term inside a longer one does not count: 新能源汽车 is not 新能源); a term the question
    denies ("非新兴产业") is not named."""
    named = industries_named(text, rule.region_industry_terms or rule.industry_terms)
    norm = normalize_query(text)
    return [(term, category) for term, category in named if not denied(norm, term)]


def industry_terms_in(text: str, rule: Rule) -> list[str]:
    """The terms of the rule's industry categories that `text` names, longest first."""
    return [term for term, category in industries_in(text, rule) if category in rule.industries]


_EACH_ITEM = re.compile(r"(?:每个|每项|每笔|各)[^，,。;；\d]{0,8}$")


def _each_of(text: str, q: Quantity, quantities: Sequence[Quantity]) -> int | None:
    """N when the figure is "each" of N items counted before it ("四个项目，每个都付了400万")."""
    if not _EACH_ITEM.search(text[max(0, q.start - 10) : q.start]):
        return None
    # "跟三所大学各签了一个项目，每个…": one each with N partners is N items.
    partners = _ONE_EACH.search(text, 0, q.start)
    if partners is not None:
        n = chinese_to_decimal(partners["n"])
        return int(n) if 1 < n <= 50 else None
    counts = [
        c
        for c in quantities
        if c.kind == "count" and c.end <= q.start and c.unit in ("个", "项", "笔")
    ]
    return int(counts[-1].value) if counts and 1 < counts[-1].value <= 50 else None


_ONE_EACH = re.compile(
    r"(?P<n>\d+|[两三四五六七八九十]+)(?:所|家|个|位)[^，,。；;\d]{0,12}?各[^，,。；;\d]{0,6}?一(?:个|项|笔)"
)


def _figures(text: str, quantities: Sequence[Quantity]) -> list[Quantity]:
    """The money amounts that are the asker's own figures (not a cap asked about: "最高100万")."""
    return [
        q
        for q in quantities
        if q.kind == "money" and not _CAP_WORDS.search(text[max(0, q.start - 8) : q.start])
    ]


def _per_year(text: str, q: Quantity, quantities: Sequence[Quantity]) -> bool:
    """True for "一年" qualifying an amount in the same phrase ("一年花300万": 300万 per year)."""
    return q.value == 1 and any(
        m.kind == "money" and m.start >= q.end and not _PUNCTUATION.search(text[q.end : m.start])
        for m in quantities
    )


def years_asked(text: str, quantities: Sequence[Quantity] | None = None) -> list[int]:
    """The numbers of years a normalized question speaks of, distinct and ascending.

    "连续三年", "连着三年", "3年" count; "第二年" is an ordinal, not a duration. "一年" that
    qualifies an amount ("一年花300万，连着三年") says the amount is per year, so it yields to
    the duration when the question names one; alone it is the one year asked about.
    """
    if quantities is None:
        quantities = find_quantities(text)
    years = [q for q in quantities if q.kind == "years" and not text[: q.start].endswith("第")]
    durations = {int(q.value) for q in years if not _per_year(text, q, quantities)}
    return sorted(durations or {int(q.value) for q in years})


def pays_one_of_several(rule: Rule) -> bool:
    """Whether a rule pays for one of several, chosen by the asker ("任选一笔纳入备案")."""
    return bool(_CHOOSE_ONE.search(normalize_query("".join(rule.requirements))))


def granted_figures(text: str) -> list[tuple[Quantity, bool]]:
    """The sums a normalized question says were already granted, each with whether it is a
    total of several payers ("省里和市里合计补了48万" → True, "省里已经补了16万" → False)."""
    found: list[tuple[Quantity, bool]] = []
    for figure in find_quantities(text):
        if figure.kind != "money":
            continue
        lead = text[max(0, figure.start - 16) : figure.start]
        if _GRANTED_TOGETHER.search(lead):
            found.append((figure, True))
        elif _GRANTED.search(lead):
            found.append((figure, False))
    return found


def read_inputs(question: str, rule: Rule) -> QuestionReading:
    """Find the values `rule` needs in `question` ("每年300万元，连续三年" → base, years).

    Pure and deterministic: amounts are assigned to inputs by the cue words next to them; what
    cannot be placed with confidence is left missing rather than guessed.
    """
    text = _latest_two_years(normalize_query(question), rule)
    quantities = find_quantities(text)
    inputs: dict[str, Any] = {}
    notes: list[str] = []
    explained: list[str] = []

    money_specs = [s for s in rule.inputs if s.kind == "money"]
    money: list[Quantity] = []
    granted = granted_figures(text)
    cues = {c for spec in money_specs for c in spec.cues}
    for figure in _figures(text, quantities):
        restated = restate(text, figure, rule.formula.yearly_base() is not None)
        if restated.unusable:
            notes.append(restated.unusable)
            continue
        together = next((t for g, t in granted if g.start == figure.start), None)
        if together or (
            together is False and not any(_GRANT_BASE.search(s.label) for s in money_specs)
        ):
            # "省里和市里合计补了48万", "省里已经按比例补了16万": what was granted, not the cost
            # it was granted on; only a rule paying on a grant (1:1 配套, 省奖的50%) reads one.
            notes.append(f"{format_yuan(figure.value)}为已获得的补助，不是计算本项补助的依据")
            continue
        label = _AGREED.search(text[max(0, figure.start - 8) : figure.start])
        if label and not restated.step and not any(label.group(1) in c for c in cues):
            # A sum agreed or planned ("合同额120万") is not a sum paid or spent: no input of
            # the rule names it, so it is not read as one.
            continue
        money.append(restated.quantity)
        if restated.step:
            explained.append(restated.step)
    amounts: dict[str, list[Quantity]] = {}
    if money_specs and money:
        amounts, more = _assign(text, money, money_specs)
        if (
            len(money_specs) == 1
            and len(money) > 1
            and _SEVERAL_OF_ONE.search(text)
            and pays_one_of_several(rule)
        ):
            # "任选一笔": of the several the asker names, the one it would choose (the largest).
            best = max(money, key=lambda q: q.value)
            amounts, more = {money_specs[0].name: [best]}, []
            explained.append(f"条款为任选一笔：按其中金额最大的{format_yuan(best.value)}计")
        notes.extend(more)
        for spec in money_specs:
            found = amounts.get(spec.name)
            if found:
                values = [q.value for q in found]
                times = _each_of(text, found[0], quantities) if len(found) == 1 else None
                if spec.multiple and times:
                    # "四个横向项目，每个都付了四百万": four items of that figure.
                    values = values * times
                    explained.append(f"{times}个项目，每个{format_yuan(found[0].value)}")
                if not spec.multiple and len(values) > 1:
                    # The parts of a period's total (see `_assign`): added, the sum shown.
                    shown = " + ".join(format_yuan(v) for v in values)
                    values = [sum(values, start=type(values[0])(0))]
                    explained.append(f"{spec.label}：{shown} = {format_yuan(values[0])}")
                inputs[spec.name] = values if spec.multiple else values[0]

    for spec in rule.inputs:
        if spec.kind == "years":
            years = years_asked(text, quantities)
            if len(years) == 1:
                inputs[spec.name] = years[0]
            elif len(years) > 1:
                notes.append(f"问题中有多个年数，未能确定{spec.label}")
        elif spec.kind in ("count", "rate"):
            kind = "count" if spec.kind == "count" else "percent"
            numbers = [q for q in quantities if q.kind == kind]
            assigned, more = _assign(text, numbers, [spec])
            notes.extend(more)
            found = assigned.get(spec.name, [])
            if len(found) == 1:
                value = found[0].value
                inputs[spec.name] = int(value) if spec.kind == "count" else value
        elif spec.kind == "tier":
            tier = _tier_from_text(rule, text)
            if tier is not None:
                inputs[spec.name] = tier

    yearly = rule.formula.yearly_base()
    if yearly is not None:
        base, years_input = yearly
        years = inputs.get(years_input)
        found = amounts.get(base, [])
        if isinstance(years, int) and years > 1 and len(found) == 1:
            total = found[0]
            clause = _PUNCTUATION.split(_contexts(text, money, total)[0])[-1]
            if _TOTAL_WORDS.search(clause):
                per_year = round_yuan(total.value / years)
                inputs[base] = per_year
                explained.append(
                    f"{format_yuan(total.value)}为{years}年合计，每年按{format_yuan(per_year)}计"
                )

    if rule.industries:
        terms = industry_terms_in(text, rule)
        if terms:
            inputs["industry"] = terms[0]

    missing = tuple(
        s for s in rule.inputs if s.required and s.default is None and s.name not in inputs
    )
    return QuestionReading(rule.id, inputs, missing, tuple(notes), tuple(explained))


def input_fit(text: str, rule: Rule) -> int:
    """How well the question's figures fit the rule's inputs: the cue lengths beside them."""
    quantities = find_quantities(text)
    groups = (
        (_figures(text, quantities), "money"),
        ([q for q in quantities if q.kind == "count"], "count"),
        ([q for q in quantities if q.kind == "percent"], "rate"),
    )
    fit = 0
    for figures, kind in groups:
        specs = [s for s in rule.inputs if s.kind == kind]
        for q in figures:
            context = "".join(_contexts(text, figures, q))
            fit += max((_cue_score(context, s.cues) for s in specs), default=0)
    return fit
