"""Matching questions and enterprise profiles to rules.

A question: pick among the rules the retriever found (`select_rule`, a keyword tie-break), read
the formula's inputs from the text (`read_inputs`), and compute. A profile: every rule that may
apply, with its computed or maximum amount, ordered by amount, with "就高、不重复" applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from policyqa.rules.calc import (
    MAX_AMOUNT_YUAN,
    CalcError,
    Calculation,
    InvalidInputError,
    MissingInputError,
    check_threshold,
    compute,
    maximum_amount,
    round_yuan,
)
from policyqa.rules.money import (
    MoneyParseError,
    Quantity,
    find_quantities,
    format_yuan,
    parse_amount,
    parse_rate,
)
from policyqa.rules.table import (
    SUBJECT_TYPES,
    InputSpec,
    Provision,
    RateFormula,
    Rule,
    RuleBook,
    TieredFormula,
    expand_subjects,
    industries_named,
)
from policyqa.text import normalize, normalize_query

SHANDONG_CITIES = (
    "济南",
    "青岛",
    "淄博",
    "枣庄",
    "东营",
    "烟台",
    "潍坊",
    "济宁",
    "泰安",
    "威海",
    "日照",
    "临沂",
    "德州",
    "聊城",
    "滨州",
    "菏泽",
)
# A money amount right after these words is a cap being asked about, not a figure of the asker.
_CAP_WORDS = re.compile(r"(最高|最多|不超过|上限|封顶|至多)[^,，。;；]{0,3}$")
_CONTEXT = 16
_PUNCTUATION = re.compile(r"[,，。;；?？!！]")
# An amount after these words is a total over the years asked about ("三年一共花了600万").
_TOTAL_WORDS = re.compile(r"一共|总共|共计|合计|总计|累计|累积|共(?=花|支付|付|投入|用)")


class NoRuleSelectedError(CalcError):
    """Several rules fit the question equally well; the message lists them to choose from."""


class ProfileError(Exception):
    """An enterprise profile file that cannot be read or validated; the message says what to fix."""


# --- reading a question ------------------------------------------------------------------------


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
    """The text before `q` back to the previous competing number (at most 16 chars), and a
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
        if spec.multiple or len(candidates) <= 1:
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


def _tier_from_text(rule: Rule, text: str) -> str | None:
    formula = rule.formula
    if not isinstance(formula, TieredFormula):
        return None
    found = {t.name for t in formula.tiers for cue in (t.name, *t.cues) if cue in text}
    return found.pop() if len(found) == 1 else None


def industries_in(text: str, rule: Rule) -> list[tuple[str, str]]:
    """(term, category) for the industries of the rule's region that `text` names, longest first
    (a term inside a longer one does not count: 新能源汽车 is not 新能源)."""
    return industries_named(text, rule.region_industry_terms or rule.industry_terms)


def industry_terms_in(text: str, rule: Rule) -> list[str]:
    """The terms of the rule's industry categories that `text` names, longest first."""
    return [term for term, category in industries_in(text, rule) if category in rule.industries]


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


