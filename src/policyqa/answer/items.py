"""Several items or years in one question: one line per item (or year), then the total.

Owns `several_items`: a question naming graded items with counts ("两个省级孵化器、一个省级加
速器", "一个国家级、一个省级") is computed item by item with the rule of the clause that funds
each item, and the lines are added up. An item no rule of the clause funds leaves the question
to the single-rule path (which asks rather than guesses). Owns the per-year paths too: a
figure for each year (`per_year_amounts`) or a count for each year (`per_year_counts`), each
year computed on its own with its own facts, then added up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from policyqa.answer.asking import ASKS_TOTAL
from policyqa.answer.derive import counted_kinds
from policyqa.answer.frame import tiers_in
from policyqa.answer.frame_types import TierMention
from policyqa.answer.quantities import frame_quantities
from policyqa.answer.requirements import ORDINAL_YEAR, contradiction
from policyqa.answer.tallies import years_totalled
from policyqa.rules.calc import CalcResult, compute
from policyqa.rules.formulas import CalcError
from policyqa.rules.model import InputSpec, Rule
from policyqa.rules.money import (
    Quantity,
    chinese_to_decimal,
    find_quantities,
    format_yuan,
    plain_number,
)
from policyqa.text import normalize


def _funds(rule: Rule, item: TierMention) -> dict[str, str] | None:
    """The inputs with which `rule` funds `item`, or None when it does not."""
    about = normalize("".join((*rule.subjects, rule.title, *rule.keywords)))
    if item.subject and item.subject not in about:
        return None
    f = rule.formula
    tier_input = f.tier_input()
    if tier_input is not None:
        for tier in f.tier_options():
            if normalize(tier.name) == item.tier or item.tier in (normalize(c) for c in tier.cues):
                return {tier_input: tier.name}
        return None
    # A formula that reads no input pays one fixed amount for what its rule names.
    if not f.wanted_inputs() and f"{item.tier}{item.subject or ''}" in about:
        return {}
    return None


_TIER_PRICED = re.compile(r"[特一二三]等奖(?:是|为)?\d+(?:\.\d+)?万")


def _distinct(mentions: Iterable[TierMention]) -> list[TierMention]:
    """The items named, a thing said again without a count of its own counted once ("新认定为
    国家级孵化器，泰安那个给国家级孵化器100万的政策"): only a count makes two of one."""
    out: list[TierMention] = []
    for m in mentions:
        same = next((o for o in out if (o.tier, o.subject) == (m.tier, m.subject)), None)
        if same is not None and same.count == 1 and m.count == 1:
            continue
        out.append(m)
    return out


def several_items(text: str, rules: Sequence[Rule]) -> CalcResult | None:
    """The item-by-item total for a normalized question naming two or more graded items."""
    if _TIER_PRICED.search(text):
        # "一等奖20万、二等奖10万": the asker states each grade's sum (a quota the clause pays a
        # share of), so the grades are no items priced by the rule's own amounts.
        return None
    items = _distinct(t for t in tiers_in(text) if t.subject or t.tier.endswith("奖"))
    if not items or sum(t.count for t in items) < 2:
        return None
    steps: list[str] = []
    used: list[Rule] = []
    total = Decimal(0)
    for item in items:
        match = next(((r, i) for r in rules if (i := _funds(r, item)) is not None), None)
        if match is None:
            return None
        rule, inputs = match
        try:
            one = compute(rule, inputs)
        except CalcError:
            return None
        if not one.qualifies:
            return None
        subtotal = one.amount_yuan * item.count
        total += subtotal
        steps.append(
            f"{item.tier}{item.subject or ''}：{format_yuan(one.amount_yuan)} × {item.count}"
            f" = {format_yuan(subtotal)}（{rule.title}）"
        )
        if rule not in used:
            used.append(rule)
    steps.append(f"合计：{format_yuan(total)}")
    return CalcResult(
        rule_id="+".join(r.id for r in used),
        clause_id=used[0].clause_id,
        title="、".join(f"“{r.title}”" for r in used),
        inputs={"items": [f"{t.tier}{t.subject or ''}×{t.count}" for t in items]},
        amount_yuan=total,
        steps=tuple(steps),
        qualifies=True,
        upper_bound=any(r.upper_bound for r in used),
    )


_EVERY_YEAR_OF = re.compile(r"(\d+|[两三四五六七八九十])年(?:都)?每年[^，,。；;？?\d]{0,14}$")


_EVERY_YEAR = re.compile(r"每年[^，,。；;？?\d]{0,14}$")


def _the_one_sum(text: str) -> Quantity | None:
    """The question's money sum when it gives exactly one."""
    sums = [q for q in find_quantities(text) if q.kind == "money"]
    return sums[0] if len(sums) == 1 else None


def _same_each_year(text: str) -> list[Decimal]:
    """The one sum said for each of N years ("连续两年每年用仪器的费用都在300万"), N times; []
    when the question says no such thing, or gives other sums too."""
    one = _the_one_sum(text)
    if one is None:
        return []
    m = _EVERY_YEAR_OF.search(text, 0, one.start)
    if m is None:
        # "去年和今年…每年费用都是400万，两年…一共": the years counted where the total is asked.
        years = years_totalled(text) if _EVERY_YEAR.search(text, 0, one.start) else None
        return [one.value] * years if years and years >= 2 else []
    return [one.value] * int(chinese_to_decimal(m.group(1)))


def _each_year_to_the_one_asked(text: str) -> list[Decimal]:
    """"每年实际付运营经费300万…第三年还能拿多少": the one yearly sum for each year up to the
    one asked, so a cumulative cap leaves that year its part; [] otherwise."""
    one = _the_one_sum(text)
    if one is None or _EVERY_YEAR.search(text, 0, one.start) is None:
        return []
    asked = _year_asked(text, 0)
    return [one.value] * asked if asked and asked >= 2 else []


def per_year_amounts(text: str, rule: Rule) -> CalcResult | None:
    """A rate rule paid year by year, for a question listing a different figure each year
    ("三年分别支付100万、120万、150万"): each year computed on its own (with the per-year and
    per-item caps), then the running total capped (累计最高)."""
    f = rule.formula
    wanted = f.wanted_inputs()
    money = [name for name, kinds in wanted.items() if "money" in kinds]
    # The formula's declared caps, asked of the formula rather than of its class.
    declared = f.model_dump()
    years_input = next((name for name, kinds in wanted.items() if "years" in kinds), None)
    # A rule with no yearly reading of its own is computed year by year when a total over the
    # years listed is asked ("两年实际付利息25万、30万，一共多少").
    yearly = years_input or declared.get("cap_per_year") or ASKS_TOTAL.search(text)
    if len(money) != 1 or not yearly:
        return None
    base = money[0]
    listed = next((q for q in frame_quantities(text) if q.role == "per_year"), None)
    if listed is not None:
        values = [Decimal(v) for v in listed.values]
    else:
        # "连续两年每年…都在300万": one figure for each of N years, for a rule with no yearly
        # reading of its own (its yearly cap applies each year).
        values = _each_year_to_the_one_asked(text) if years_input else _same_each_year(text)
        if not values:
            return None
    steps: list[str] = []
    max_years = declared.get("max_years")
    if max_years and len(values) > max_years:
        steps.append(f"条文最多支持{max_years}年，按前{max_years}年计算")
        values = values[:max_years]
    total = Decimal(0)
    parts: list[Decimal] = []
    for year, value in enumerate(values, start=1):
        try:
            inputs: dict[str, object] = {base: value}
            if years_input:
                inputs[years_input] = 1
            one = compute(rule, inputs)
        except CalcError:
            return None
        if not one.qualifies:
            return None
        total += one.amount_yuan
        parts.append(one.amount_yuan)
        steps.append(f"第{year}年：{format_yuan(value)} → {format_yuan(one.amount_yuan)}")
    amount = total
    cap_total = declared.get("cap_total")
    asked = _year_asked(text, len(values))
    if asked is not None and cap_total is not None:
        return _part_of_year(rule, base, values, parts, asked, Decimal(cap_total), steps)
    if cap_total is not None and total > cap_total:
        amount = Decimal(cap_total)
        label = declared.get("cap_total_label", "累计最高")
        steps.append(f"合计{format_yuan(total)}，{label}{format_yuan(amount)}")
    steps.append(f"合计：{format_yuan(amount)}")
    return _yearly(rule, {base: [str(v) for v in values]}, amount, steps)


# The year a question asks the part of ("第三年付了400万，这年能拿多少", "第三年最多还能拿多少").
_THIS_YEAR = re.compile(r"这一?年|当年|该年")


def _year_asked(text: str, listed: int) -> int | None:
    """The year (1-based) whose part alone a question with `listed` yearly figures asks for, in
    its last sentence part; None when it asks a total or names no one year there."""
    if ASKS_TOTAL.search(text):
        return None
    last = re.split(r"[，,。；;]", text.rstrip("?？ "))[-1]
    ordinal = ORDINAL_YEAR.findall(last)
    if ordinal:
        return int(chinese_to_decimal(ordinal[-1]))
    if _THIS_YEAR.search(last) or last.endswith("呢"):
        before = ORDINAL_YEAR.findall(text)
        return int(chinese_to_decimal(before[-1])) if before else None
    return None


def _part_of_year(
    rule: Rule,
    base: str,
    values: Sequence[Decimal],
    parts: Sequence[Decimal],
    year: int,
    cap_total: Decimal,
    steps: list[str],
) -> CalcResult | None:
    """One year's part under a cumulative cap: that year's own amount, less what the cap has
    left after the years before it; for a year after the figures given ("第三年最多还能拿多少"),
    what the cap has left."""
    if year > len(values) + 1 or year < 1:
        return None
    earlier = sum(parts[: year - 1], start=Decimal(0))
    left = max(cap_total - earlier, Decimal(0))
    label = rule.formula.model_dump().get("cap_total_label", "累计最高")
    done = f"{label}{format_yuan(cap_total)}，前{year - 1}年已支持{format_yuan(earlier)}"
    if year == len(values) + 1:
        amount = left
        steps.append(f"{done}，第{year}年最多还能支持{format_yuan(amount)}")
    else:
        own = parts[year - 1]
        amount = min(own, left)
        steps.append(f"{done}，尚余{format_yuan(left)}")
        steps.append(f"第{year}年：{format_yuan(own)}与尚余额度取小，为{format_yuan(amount)}")
    return _yearly(rule, {base: [str(v) for v in values], "year": year}, amount, steps)


# "连续两年都评了优秀，每年都新培育10家高企": the same count in each of N years.
_EACH_YEARS_COUNT = re.compile(
    r"(\d+|[两三四五六七八九十])年[^。？?]*?每年(?:都)?[^，,。；;？?\d]{0,8}?"
    r"(\d+|[一二两三四五六七八九十]+)家"
)


def _same_count_each_year(text: str, rule: Rule, spec: InputSpec) -> CalcResult | None:
    """Each of N years paid on the same count, the per-year cap applying to each; None unless
    the question says a count for every one of several years and asks their total."""
    m = _EACH_YEARS_COUNT.search(text)
    if m is None or not ASKS_TOTAL.search(text):
        return None
    years = int(chinese_to_decimal(m.group(1)))
    count = chinese_to_decimal(m.group(2))
    if years < 2 or contradiction(text, rule):
        return None
    try:
        one = compute(rule, {spec.name: count})
    except CalcError:
        return None
    total = one.amount_yuan * years
    steps = [
        f"每年{plain_number(count)}家 → {format_yuan(one.amount_yuan)}",
        f"{format_yuan(one.amount_yuan)} × {years}年 = {format_yuan(total)}",
    ]
    return _yearly(rule, {spec.name: [plain_number(count)] * years}, total, steps)


def _yearly(rule: Rule, inputs: dict[str, object], amount: Decimal, steps: list[str]) -> CalcResult:
    """The result of one rule computed year by year."""
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs=inputs,
        amount_yuan=amount,
        steps=tuple(steps),
        qualifies=True,
        upper_bound=rule.upper_bound,
    )


