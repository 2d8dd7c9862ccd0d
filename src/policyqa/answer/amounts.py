"""The amount a question asks about: choose the rule, read its inputs, compute, explain.

Owns `calculate_from_clauses` (what the engine's calculator answers from the clauses the
retriever ranked), `AmountAnswer` with its one-sentence summary, and the steps that say how a
figure was read or why a general rule applies rather than its special case. Never retrieves and
never writes the answer around it (`answer.compose`); the arithmetic is `rules.calc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.choice import choose, select_rule, signals
from policyqa.answer.derive import derive_inputs, summed_counts
from policyqa.answer.items import (
    per_item_total,
    per_year_amounts,
    per_year_counts,
    several_items,
    share_of_total,
)
from policyqa.answer.layers import LayerPrompt, layered_share, layered_summary
from policyqa.answer.projects import project_questions
from policyqa.answer.reading import (
    QuestionReading,
    industries_in,
    pays_one_of_several,
    read_inputs,
)
from policyqa.answer.requirements import (
    contradiction,
    not_eligible,
    unfunded_grade,
    unstated_conditions,
)
from policyqa.answer.stated import stated_limit
from policyqa.rules.calc import CalcResult, compute, failed_threshold
from policyqa.rules.formulas import CalcError, InvalidInputError, MissingInputError
from policyqa.rules.model import Rule
from policyqa.rules.money import format_yuan
from policyqa.rules.table import RuleBook
from policyqa.text import normalize_query

# How `rules.calc` marks a requirement it could not check (须属于…领域（未核实）).
UNVERIFIED = "（未核实）"


class NoRuleSelectedError(CalcError):
    """Several rules fit the question equally well; the message lists them to choose from."""


def calculate_for_question(question: str, candidates: Sequence[Rule]) -> CalcResult:
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
    calculation: CalcResult | None
    missing: tuple[str, ...]
    summary: str
    # The grade asked for that the rule's list of grades does not pay (国家级加速器): no
    # clause covers it, so the answer abstains rather than state the rule's 0.
    unfunded: str = ""


def _general_rule(rule: Rule, siblings: Sequence[Rule]) -> Rule | None:
    """The rule of the same clause that `rule` is a narrower case of: named by a subset of its
    words (揭榜挂帅, 科技投入 ⊂ 揭榜挂帅, 科技投入, 新兴产业, 未来产业)."""
    words = set(rule.keywords)
    wider = [r for r in siblings if r is not rule and set(r.keywords) < words]
    return wider[0] if len(wider) == 1 else None


def _summary(rule: Rule, calc: CalcResult) -> str:
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
    projects = _several_projects(text, clause_ids, book)
    if projects is not None:
        return projects
    top = choose(text, top_rules, book.provisions_for(top_id))
    if top.option is not None and not isinstance(top.option, Rule):
        return None
    clause_id, rule = top_id, top.option
    if rule is None:
        for lower_id in clause_ids[1:]:
            lower = choose(text, book.for_clause(lower_id), book.provisions_for(lower_id))
            if isinstance(lower.option, Rule) and lower.named and signals(text, lower.option) >= 2:
                clause_id, rule = lower_id, lower.option
                break
    if rule is None:
        if not top_rules:
            return None
        # Items of several of the clause's rules ("一个国家级孵化器和两个省级加速器"): each
        # item is paid by its own rule, so no one rule need be chosen.
        items = several_items(text, top_rules)
        used = [book.get(i) for i in items.rule_id.split("+")] if items else []
        if items is not None and not any(contradiction(text, r) for r in used):
            return AmountAnswer(top_id, used[0], items, (), _items_summary(items))
        names = " / ".join(r.title for r in top_rules)
        return AmountAnswer(
            top_id,
            None,
            None,
            (f"请说明具体是哪一项（{names}）",),
            f"该条款规定了多项支持：{'；'.join(r.title for r in top_rules)}。",
        )
    rule = _special_case_met(question, rule, book.for_clause(clause_id))
    # One payer's part of a stated total (两级合计70万，市级承担多少) is the rule's ratio of it.
    share = share_of_total(text, rule)
    if share is not None:
        payer, part = share.inputs["payer"], format_yuan(share.amount_yuan)
        said = f"按“{rule.title}”的规定，{payer}承担{part}。"
        if len(share.shares) > 1 and payer not in share.shares:
            each = "，".join(f"{name}承担{format_yuan(v)}" for name, v in share.shares.items())
            said = f"按“{rule.title}”的规定，{each}。"
        return AmountAnswer(clause_id, rule, share, (), said)
    # A count for each year is computed year by year, each year with its own facts.
    yearly = per_year_counts(text, rule)
    if yearly is not None:
        return AmountAnswer(clause_id, rule, yearly, (), _items_summary(yearly))
    # Facts that rule the asker out come before any figure: a number is never given then.
    ruled_out = contradiction(text, rule)
    general = _general_rule(rule, book.for_clause(clause_id)) if ruled_out else None
    if general is not None and not contradiction(text, general):
        # The facts rule out a narrower case (揭榜挂帅 in 新兴产业) of a rule whose general case
        # (揭榜挂帅) they do not: the general case is the rule asked about.
        rule, ruled_out = general, None
    if ruled_out:
        calc = not_eligible(rule, ruled_out)
        unfunded = unfunded_grade(text, rule)
        asked = unfunded[1] if unfunded else ""
        return AmountAnswer(clause_id, rule, calc, (), _summary(rule, calc), asked)
    items = (
        several_items(text, book.for_clause(clause_id))
        or per_year_amounts(text, rule)
        or per_item_total(text, rule)
    )
    if items is not None:
        return AmountAnswer(clause_id, rule, items, (), _items_summary(items))
    reading = summed_counts(text, rule, derive_inputs(text, rule, read_inputs(question, rule)))
    # Another level's part of the same cost (省里), both parts, or a part from a grant received.
    layered = layered_share(text, rule, reading)
    if isinstance(layered, LayerPrompt):
        return AmountAnswer(
            clause_id, rule, None, layered.prompts, f"该问题适用“{rule.title}”的规定。"
        )
    if layered is not None:
        return AmountAnswer(clause_id, rule, layered, (), layered_summary(rule, layered))
    if reading.missing:
        # "单个项目最多支持多少", "不低于多少才符合": the rule's own cap or threshold is asked.
        limit = stated_limit(text, rule, _sums_are_threshold_facts(rule, reading))
        if limit is not None:
            said = limit.steps[0].split("：", 1)[-1]
            return AmountAnswer(clause_id, rule, limit, (), f"按“{rule.title}”的规定，{said}。")
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
    conditions = unstated_conditions(text, rule) if calc.qualifies else ()
    if not conditions:
        return AmountAnswer(clause_id, rule, calc, (), _summary(rule, calc))
    # The answer's first words state the conditions; the calculator's "（未核实）" step becomes
    # the condition it could not check (the other steps stay as computed).
    industry = next((c for c in conditions if c.startswith("若项目属于")), None)
    steps = tuple(
        (industry or s.removesuffix(UNVERIFIED)) if s.endswith(UNVERIFIED) else s
        for s in calc.steps
    )
    calc = calc.model_copy(update={"steps": steps})
    return AmountAnswer(
        clause_id, rule, calc, (), f"{'；'.join(conditions)}，{_summary(rule, calc)}"
    )


def _several_projects(text: str, clause_ids: Sequence[str], book: RuleBook) -> AmountAnswer | None:
    """Projects described one after another ("一个是…；另一个是…"), each computed as its own
    question, then added up; None unless every project gets a calculation. Not for a rule
    that takes several projects' figures itself (its caps over all of them apply there)."""
    questions = project_questions(text)
    rules = book.for_clause(clause_ids[0])
    if questions is None or any(spec.multiple for r in rules for spec in r.inputs):
        return None
    if any(pays_one_of_several(r) for r in rules):
        # One of the loans is paid for (任选一笔), not each: the rule's own reading decides.
        return None
    found = [calculate_from_clauses(q, clause_ids, book) for q in questions]
    done = [(a, a.calculation) for a in found if a is not None and a.calculation is not None]
    if len(done) != len(questions) or any(a.unfunded or a.rule is None for a, _ in done):
        return None
    if any(a.rule.formula.wanted_inputs() and not calc.inputs for a, calc in done if a.rule):
        return None  # a cap the rule states, read off a project given no figure: not its sum
    used = list({a.rule.id: a.rule for a, _ in done if a.rule is not None}.values())
    steps: list[str] = []
    for n, (answer, calc) in enumerate(done, start=1):
        steps.append(f"项目{n}：{answer.summary}")
        steps.extend(f"  {s}" for s in calc.steps)
    total = sum((calc.amount_yuan for _, calc in done), Decimal(0))
    steps.append(f"合计：{format_yuan(total)}")
    calc = CalcResult(
        rule_id="+".join(r.id for r in used),
        clause_id=done[0][1].clause_id,
        title="、".join(f"“{r.title}”" for r in used),
        inputs={"projects": [str(c.amount_yuan) for _, c in done]},
        amount_yuan=total,
        steps=tuple(steps),
        qualifies=True,
        upper_bound=any(c.upper_bound for _, c in done),
    )
    return AmountAnswer(done[0][1].clause_id, used[0], calc, (), _items_summary(calc))