def read_inputs(question: str, rule: Rule) -> QuestionReading:
    """Find the values `rule` needs in `question` ("每年300万元，连续三年" → base, years).

    Pure and deterministic: amounts are assigned to inputs by the cue words next to them; what
    cannot be placed with confidence is left missing rather than guessed.
    """
    text = normalize_query(question)
    quantities = find_quantities(text)
    inputs: dict[str, Any] = {}
    notes: list[str] = []
    explained: list[str] = []

    money_specs = [s for s in rule.inputs if s.kind == "money"]
    money = _figures(text, quantities)
    amounts: dict[str, list[Quantity]] = {}
    if money_specs and money:
        amounts, more = _assign(text, money, money_specs)
        notes.extend(more)
        for spec in money_specs:
            found = amounts.get(spec.name)
            if found:
                values = [q.value for q in found]
                inputs[spec.name] = values if spec.multiple else values[0]

    for spec in rule.inputs:
        if spec.kind == "years":
            years = years_asked(text, quantities)
            if len(years) == 1:
                inputs[spec.name] = years[0]
            elif len(years) > 1:
                notes.append(f"问题中有多个年数，未能确定{spec.label}")
        elif spec.kind == "count":
            counts = [q for q in quantities if q.kind == "count"]
            assigned, more = _assign(text, counts, [spec])
            notes.extend(more)
            found = assigned.get(spec.name, [])
            if len(found) == 1:
                inputs[spec.name] = int(found[0].value)
        elif spec.kind == "rate":
            rates = [q for q in quantities if q.kind == "percent"]
            assigned, more = _assign(text, rates, [spec])
            notes.extend(more)
            found = assigned.get(spec.name, [])
            if len(found) == 1:
                inputs[spec.name] = found[0].value
        elif spec.kind == "tier":
            tier = _tier_from_text(rule, text)
            if tier is not None:
                inputs[spec.name] = tier

    formula = rule.formula
    if isinstance(formula, RateFormula) and formula.years_input:
        years = inputs.get(formula.years_input)
        found = amounts.get(formula.base, [])
        if isinstance(years, int) and years > 1 and len(found) == 1:
            total = found[0]
            clause = _PUNCTUATION.split(_contexts(text, money, total)[0])[-1]
            if _TOTAL_WORDS.search(clause):
                per_year = round_yuan(total.value / years)
                inputs[formula.base] = per_year
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


Option = Rule | Provision


def _words(option: Option) -> tuple[str, ...]:
    """The words that name an option: its keywords, and a tiered rule's tier names and cues."""
    words = list(option.keywords)
    if isinstance(option, Rule) and isinstance(option.formula, TieredFormula):
        for tier in option.formula.tiers:
            words.extend((tier.name, *tier.cues))
    return tuple(dict.fromkeys(normalize(w) for w in words if w))


def _vocabulary(option: Option) -> str:
    """Everything an option is described by (title, requirements or quote, words)."""
    described = option.requirements if isinstance(option, Rule) else option.quote
    return normalize("\n".join((option.title, *described, *_words(option))))


def _named(text: str, option: Option, others: Sequence[Option]) -> list[str]:
    """The option's words in the question that tell it apart from `others`.

    A word that every other option also speaks of (共享仪器 for both sides of the 创新券, 新认定
    for both the 孵化器 and the 加速器 grant) says nothing about which one is meant.
    """
    vocabularies = [_vocabulary(o) for o in others]
    return [
        w
        for w in _words(option)
        if w in text and not (vocabularies and all(w in v for v in vocabularies))
    ]


def _score(text: str, option: Option, others: Sequence[Option]) -> int:
    score = len(_named(text, option, others))
    if isinstance(option, Rule) and option.industries and industry_terms_in(text, option):
        score += 2
    return score


def _input_fit(text: str, rule: Rule) -> int:
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


def _signals(text: str, rule: Rule) -> int:
    """Independent signs that a question is about `rule`: its words used, its industry named,
    and figures that fit its inputs. One word alone ("新兴产业") is not enough to leave the
    clause the retriever ranked first for a lower-ranked one.
    """
    named = {w for w in _words(rule) if w in text}
    if rule.industries:
        named.update(industry_terms_in(text, rule))
    return len(named) + (1 if _input_fit(text, rule) > 0 else 0)


@dataclass(frozen=True)
class _Choice:
    """What a clause's rules and provisions make of a question."""

    option: Option | None
    named: bool  # the question uses a word that sets the chosen option apart