# A year the question speaks of: "2025年", or one said relative to now.
_YEAR_MARK = re.compile(rf"20\d\d年(?!度)|去年|今年|前年|明年|后年|{ORDINAL_YEAR.pattern}")


def per_year_counts(text: str, rule: Rule) -> CalcResult | None:
    """A count rule with a per-year cap, for a question giving a count for each of several
    years ("去年新培育了6家高企，今年新培育了13家"): each year computed on its own, its own facts
    included ("2026年绩效评价只有良好" pays nothing that year), with the cap applying per year;
    then the years added up. None unless two or more years each give a count."""
    specs = [spec for spec in rule.inputs if spec.kind == "count"]
    if len(specs) != 1 or not rule.formula.model_dump().get("cap_per_year"):
        return None
    spec = specs[0]
    marks = list(_YEAR_MARK.finditer(text))
    if len({m.group(0) for m in marks}) < 2:
        return _same_count_each_year(text, rule, spec)
    shared = text[: marks[0].start()]  # facts before the first year hold for every year
    years: list[tuple[str, str, Decimal]] = []
    kind_named = False
    for i, mark in enumerate(marks):
        segment = text[mark.start() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        counted = counted_kinds(segment, spec)
        if counted:
            kind_named = True
            years.append((mark.group(0), segment, sum((q.value for q in counted), Decimal(0))))
            continue
        # A bare count ("今年新培育了13家"): its kind is the one named for an earlier year.
        bare = [q for q in find_quantities(segment) if q.kind == "count" and q.unit == "家"]
        if len(bare) == 1 and kind_named:
            years.append((mark.group(0), segment, bare[0].value))
    if len(years) < 2 or len({label for label, _, _ in years}) < len(years):
        return None
    steps: list[str] = []
    total = Decimal(0)
    for label, segment, count in years:
        reason = contradiction(shared + segment, rule)
        if reason:
            steps.append(f"{label}：{reason}，当年不予补助 → 0元")
            continue
        try:
            one = compute(rule, {spec.name: count})
        except CalcError:
            return None
        total += one.amount_yuan
        capped = "（每年最高限额）" if one.amount_yuan < count * _per_unit(rule) else ""
        steps.append(f"{label}：{plain_number(count)}家 → {format_yuan(one.amount_yuan)}{capped}")
    steps.append(f"合计：{format_yuan(total)}")
    return _yearly(rule, {spec.name: [plain_number(c) for _, _, c in years]}, total, steps)


def _per_unit(rule: Rule) -> Decimal:
    declared = rule.formula.model_dump()
    unit_count = declared.get("unit_count") or 1
    return Decimal(declared.get("amount_per_unit") or 0) / Decimal(unit_count)


# "两级合计要出70万，市级承担多少": one payer's part of a total a rule splits by a ratio (5:2).
_SPLIT_TOTAL = re.compile(
    r"(?:两级|合计|一共|总共|共计)[^，,。；;\d]{0,8}$|(?:补偿|补偿额|补偿金额|金额)(?:是|为|有)$"
)
# Every payer's part asked ("市和区县各自承担多少", "分别出多少").
_EACH_BEARS = re.compile(r"(?:各自|分别|各)(?:要|需|应|得)?(?:承担|出|负担|分担|拿|掏)")
_BEARS = r"(?:要|需|应|需要|得)?(?:承担|出|负担|分担|拿|掏)"


def share_of_total(text: str, rule: Rule) -> CalcResult | None:
    """The part one payer bears of a total the question states, for a rule that splits its
    amount between payers by a ratio (市、区县两级按照5∶2比例分担): the total is divided by
    the ratio; None unless the question states such a total and asks one payer's part."""
    declared = rule.formula.model_dump()
    shares = declared.get("shares") if declared.get("kind") == "split" else None
    if not shares:
        return None
    total = next(
        (
            q
            for q in find_quantities(text)
            if q.kind == "money" and _SPLIT_TOTAL.search(text[max(0, q.start - 14) : q.start])
        ),
        None,
    )
    # A follow-up asking another payer ("…市级出多少，区县那边出多少") asks the latest one.
    at = {i: _payer_asked(text, s["name"]) for i, s in enumerate(shares)}
    latest = max((i for i in at if at[i] >= 0), key=lambda i: at[i], default=None)
    asked = shares[latest] if latest is not None else None
    every = asked is None and bool(_EACH_BEARS.search(text))
    if total is None or (asked is None and not every):
        return None
    whole = sum(int(s["part"]) for s in shares)
    ratio = "∶".join(str(s["part"]) for s in shares)
    steps = [f"合计{format_yuan(total.value)}，按{ratio}分担"]
    parts: dict[str, Decimal] = {}
    for share in shares:
        part = (total.value * int(share["part"]) / whole).quantize(Decimal(1))
        parts[share["name"]] = part
        shown = f"{format_yuan(total.value)} × {share['part']}/{whole} = {format_yuan(part)}"
        steps.append(f"{share['name']}：{shown}")
    payer = asked["name"] if asked else "、".join(parts)
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs={"total_yuan": str(total.value), "payer": payer},
        # Every payer's part asked: the amount is the whole, its parts are in `shares`.
        amount_yuan=parts[asked["name"]] if asked else total.value,
        steps=tuple(steps),
        qualifies=True,
        upper_bound=False,
        shares=parts,
    )