def _items_summary(calc: CalcResult) -> str:
    title = calc.title if calc.title.startswith("“") else f"“{calc.title}”"
    bound = "（为条文规定的上限，实际金额以主管部门审核为准）" if calc.upper_bound else ""
    return f"按{title}的规定逐项计算，合计可获{format_yuan(calc.amount_yuan)}{bound}。"


def _special_case_met(question: str, rule: Rule, siblings: Sequence[Rule]) -> Rule:
    """A special case of `rule` whose every threshold the stated figures meet ("研发投入去年
    600万、今年1300万" for 连续两年超过500万且增长超过100%) is the rule the question is about,
    with its own cap; else `rule`."""
    text = normalize_query(question)
    for special in siblings:
        if special.special_case_of != rule.id or not special.thresholds:
            continue
        reading = derive_inputs(text, special, read_inputs(question, special))
        needed = {name for t in special.thresholds for name in t.inputs}
        if any(reading.inputs.get(name) is None for name in needed):
            continue
        try:
            if failed_threshold(special, reading.inputs) is None:
                return special
        except InvalidInputError:
            continue
    return rule


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


def _sums_are_threshold_facts(rule: Rule, reading: QuestionReading) -> bool:
    """True when every sum read from the question is a figure the rule's thresholds test, and
    they meet them (研发投入600万 then 1500万, for "连续两年超过500万且增长超过100%"), while what
    the rule pays on is still missing: its cap is then the most the asker can get."""
    tested = {name for t in rule.thresholds for name in t.inputs}
    money = {spec.name for spec in rule.inputs if spec.kind == "money"}
    sums = {n for n, v in reading.inputs.items() if v is not None and n in money}
    if not sums or not sums <= tested or any(spec.name in tested for spec in reading.missing):
        return False
    try:
        return failed_threshold(rule, reading.inputs, known_only=True) is None
    except InvalidInputError:
        return False