def _choose(text: str, rules: Sequence[Rule], provisions: Sequence[Provision] = ()) -> _Choice:
    options: list[Option] = [*rules, *provisions]
    if not rules:
        return _Choice(None, False)
    scored = [(_score(text, o, [x for x in options if x is not o]), o) for o in options]
    best = max(score for score, _ in scored)
    top = [o for score, o in scored if score == best]
    tied = [o for o in top if isinstance(o, Rule)]
    if not tied:  # only a provision (support without an amount) fits the question best
        return _Choice(top[0], best > 0)
    if len(tied) > 1:
        fits = [(_input_fit(text, rule), rule) for rule in tied]
        most = max(fit for fit, _ in fits)
        if most > 0:
            tied = [rule for fit, rule in fits if fit == most]
    if len(tied) > 1:
        ids = {rule.id for rule in tied}
        tied = [rule for rule in tied if rule.special_case_of not in ids]
    if len(tied) != 1:
        return _Choice(None, False)
    return _Choice(tied[0], best > 0)


def select_rule(
    question: str, candidates: Sequence[Rule], provisions: Sequence[Provision] = ()
) -> Rule | None:
    """The candidate the question's words point to; None when several fit equally.

    A choice among the rules of the clause the retriever found: the rule whose distinguishing
    words (keywords, tier names, industry) the question uses most wins; words every rule of
    the clause shares do not count. On a tie the rule whose inputs the question's figures fit
    (the cue words beside them) wins, then a general rule over its special case (新兴产业 case
    of 揭榜挂帅). None, too, when the clause's support without an amount (`provisions`,
    一事一议) fits the question better than any rule.
    """
    choice = _choose(normalize_query(question), candidates, provisions)
    return choice.option if isinstance(choice.option, Rule) else None


def calculate_for_question(question: str, candidates: Sequence[Rule]) -> Calculation:
    """Select a rule, read its inputs from the question and compute.

    Raises NoRuleSelectedError when the question does not say which rule, MissingInputError
    naming what to provide, InvalidInputError for impossible values.
    """
    rule = select_rule(question, candidates)
    if rule is None:
        listed = "；".join(f"{r.title}（{r.id}）" for r in candidates)
        raise NoRuleSelectedError(f"问题可能涉及多项政策：{listed}。请说明具体是哪一项")
    reading = read_inputs(question, rule)
    if reading.missing:
        raise MissingInputError(rule.id, reading.missing)
    return compute(rule, reading.inputs)


@dataclass(frozen=True)
class AmountAnswer:
    """A calculator's answer to a question: the rule's clause, the calculation or what is missing.

    `summary` is one Chinese sentence for the answer text; `calculation.to_contract()` is the
    answer contract's `calculation` object.
    """

    clause_id: str
    rule: Rule | None
    calculation: Calculation | None
    missing: tuple[str, ...]
    summary: str


def _summary(rule: Rule, calc: Calculation) -> str:
    if not calc.qualifies:
        return f"按“{rule.title}”的规定，不符合条件：{calc.reason}。"
    bound = "（为条文规定的上限，实际金额以主管部门审核为准）" if calc.upper_bound else ""
    return f"按“{rule.title}”的规定计算，可获{format_yuan(calc.amount_yuan)}{bound}。"