def _payer_asked(text: str, name: str) -> int:
    """Where the question last asks what payer `name` (市级, 区县(功能区)) bears; -1 if never."""
    base = re.sub(r"[(（].*?[)）]|级", "", name)
    forms = {base, *(base if len(base) > 1 else "")}
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    said = "|".join(rf"{re.escape(f)}(?:级|里|财政)?(?:那头|那边|这头|这边|方面)?" for f in ordered)
    return max((m.start() for m in re.finditer(rf"(?:{said}){_BEARS}", text)), default=-1)


# A fixed sum per item ("单个项目…不超过500万元", "每个项目最高50万元") asked of several items
# ("两个揭榜挂帅项目，最多一共能拿多少"): the sum times the count.
_PER_ITEM_LABEL = re.compile(r"^(?:每项|每个项目|单个项目|单项|每家企业|每家)")


# "三个子公司": enterprises counted in 个, as "三家" counts them.
_ENTERPRISE_AFTER = re.compile(r"(?:子公司|分公司|公司|企业)")


def _counts_enterprises(text: str, q: Quantity) -> bool:
    return q.unit == "家" or (q.unit == "个" and _ENTERPRISE_AFTER.match(text, q.end) is not None)


def per_item_total(text: str, rule: Rule) -> CalcResult | None:
    """The most a fixed per-item rule pays for the count of items a normalized question
    states, when it asks their total; None for one item or no total asked."""
    declared = rule.formula.model_dump()
    label = str(declared.get("label") or "")
    if declared.get("kind") != "fixed" or not _PER_ITEM_LABEL.search(label):
        return None
    # "都" too: "两个项目都立项了，最多能拿多少" asks of them all.
    if not (ASKS_TOTAL.search(text) or "都" in text):
        return None
    per_enterprise = "家" in label[:4]
    counts = [
        q
        for q in find_quantities(text)
        if q.kind == "count"
        and q.value >= 2
        and (_counts_enterprises(text, q) if per_enterprise else q.unit in ("个", "项"))
    ]
    # One count, however often it is said ("两个…项目，两项最多一共").
    if len({q.value for q in counts}) != 1:
        return None
    count = counts[0]
    amount = Decimal(declared["amount"])
    total = amount * count.value
    unit = count.unit
    shown = f"{label}{format_yuan(amount)} × {plain_number(count.value)}{unit}"
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs={"count": str(count.value)},
        amount_yuan=total,
        steps=(f"{shown} = {format_yuan(total)}",),
        qualifies=True,
        upper_bound=rule.upper_bound,
    )
