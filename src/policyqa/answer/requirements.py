"""Checking a rule's requirements against the facts a question states about the asker.

Owns `contradiction` (why the question rules the asker out of a rule: a subject type it denies
being — "不是科技型中小企业" under a rule for 科技型中小企业 —, a grade the rule does not fund —
a 市级孵化器 where only 国家级/省级 are —, an industry the rule's region classifies outside the
rule's categories — 钢铁 under a 新兴产业 rule) and `not_eligible` (the amount-0 result that
quotes the requirement). A requirement the question says nothing about is not a contradiction:
it is a condition the amount is stated under (`unstated_conditions`).
Never chooses the rule and never computes an amount (`rules.calc`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from policyqa.answer.frame import attributes_in, denied, grant_subjects, tiers_in, vocabulary
from policyqa.answer.frame_types import TierMention
from policyqa.answer.reading import industries_in
from policyqa.resources import data_file
from policyqa.rules.calc import CalcResult
from policyqa.rules.model import Rule, expand_subjects
from policyqa.rules.money import chinese_to_decimal
from policyqa.text import names_by_ends, normalize

# Grades from highest to lowest; "省级及以上" admits the first two.
LEVELS = ("国家级", "省级", "市级", "区县级")
_AT_LEAST = re.compile(r"(国家级|省级|市级|区县级)(?:及)?以上")
# A district's or a county's grade is the one level below a city's, however it is said.
_LEVEL_OF = {"区级": "区县级", "县级": "区县级"}
# Words that state what the asker is ("我们是一家…", "作为…"), for a type outside the rule.
_IDENTITY = re.compile(
    r"(?:我们|我|本单位|我单位|我司|本公司)(?:是|属于|作为)(?:一家|一个|一所)?$|作为(?:一家|一个)?$"
)
# Subject families that exclude each other: an asker of one is never a subject of another.
_FAMILIES = ("企业", "孵化载体", "投资机构", "高校院所", "金融机构", "个人")


class Conflict(BaseModel):
    """A requirement wording and the question wordings that contradict it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    requires: str = Field(min_length=2)
    denied_by: tuple[str, ...] = Field(min_length=1)
    # A form of wording that contradicts it too ("2020年就认定的", "五年前就被认定为").
    denied_pattern: str = ""
    # Whether an answer that does not mention the requirement states it as its condition; not
    # for one every asker of the rule meets by asking (a 贴息 is asked by one with a loan).
    conditional: bool = True

    @field_validator("denied_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as e:
            raise ValueError(f"denied_pattern is no regular expression: {e}") from e
        return pattern

    def said(self, text: str) -> str | None:
        """The wording of a normalized text that contradicts the requirement, if any."""
        # "不是并购资金" says the opposite of "并购资金": a denied wording does not count.
        word = next((w for w in self.denied_by if w in text and not denied(text, w)), None)
        if word is None and self.denied_pattern:
            m = re.search(self.denied_pattern, text)
            # A requirement the text affirms ("通过了国家级审定") is not denied by a wording
            # elsewhere that would otherwise read as its opposite ("省级审定"); the words the
            # denial itself holds ("还没到规模以上") affirm nothing.
            outside = text[: m.start()] + "|" + text[m.end() :] if m else text
            affirmed = self.requires in outside and not denied(outside, self.requires)
            word = m.group(0) if m and not affirmed else None
        return word


class _Conflicts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    conflict: tuple[Conflict, ...]


@lru_cache(maxsize=1)
def conflicts() -> tuple[Conflict, ...]:
    """``data/requirement_conflicts.toml``, validated at load."""
    with data_file("requirement_conflicts.toml").open("rb") as f:
        return _Conflicts.model_validate(tomllib.load(f)).conflict


def _subject_denied(text: str, rule: Rule) -> str | None:
    stated = attributes_in(text)
    denied = [a for a in stated if a.polarity == "negative"]
    # What the asker says it is ("一家大型国有企业") rules out alternatives of another family
    # (an enterprise is no 创业团队), so a denial need only cover the rest.
    families = {f for a in stated if a.polarity == "positive" and (f := _asker_family(a.name))}
    for attribute in denied:
        # Every alternative of the rule's subjects needs the denied type (or a narrower one),
        # or is of a kind the asker says it is not.
        if all(
            any(attribute.name in expand_subjects([part]) for part in alternative.split("+"))
            or _other_family(alternative, families)
            for alternative in rule.subjects
        ):
            return f"本条支持对象为{'或'.join(rule.subjects)}，而问题中说明“{attribute.text}”"
    return None


def _family(subject: str) -> str | None:
    broad = expand_subjects([subject])
    return next((f for f in _FAMILIES if f in broad), None)


def _asker_family(name: str) -> str | None:
    """The family of a stated kind of asker: its own (科技型中小企业 → 企业), or the family word
    its name ends with (国有企业 → 企业)."""
    return _family(name) or next((f for f in _FAMILIES if name.endswith(f)), None)


def _other_family(alternative: str, families: set[str]) -> bool:
    """True when the asker's stated family is none that `alternative` belongs to."""
    if not families:
        return False
    parts = alternative.split("+")
    belongs = {f for part in parts for f in _FAMILIES if f in expand_subjects([part])}
    return not (belongs & families)


def _identity_outside(text: str, rule: Rule) -> str | None:
    """An asker who says what it is ("我们是一家投资机构") of a family no alternative admits."""
    admitted = {_family(part) for alternative in rule.subjects for part in alternative.split("+")}
    for attribute in attributes_in(text):
        if attribute.polarity != "positive":
            continue
        i = text.find(attribute.text)
        if i < 0 or not _IDENTITY.search(text[max(0, i - 8) : i]):
            continue
        family = _family(attribute.name)
        if family and family not in admitted:
            return f"本条支持对象为{'或'.join(rule.subjects)}，而问题中说明是{attribute.name}"
    return None


def _wording_denied(text: str, rule: Rule) -> str | None:
    described = normalize("".join((*rule.requirements, rule.title, *rule.quote)))
    for conflict in conflicts():
        if conflict.requires not in described:
            continue
        said = conflict.said(text)
        if said:
            return f"本条要求“{conflict.requires}”，而问题中说明“{said}”"
    return None


def unfunded_grade(text: str, rule: Rule) -> tuple[str, str] | None:
    """(what the rule pays, what was asked) when the normalized question asks about a grade of
    the thing above every grade a rule listing its grades pays: 国家级加速器 for a rule of
    新认定省级加速器, 特等奖 for 一等奖 and 二等奖. No clause funds that grade, so the corpus
    does not cover it. A grade below them (市级孵化器 for 国家级、省级孵化器) or below a floor
    (省级及以上) is an asker ruled out instead (`_tier_not_funded`)."""
    found = _grade_outside_list(text, rule)
    if found is None or _below_every(found):
        return None
    return found


# Grades from the highest: a grade below every one a rule pays does not qualify (市级孵化器
# for 国家级、省级孵化器, 三等奖 for 一等奖、二等奖); one above them (国家级加速器 for a 省级
# one, 特等奖) is one the documents do not address.
_GRADE_ORDER = ("特等奖", "一等奖", "二等奖", "三等奖", *LEVELS)


def _below_every(found: tuple[str, str]) -> bool:
    paid, asked = found
    rank = {g: i for i, g in enumerate(_GRADE_ORDER)}
    asked_rank = [rank[g] for g in _GRADE_ORDER if asked.startswith(g)]
    paid_ranks = [rank[g] for g in _GRADE_ORDER if g in paid]
    return bool(asked_rank and paid_ranks and asked_rank[0] > max(paid_ranks))


# "院士工作站，认定的是市级": the grade said after the thing it grades.
_GRADE_SAID_AFTER = re.compile(
    r"(?:认定|评定|评为|批准|获批)(?:的|为|成)?(?:是|为)?了?(?P<tier>国家级|省级|市级|区级|县级)"
    r"(?!及|以上|[\u4e00-\u9fff]{0,2}(?:财政|资金))"
)


def _graded(text: str) -> list[TierMention]:
    """The grades a text mentions, 区级 and 县级 read as the 区县级 of `LEVELS`; a grade said
    after its thing ("刚建了一个院士工作站，认定的是市级") is that thing's."""
    found = list(tiers_in(text))
    for m in _GRADE_SAID_AFTER.finditer(text):
        before = text[max(0, m.start() - 16) : m.start()]
        named = [(before.rfind(s), s) for s in grant_subjects() if s in before]
        if named and not any(t.tier == m.group("tier") and t.subject for t in found):
            found.append(TierMention(m.group("tier"), max(named)[1]))
    return [replace(t, tier=_LEVEL_OF.get(t.tier, t.tier)) for t in found]


def _grade_outside_list(text: str, rule: Rule) -> tuple[str, str] | None:
    funded = [normalize(t.name) for t in rule.formula.tier_options()]
    mentioned = _graded(text)
    awards = [t.tier for t in mentioned if t.tier.endswith("等奖")]
    if awards and funded and all(f.endswith("等奖") for f in funded):
        if not any(a in funded for a in awards):
            return "、".join(funded), awards[0]
        return None
    about = set(rule.subjects) | {w for w in rule.keywords} | {rule.title}
    asked = [t for t in mentioned if t.subject and any(t.subject in a for a in about)]
    asked = [t for t in asked if t.tier in LEVELS]
    if not asked:
        return None
    if rule.formula.tier_input() is None:
        if _AT_LEAST.search(normalize("".join(rule.requirements))):
            return None
        # A rule for one grade of a thing ("新认定省级加速器"): another grade of that thing
        # (国家级加速器) is not what it pays for.
        described = normalize("；".join((rule.title, *rule.requirements)))
        for t in asked:
            named = _levels_of(t.subject, described)
            if named and t.tier not in named:
                paid = "、".join(f"{lv}{t.subject}" for lv in LEVELS if lv in named)
                return paid, f"{t.tier}{t.subject}"
        return None
    if any(t.tier in funded for t in asked) or not any(f in LEVELS for f in funded):
        return None
    return "、".join(funded), "、".join(f"{t.tier}{t.subject}" for t in asked)


_SEGMENT_END = re.compile(r"[，,；;。]")


def _levels_of(subject: str, described: str) -> set[str]:
    """The grades a rule's text gives a thing: every level word before it in its phrase, as a
    list shares one ("市级临床医学研究中心、重点实验室、新型研发机构" makes each of them 市级)."""
    found: set[str] = set()
    for m in re.finditer(re.escape(subject), described):
        start = max((b.end() for b in _SEGMENT_END.finditer(described, 0, m.start())), default=0)
        found.update(lv for lv in LEVELS if lv in described[start : m.start()])
    return found


def _tier_not_funded(text: str, rule: Rule) -> str | None:
    unfunded = _grade_outside_list(text, rule)
    if unfunded:
        return f"本条只支持{unfunded[0]}，问题所述为{unfunded[1]}"
    if rule.formula.tier_input() is not None:
        return None
    floor = _AT_LEAST.search(normalize("".join(rule.requirements)))
    about = set(rule.subjects) | {w for w in rule.keywords} | {rule.title}
    asked = [t for t in _graded(text) if t.subject and any(t.subject in a for a in about)]
    asked = [t for t in asked if t.tier in LEVELS]
    if floor is None or not asked:
        return None
    lowest = LEVELS.index(floor.group(1))
    if any(LEVELS.index(t.tier) <= lowest for t in asked):
        return None
    named = "、".join(f"{t.tier}{t.subject}" for t in asked)
    return f"本条只支持{floor.group(0)}，问题所述为{named}"


_ALTERNATIVE = re.compile(r"[,，]?或")


def _floor_denied(text: str, rule: Rule) -> str | None:
    """A thing the question grades below the floor a requirement sets for it: "省级及以上农高区、
    …、概念验证中心" puts every thing listed after the floor in its phrase under it, so a 市级
    概念验证中心 is ruled out. A floor inside one alternative ("中小微企业,或入驻省级以上…孵化载体
    的创业团队") rules out only an asker of that alternative who claims none of the others."""
    mentions = [t for t in _graded(text) if t.subject and t.tier in LEVELS]
    if not mentions:
        return None
    for requirement in rule.requirements:
        parts = _ALTERNATIVE.split(normalize(requirement))
        for part in parts:
            for floor in _AT_LEAST.finditer(part):
                end = _SEGMENT_END.search(part, floor.end())
                listed = part[floor.end() : end.start() if end else len(part)]
                lowest = LEVELS.index(floor.group(1))
                below = [
                    t
                    for t in mentions
                    if names_by_ends(t.subject, listed) and LEVELS.index(t.tier) > lowest
                ]
                if not below or (len(parts) > 1 and not _claims_only(text, rule, part)):
                    continue
                t = below[0]
                return f"本条只支持{floor.group(0)}{t.subject}，问题所述为{t.tier}{t.subject}"
    return None


def _claims_only(text: str, rule: Rule, part: str) -> bool:
    """Whether the asker says it is a subject the alternative `part` names and none that the
    rule's other alternatives name."""
    stated = {a.name for a in attributes_in(text) if a.polarity == "positive"}
    implied = expand_subjects(stated) | stated
    plain = re.sub(r"\([^)]*\)", "", part)  # "创业(创客)团队" names 创业团队
    named = {s for s in rule.subjects if s in plain}
    return bool(named & implied) and not (implied & (set(rule.subjects) - named))


def _industry_outside(text: str, rule: Rule) -> str | None:
    if not rule.industries:
        return None
    if all(denied(text, category) for category in rule.industries):
        fields = "、".join(rule.industries)
        return f"本条只支持{fields}领域，而问题中说明不属于{fields}"
    named = industries_in(text, rule)
    if not named or any(category in rule.industries for _, category in named):
        return None
    return rule.industry_mismatch(named[0][0])


# "第四年": an ordinal year, its number captured.
ORDINAL_YEAR = re.compile(r"第([一二三四五六七八九十\d]+)年")


def _year_beyond(text: str, rule: Rule) -> str | None:
    """A year asked of alone past the years the rule supports ("已经拿了三年，第四年还能拿吗"
    under 连续三年): there is nothing for it. A list of years (第一年…第四年) is computed year
    by year instead, up to the last year supported."""
    most = rule.formula.model_dump().get("max_years")
    years = ORDINAL_YEAR.findall(text)
    if not most or len(years) != 1:
        return None
    year = int(chinese_to_decimal(years[0]))
    if year <= int(most):
        return None
    return f"本条最多连续支持{most}年，而问题问的是第{year}年"


def contradiction(text: str, rule: Rule) -> str | None:
    """Why the normalized question's stated facts rule the asker out of `rule` (None if not)."""
    checks = (
        _subject_denied,
        _identity_outside,
        _wording_denied,
        _tier_not_funded,
        _floor_denied,
        _year_beyond,
    )
    for check in (*checks, _industry_outside):
        reason = check(text, rule)
        if reason:
            return reason
    return None


@lru_cache(maxsize=1)
def _asker_types() -> frozenset[str]:
    """The specific kinds of enterprise the frame knows (科技型中小企业, 高新技术企业 …)."""
    return frozenset(a.name for a in vocabulary().attribute if a.name.endswith("企业"))


def unstated_conditions(text: str, rule: Rule) -> tuple[str, ...]:
    """The rule's requirements a normalized question neither states nor denies, each as the
    condition the amount holds under ("若贵企业属于科技型中小企业", "若符合“首次认定”"): the
    amount is given with its conditions, not with a requirement silently assumed."""
    out: list[str] = []
    parts = [p for alternative in rule.subjects for p in alternative.split("+")]
    specific = [p for p in parts if p in _asker_types() and p not in _FAMILIES]
    if specific and len(specific) == len(parts):
        stated = [a.name for a in attributes_in(text) if a.polarity == "positive"]
        implied = {t for name in stated for t in expand_subjects([name])}
        if not any(p in implied or p in stated for p in specific):
            out.append(f"若贵企业属于{'或'.join(dict.fromkeys(specific))}")
    described = normalize("".join((*rule.requirements, rule.title, *rule.quote)))
    # A requirement the asker states in other words (小微企业 for 中小微企业) is no condition.
    said = {a.name for a in attributes_in(text) if a.polarity == "positive"}
    for conflict in conflicts():
        required = conflict.requires
        if not conflict.conditional:
            continue
        if required in described and required not in text and required not in said:
            out.append(f"若符合“{required}”的条件")
    if rule.industries and not industries_in(text, rule):
        out.append(f"若项目属于{'、'.join(rule.industries)}领域")
    return tuple(out)


def not_eligible(rule: Rule, reason: str) -> CalcResult:
    """The amount-0 result for a contradicted rule, with the requirement it fails quoted."""
    required = "；".join(rule.requirements) or "；".join(rule.quote)
    return CalcResult(
        rule_id=rule.id,
        clause_id=rule.clause_id,
        title=rule.title,
        inputs={},
        amount_yuan=Decimal(0),
        steps=(f"条件：{required}", f"{reason}，不符合本条条件，不予按本条计算"),
        qualifies=False,
        reason=reason,
        upper_bound=rule.upper_bound,
    )