def calculate_from_clauses(
    question: str, clause_ids: Sequence[str], book: RuleBook
) -> AmountAnswer | None:
    """The amount for a question, given the clauses the retriever ranked (best first).

    The top clause decides: its rule the question points to (`select_rule`). A lower-ranked
    clause is used only when the top one cannot decide (it states no rule, or several that the
    question does not tell apart) and the question names one of that clause's rules by its
    distinguishing words, with at least two signs in all (`_signals`). None when no clause
    yields a rule, or when the top clause's support without an amount (一事一议) is what the
    question asks about: the answer is then a lookup.
    """
    if not clause_ids:
        return None
    text = normalize_query(question)
    top_id = clause_ids[0]
    top_rules = book.for_clause(top_id)
    top = _choose(text, top_rules, book.provisions_for(top_id))
    if top.option is not None and not isinstance(top.option, Rule):
        return None
    clause_id, rule = top_id, top.option
    if rule is None:
        for lower_id in clause_ids[1:]:
            lower = _choose(text, book.for_clause(lower_id), book.provisions_for(lower_id))
            if isinstance(lower.option, Rule) and lower.named and _signals(text, lower.option) >= 2:
                clause_id, rule = lower_id, lower.option
                break
    if rule is None:
        if not top_rules:
            return None
        names = " / ".join(r.title for r in top_rules)
        return AmountAnswer(
            top_id,
            None,
            None,
            (f"请说明具体是哪一项（{names}）",),
            f"该条款规定了多项支持：{'；'.join(r.title for r in top_rules)}。",
        )
    reading = read_inputs(question, rule)
    if reading.missing:
        return AmountAnswer(
            clause_id, rule, None, reading.prompts, f"该问题适用“{rule.title}”的规定。"
        )
    try:
        calc = compute(rule, reading.inputs)
    except MissingInputError as e:
        return AmountAnswer(clause_id, rule, None, e.prompts, f"该问题适用“{rule.title}”的规定。")
    except InvalidInputError as e:
        return AmountAnswer(clause_id, rule, None, (str(e),), f"该问题适用“{rule.title}”的规定。")
    read = (*_general_case(text, rule, book.for_clause(clause_id)), *reading.explained)
    if read:
        calc = calc.model_copy(update={"steps": (*read, *calc.steps)})
    return AmountAnswer(clause_id, rule, calc, (), _summary(rule, calc))


def _general_case(text: str, rule: Rule, siblings: Sequence[Rule]) -> list[str]:
    """Why the general rule applies rather than its industry special case (揭榜挂帅: 新兴产业、
    未来产业 have their own threshold and rate): the industry named, or none named."""
    steps: list[str] = []
    for special in siblings:
        if special.special_case_of != rule.id or not special.industries:
            continue
        wanted = "、".join(special.industries)
        named = industries_in(text, special)
        if named:
            term, _ = named[0]
            mismatch = special.industry_mismatch(term)
            if mismatch:
                steps.append(f"{mismatch}，按一般项目的条件计算")
        else:
            steps.append(f"未说明属于{wanted}领域，按一般项目的条件计算（{wanted}领域另有规定）")
    return steps


# --- enterprise profiles -------------------------------------------------------------------------


def _money(value: Any) -> Any:
    """A profile figure as a Decimal; refused here, while the input is still what was sent,
    when it is negative ("-80万元", "负80万元") or not a finite number ("NaN")."""
    if isinstance(value, str):
        text = value.strip()
        # ASCII hyphen, the minus sign U+2212, the full-width hyphen, and 负/負.
        if text.startswith(("-", "\u2212", "\uff0d", "负", "負")):
            raise ValueError(f"金额不能为负数：{text}")
        try:
            number = Decimal(text.replace(",", ""))
        except ArithmeticError:
            try:
                return parse_amount(text)
            except MoneyParseError as e:
                raise ValueError(str(e)) from e
        if not number.is_finite():
            raise ValueError(f"金额不是有效数值：{text}")
        return number
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("金额不是有效数值")
        return Decimal(str(value))
    return value


