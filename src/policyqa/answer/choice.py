"""Choosing the rule a question is about among the rules of the clauses the retriever found.

Owns the scoring: the words that tell a clause's rules and provisions apart (keywords, tier
names, industry), the fit of the question's figures to each rule's inputs, and the signs needed
to leave the top-ranked clause for a lower-ranked one. Never reads figures into inputs
(`answer.reading`) and never computes (`rules.calc`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from policyqa.answer.frame import attributes_in
from policyqa.answer.reading import industry_terms_in, input_fit
from policyqa.rules.model import Provision, Rule
from policyqa.text import normalize, normalize_query

Option = Rule | Provision


def _words(option: Option) -> tuple[str, ...]:
    """The words that name an option: its keywords, and a tiered rule's tier names and cues."""
    words = list(option.keywords)
    if isinstance(option, Rule):
        for tier in option.formula.tier_options():
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


# Grade words describe a thing; the thing's own name (院士工作站) says more of which rule is
# meant ("院士工作站，认定的是市级" is the platform rule's thing at a grade it does not pay).
_GRADE_WORDS = frozenset({"国家级", "省级", "市级", "区县级", "省级及以上", "国家级及以上"})


def _score(text: str, option: Option, others: Sequence[Option]) -> int:
    named = _named(text, option, others)
    score = sum(1 if w in _GRADE_WORDS else 2 for w in named)
    if isinstance(option, Rule) and option.industries and industry_terms_in(text, option):
        score += 4
    return score


def signals(text: str, rule: Rule) -> int:
    """Independent signs that a question is about `rule`: its words used, its industry named,
    and figures that fit its inputs. One word alone ("新兴产业") is not enough to leave the
    clause the retriever ranked first for a lower-ranked one.
    """
    named = {w for w in _words(rule) if w in text}
    if rule.industries:
        named.update(industry_terms_in(text, rule))
    return len(named) + (1 if input_fit(text, rule) > 0 else 0)


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2) if _cjk(text[i : i + 3])}


def common_trigrams(rules: Sequence[Rule], share: float = 0.12) -> frozenset[str]:
    """Three-character pieces that many rules are described by (一次性, 资金支持, 科技型): a
    question sharing only such a piece with a rule does not name that rule."""
    counts: dict[str, int] = {}
    for rule in rules:
        for piece in _trigrams(_vocabulary(rule)):
            counts[piece] = counts.get(piece, 0) + 1
    floor = max(2, round(share * len(rules)))
    return frozenset(piece for piece, n in counts.items() if n >= floor)


def shares_words(question: str, rule: Rule, common: Collection[str] = ()) -> bool:
    """Whether a question uses any word of the rule (keyword, tier name or cue, industry): a
    rule whose words the question shares none of is not what it asks about, however well the
    retriever ranked its clause."""
    text = normalize_query(question)
    if any(w in text for w in _words(rule)):
        return True
    if rule.industries and industry_terms_in(text, rule):
        return True
    # Its title and requirements, three characters at a time ("首轮投了" shares 首轮投 with
    # 首轮投资): a question paraphrasing the rule still names it. Pieces many rules share
    # (`common`: 一次性, 资金支持) name none of them.
    return bool((_trigrams(text) & _trigrams(_vocabulary(rule))) - set(common))


def _cjk(chunk: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in chunk)


def rule_words(rules: Sequence[Rule]) -> dict[str, frozenset[str]]:
    """doc id → every word its rules are named by: what the table funds there (横向项目 …)."""
    words: dict[str, set[str]] = {}
    for rule in rules:
        words.setdefault(rule.clause_id.split(":", 1)[0], set()).update(_words(rule))
    return {doc: frozenset(ws) for doc, ws in words.items()}


@dataclass(frozen=True)
class Choice:
    """What a clause's rules and provisions make of a question."""

    option: Option | None
    named: bool  # the question uses a word that sets the chosen option apart


def choose(text: str, rules: Sequence[Rule], provisions: Sequence[Provision] = ()) -> Choice:
    """Which of one clause's rules and provisions a normalized question is about (`select_rule`
    says how); no option when the clause states no rule or the question does not tell them
    apart."""
    options: list[Option] = [*rules, *provisions]
    if not rules:
        return Choice(None, False)
    scored = [(_score(text, o, [x for x in options if x is not o]), o) for o in options]
    best = max(score for score, _ in scored)
    top = [o for score, o in scored if score == best]
    tied = [o for o in top if isinstance(o, Rule)]
    if not tied:  # only a provision (support without an amount) fits the question best
        return Choice(top[0], best > 0)
    if len(tied) > 1:
        # The thing a rule pays for, named (加速器), outweighs a grade word another rule lists
        # (国家级 of the 孵化器 grant): "国家级加速器" is about the 加速器 rule.
        paying = [rule for rule in tied if _own_subject_named(text, rule, tied)]
        if paying:
            tied = paying
    if len(tied) > 1:
        fits = [(input_fit(text, rule), rule) for rule in tied]
        most = max(fit for fit, _ in fits)
        if most > 0:
            tied = [rule for fit, rule in fits if fit == most]
    if len(tied) > 1:
        ids = {rule.id for rule in tied}
        tied = [rule for rule in tied if rule.special_case_of not in ids]
    if len(tied) != 1:
        return Choice(None, False)
    return Choice(tied[0], best > 0)


def _own_subject_named(text: str, rule: Rule, tied: Sequence[Rule]) -> bool:
    """Whether the question names a subject of `rule` that no other tied rule has."""
    others = {s for o in tied if o is not rule for part in o.subjects for s in part.split("+")}
    own = {s for part in rule.subjects for s in part.split("+")} - others
    # A short or shared-stem subject (企业 of 中小微企业) names no one rule.
    own = {s for s in own if len(s) >= 3 and not any(s in o for o in others)}
    # The asker's kind said in other words (中小企业 for 中小微企业) names it too.
    stated = {a.name for a in attributes_in(text) if a.polarity == "positive"}
    return any(normalize(s) in text or s in stated for s in own)


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
    choice = choose(normalize_query(question), candidates, provisions)
    return choice.option if isinstance(choice.option, Rule) else None