def _check_money(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("金额不是有效数值")
    if value < 0:
        raise ValueError(f"金额不能为负数：{value}")
    if value > MAX_AMOUNT_YUAN:
        raise ValueError(f"金额{value}超过1万亿元，请检查单位（金额以元为单位）")
    return value


def _rate_value(value: Any) -> Any:
    if isinstance(value, str) and ("%" in value or "百分之" in value):
        try:
            return parse_rate(value)
        except MoneyParseError as e:
            raise ValueError(str(e)) from e
    return _money(value)


Money = Annotated[Decimal, BeforeValidator(_money)]


class EnterpriseProfile(BaseModel):
    """Who is asking: region, subject types, industry, and any figures they already know.

    Figures are keyed by the rules' input names and are in yuan (strings like "300万元" are
    accepted); negative or absurd (> 1万亿元) figures are rejected.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    region: str = Field(min_length=1)
    subject_types: tuple[str, ...] = Field(min_length=1)
    industry: str | None = None
    level: Literal["国家级", "省级"] | None = None
    award_grade: Literal["一等奖", "二等奖"] | None = None
    operating_cost_yuan: Money | None = None
    operating_years: int | None = Field(default=None, ge=1, le=100)
    provincial_award_yuan: Money | None = None
    shared_instrument_fee_yuan: Money | None = None
    service_total_yuan: Money | None = None
    provincial_rd_subsidy_yuan: Money | None = None
    rd_investment_yuan: Money | None = None
    rd_investment_prev_yuan: Money | None = None
    cultivated_count: int | None = Field(default=None, ge=0, le=100_000)
    first_round_investment_yuan: Money | None = None
    investment_loss_yuan: Money | None = None
    bad_loan_principal_loss_yuan: Money | None = None
    provincial_compensation_rate: Annotated[Decimal, BeforeValidator(_rate_value)] | None = Field(
        default=None, ge=0, le=1
    )
    loan_interest_yuan: Money | None = None
    loan_principal_yuan: Money | None = None
    horizontal_project_paid_yuan: tuple[Money, ...] = ()
    project_sci_tech_investment_yuan: Money | None = None

    @field_validator("subject_types")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in SUBJECT_TYPES]
        if unknown:
            raise ValueError(f"未知的主体类型 {unknown}；可选：{'、'.join(SUBJECT_TYPES)}")
        return value

    @field_validator(
        "operating_cost_yuan",
        "provincial_award_yuan",
        "shared_instrument_fee_yuan",
        "service_total_yuan",
        "provincial_rd_subsidy_yuan",
        "rd_investment_yuan",
        "rd_investment_prev_yuan",
        "first_round_investment_yuan",
        "investment_loss_yuan",
        "bad_loan_principal_loss_yuan",
        "loan_interest_yuan",
        "loan_principal_yuan",
        "project_sci_tech_investment_yuan",
    )
    @classmethod
    def _money_range(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _check_money(value)

    @field_validator("horizontal_project_paid_yuan")
    @classmethod
    def _money_list(cls, value: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        return tuple(_check_money(v) for v in value)

    def figures(self) -> dict[str, Any]:
        """The rule inputs this profile gives (only those that are set)."""
        skip = {"name", "region", "subject_types", "industry"}
        out: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if name in skip or value is None or value == ():
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


def load_profile(path: Path) -> EnterpriseProfile:
    """Read an enterprise profile from a JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ProfileError(f"找不到企业画像文件 {path}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path} 不是有效的 UTF-8 JSON：{e}") from e
    try:
        return EnterpriseProfile.model_validate(data)
    except ValidationError as e:
        raise ProfileError(f"{path} 的企业画像有误：{e}") from e


# --- matching ------------------------------------------------------------------------------------

Basis = Literal["computed", "maximum", "unknown"]


@dataclass(frozen=True)
class MatchResult:
    """One rule that may apply to a profile: its amount, why, and what is left to confirm."""

    rule: Rule
    amount_yuan: Decimal | None
    amount_label: str
    basis: Basis
    qualifies: bool
    reason: str | None = None
    calculation: Calculation | None = None
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    superseded_by: str | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def clause_id(self) -> str:
        return self.rule.clause_id

    @property
    def counted(self) -> bool:
        """True when this grant is the one kept under 就高不重复 (or no such provision applies)."""
        return self.qualifies and self.superseded_by is None

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount_yuan
        return {
            "rule_id": self.rule.id,
            "clause_id": self.rule.clause_id,
            "title": self.rule.title,
            "region": self.rule.region,
            "amount_yuan": None
            if amount is None
            else (int(amount) if amount % 1 == 0 else float(amount)),
            "amount_label": self.amount_label,
            "basis": self.basis,
            "qualifies": self.qualifies,
            "reason": self.reason,
            "requirements": list(self.rule.requirements),
            "missing": list(self.missing),
            "notes": list(self.notes),
            "superseded_by": self.superseded_by,
            "calculation": self.calculation.to_contract() if self.calculation else None,
        }


def region_applies(rule_region: str, profile_region: str) -> bool:
    """True when a profile located in `profile_region` falls under a rule of `rule_region`."""
    where = normalize(profile_region)
    parts = re.findall(r"(.+?)(?:省|市|区|县)", normalize(rule_region))
    if not parts:
        return rule_region in where
    if rule_region.endswith("省"):
        province = parts[0]
        return province in where or (
            province == "山东" and any(c in where for c in SHANDONG_CITIES)
        )
    return parts[-1] in where


def subjects_apply(rule: Rule, subject_types: Sequence[str]) -> bool:
    """True when the profile is one of the rule's alternatives ("A+B" needs both)."""
    have = expand_subjects(subject_types)
    return any(set(alt.split("+")) <= have for alt in rule.subjects)


def _failed_threshold(rule: Rule, figures: dict[str, Any]) -> str | None:
    """The reason a known figure already rules the rule out, checking only thresholds it can."""
    for t in rule.thresholds:
        if not all(figures.get(name) is not None for name in t.inputs):
            continue
        if t.growth:
            current, previous = (Decimal(figures[n]) for n in t.growth)
            if previous == 0:
                continue
            value, is_rate = (current - previous) / previous, True
        else:
            value, is_rate = Decimal(figures[t.input or ""]), False
        reason = check_threshold(
            value, t.minimum, strict=t.strict, condition=t.condition, is_rate=is_rate
        )
        if reason:
            return reason
    return None


def _match_one(rule: Rule, profile: EnterpriseProfile) -> MatchResult | None:
    if not region_applies(rule.region, profile.region):
        return None
    if not subjects_apply(rule, profile.subject_types):
        return None
    notes: list[str] = []
    if rule.doc_status == "draft":
        notes.append("所在文件为征求意见稿，尚未正式施行，条款可能调整")
    notes.extend(rule.notes)
    figures = profile.figures()
    if rule.industries and profile.industry:
        figures["industry"] = profile.industry
        reason = rule.industry_mismatch(profile.industry)
        if reason:
            return MatchResult(
                rule, Decimal(0), "不符合", "computed", False, reason, notes=tuple(notes)
            )
    try:
        calc = compute(rule, figures)
    except MissingInputError as e:
        reason = _failed_threshold(rule, figures)
        if reason:
            return MatchResult(
                rule, Decimal(0), "不符合", "computed", False, reason, notes=tuple(notes)
            )
        tier = None
        if isinstance(rule.formula, TieredFormula):
            tier = getattr(profile, rule.formula.input, None)
        amount, label = maximum_amount(rule, tier)
        basis: Basis = "maximum" if amount is not None else "unknown"
        if tier is not None and amount is not None:
            basis = "computed"
        return MatchResult(rule, amount, label, basis, True, missing=e.prompts, notes=tuple(notes))
    except InvalidInputError as e:
        return MatchResult(rule, None, "无法计算", "unknown", True, str(e), notes=tuple(notes))
    if not rule.inputs:
        # Nothing to compute from: the clause states the amount (often a maximum).
        stated, label = maximum_amount(rule)
        basis = "maximum" if rule.upper_bound else "computed"
        return MatchResult(rule, stated, label, basis, True, calculation=calc, notes=tuple(notes))
    label = "按所填数据计算" + ("（最高额度）" if calc.upper_bound else "")
    return MatchResult(
        rule,
        calc.amount_yuan,
        label if calc.qualifies else "不符合",
        "computed",
        calc.qualifies,
        calc.reason,
        calculation=calc,
        notes=tuple(notes),
    )


def _order(result: MatchResult) -> tuple[int, Decimal, str]:
    if not result.qualifies:
        return (2, Decimal(0), result.rule.id)
    if result.amount_yuan is None:
        return (1, Decimal(0), result.rule.id)
    return (0, -result.amount_yuan, result.rule.id)


def match_profile(
    profile: EnterpriseProfile, rules: RuleBook | Sequence[Rule]
) -> list[MatchResult]:
    """Every rule that may apply to `profile`, by amount (computed, else the maximum) descending.

    Under "就高、不重复" only the highest qualifying grant of a group is kept; the others are
    listed with `superseded_by` naming it. Rules ruled out by a known figure come last, with
    the reason.
    """
    items = rules.rules if isinstance(rules, RuleBook) else rules
    results = sorted(
        (r for r in (_match_one(rule, profile) for rule in items) if r is not None), key=_order
    )
    best: dict[str, MatchResult] = {}
    size: dict[str, int] = {}
    for result in results:
        group = result.rule.exclusive_group
        if group and result.qualifies:
            size[group] = size.get(group, 0) + 1
            if result.amount_yuan is not None:
                best.setdefault(group, result)
    final: list[MatchResult] = []
    for result in results:
        group = result.rule.exclusive_group
        if not group or not result.qualifies or size.get(group, 0) < 2:
            final.append(result)
            continue
        top = best.get(group)
        clause = result.rule.exclusive_clause_id
        if top is result:
            note = f"同一企业符合本文件多项政策的，按“就高、不重复”原则只取最高一项（{clause}）"
            final.append(_with(result, note=note))
        elif top is not None and result.amount_yuan is not None:
            note = f"按“就高、不重复”原则（{clause}），与更高的“{top.rule.title}”不叠加"
            final.append(_with(result, note=note, superseded_by=top.rule.id))
        else:
            note = f"按“就高、不重复”原则（{clause}），与本文件其他政策不叠加，只取最高一项"
            final.append(_with(result, note=note))
    return final


def _with(result: MatchResult, *, note: str, superseded_by: str | None = None) -> MatchResult:
    return MatchResult(
        rule=result.rule,
        amount_yuan=result.amount_yuan,
        amount_label=result.amount_label,
        basis=result.basis,
        qualifies=result.qualifies,
        reason=result.reason,
        calculation=result.calculation,
        missing=result.missing,
        notes=(*result.notes, note),
        superseded_by=superseded_by,
    )


def match_provisions(profile: EnterpriseProfile, book: RuleBook) -> list[Provision]:
    """Support without a stated amount (一事一议 …) that the profile's region and type fit."""
    have = expand_subjects(profile.subject_types)
    return [
        p
        for p in book.provisions
        if region_applies(p.region, profile.region) and any(s in have for s in p.subjects)
    ]


@dataclass(frozen=True)
class MatchReport:
    """A profile's matches plus the amount-less provisions, ready to print or serialize."""

    results: list[MatchResult]
    provisions: list[Provision] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Chinese lines, one per rule, for a terminal."""
        out: list[str] = []
        for i, r in enumerate(self.results, 1):
            amount = "金额未定" if r.amount_yuan is None else format_yuan(r.amount_yuan)
            head = f"{i}. {r.rule.title}：{r.amount_label} {amount}"
            if not r.qualifies:
                head += f"（不符合：{r.reason}）"
            out.append(f"{head}  [{r.rule.clause_id}]")
            for note in r.notes:
                out.append(f"   - {note}")
            if r.missing:
                out.append(f"   - 精确计算还需：{'；'.join(r.missing)}")
        for p in self.provisions:
            out.append(f"* {p.title}：未规定金额  [{p.clause_id}]")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`policyqa match --json`, `POST /match`)."""
        return {
            "results": [r.to_dict() for r in self.results],
            "provisions": [
                {"clause_id": p.clause_id, "title": p.title, "region": p.region}
                for p in self.provisions
            ],
        }


def match_report(profile: EnterpriseProfile, book: RuleBook) -> MatchReport:
    """`match_profile` plus `match_provisions` in one object (what `policyqa match` prints)."""
    return MatchReport(match_profile(profile, book), match_provisions(profile, book))
