"""Building the question frame: what a question asks, about whom, where, when, with which figures.

Owns `build_frame` (one pure call per question): the intent from the cue words of
``data/frame_vocab.toml``, the regions via `answer.gazetteer`, every stated attribute of the
asker with its polarity (是 / 不是 / 非 / 尚未), calendar years, the figures with their roles
(`answer.quantities`), the tiers with their counts ("两个省级孵化器"), off-topic words seen
and a part of the question the asker set aside ("X的事先不管，…"). Never retrieves, never
chooses a rule and never answers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from policyqa.answer.frame_types import (
    Attribute,
    FrameQuantity,
    Intent,
    QuestionFrame,
    RegionMention,
    TierMention,
)
from policyqa.answer.gazetteer import find_places, region_mentions
from policyqa.answer.quantities import frame_quantities
from policyqa.resources import data_file, word_list
from policyqa.rules.money import MoneyParseError, chinese_to_decimal
from policyqa.text import TEXT_CACHE_SIZE, normalize_query


def grant_subjects() -> tuple[str, ...]:
    """``data/grant_subjects.txt``: what a grant is for, in file order (validated at load)."""
    words = word_list(data_file("grant_subjects.txt"))
    if not words or len(set(words)) != len(words):
        raise ValueError("grant_subjects.txt 为空或有重复的词，请检查该数据文件。")
    return words


# Grades, most specific first (区县级 before 县级: the first that matches is the one meant).
TIER_WORDS = (
    "国家级", "省级", "市级", "区县级", "县级", "区级", "特等奖", "一等奖", "二等奖", "三等奖"
)
# What a tier can be of; a tier right before one of these is that thing's grade.
# (No word here is a prefix of another, so the order of this list does not matter.)
TIER_SUBJECTS = (*grant_subjects(), "创新平台", "科技企业孵化器", "项目", "奖")
# A total asked for ("一共", "各一项"): "国家级和省级X" is then one X of each grade.
_TOTAL = re.compile(r"一共|合计|总共|共计|加起来|总计|各[一二两三四五六七八九十\d]+[个项家所座]")
_EACH = re.compile(r"各([一二两三四五六七八九十\d]+)[个项家所座]")
_JOINED = re.compile(r"^[和、及与]")
_COUNT_AFTER = re.compile(
    r"^(?:项目)?(?:有|共有|共)?([0-9]+|[一二两三四五六七八九十]+)(?:项|个|家|所|座)"
)
# "还有2个拿了二等奖", "两个项目获得了一等奖": how many won an award, said before it.
_WINNERS_BEFORE = re.compile(
    r"([0-9]+|[一二两三四五六七八九十]+)(?:个|项)(?:项目|成果)?"
    r"(?:拿了|获得了?|获评|荣获|评上了?|拿到了?|获)[^，,。；;\d]{0,8}$"
)
# "2项国家科技二等奖": an award's count before the conferrer's name that precedes its grade.
_COUNT_BEFORE_AWARD = re.compile(
    r"([0-9]+|[一二两三四五六七八九十]+)(?:个|项)[^，,。；;、\d个项等和及与]{1,10}$"
)
# "…新认定为 / 刚被认定成 / 获评为" right before a grade: the grade given to what came before.
_GIVEN_GRADE = re.compile(
    r"(?:今年|刚|已|也|都)?(?:被)?(?:新|首次)?(?:认定|评定|评为|获批)(?:为|成)?$"
)
_CARRIER_KIND = re.compile(r"^(?:科技型企业|科技企业|科技型|科技)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年|—|-|至|到|~)")
_SHORT_TIER = re.compile(rf"(国家|省)(?=的?(?:{'|'.join(map(re.escape, TIER_SUBJECTS))}))")
# "各是多少 / 各补多少 / 各自" asks one answer per place named.
_EACH_ASKED = re.compile(r"各(?:是|为|有|自|补|给|奖|支持|要求|规定|定了?)")
# "哪些文件 / 哪几份政策 / 有几个文件" asks for a list of documents, however it is worded.
_DOC_LIST = re.compile(r"(?:哪些|哪几|有几|几)(?:份|个|部|项)?(?:政策)?(?:文件|政策|文档)")
_COUNT_BEFORE = re.compile(
    r"([0-9]+|[一二两三四五六七八九十]+)(?:个|家|项|所|座)(?:新认定的|新认定|认定的)?$"
)


class _Attribute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=2)
    words: tuple[str, ...] = Field(min_length=1)


class _Intent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    comparison: tuple[str, ...]
    doc_list: tuple[str, ...]
    metadata: tuple[str, ...]
    responsibility: tuple[str, ...]
    eligibility: tuple[str, ...]
    criteria: tuple[str, ...]


class _CriteriaCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    cues: tuple[str, ...] = Field(min_length=1)
    evidence: tuple[str, ...] = Field(min_length=1)
    # A figure criterion ("自筹资金按多少比例"): asked with 多少 too, which other checks are not.
    figure: bool = False


class FrameVocabulary(BaseModel):
    """``data/frame_vocab.toml``: negation cues, attribute words, intent cues, dismissals."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    negations: tuple[str, ...] = Field(min_length=1)
    negations_after: tuple[str, ...] = ()
    attribute: tuple[_Attribute, ...] = Field(min_length=1)
    intent: _Intent
    dismissals: tuple[str, ...] = ()
    dismissals_before: tuple[str, ...] = ()
    criteria_check: tuple[_CriteriaCheck, ...] = ()


@lru_cache(maxsize=1)
def vocabulary() -> FrameVocabulary:
    """The frame vocabulary, validated (a malformed file fails at load, naming the key)."""
    with data_file("frame_vocab.toml").open("rb") as f:
        return FrameVocabulary.model_validate(tomllib.load(f))


@lru_cache(maxsize=1)
def off_topic_words() -> tuple[str, ...]:
    return word_list(data_file("off_topics.txt"))


@lru_cache(maxsize=1)
def object_words() -> tuple[str, ...]:
    """What grants can be for (``data/objects.txt``), longest first."""
    # In the question's normal form: 首台套 is searched as 首台(套) once abbreviations expand.
    words = {normalize_query(w) for w in word_list(data_file("objects.txt"))}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


# Phrases whose last character starts an object word without meaning it: "在省补助基础上市里
# 再补" reads 基础上 + 市里, not 上市.
_OBJECT_MASKS = re.compile(r"基础上|之上|以上")


def objects_in(text: str) -> tuple[str, ...]:
    """The objects a normalized question names; one inside a longer one counts once."""
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    masks = [(m.start(), m.end()) for m in _OBJECT_MASKS.finditer(text)]
    for word in object_words():
        if word not in text:  # most words are absent: no pattern to build for them
            continue
        for m in re.finditer(re.escape(word), text):
            if any(s <= m.start() and m.end() <= e for s, e in spans):
                continue
            if any(s < m.start() < e < m.end() for s, e in masks):
                continue
            spans.append((m.start(), m.end()))
            if word not in found:
                found.append(word)
    return tuple(found)


def _negated(text: str, start: int, end: int, vocab: FrameVocabulary) -> bool:
    before = text[max(0, start - 6) : start]
    # "不是…" may stand a word or two before the attribute ("不是一家科技型中小企业").
    before = re.sub(r"(一家|一个|属于|认定为|被认定为|入库的?|评上|被评为|评为|入选)$", "", before)
    after = text[end : end + 8]
    return any(before.endswith(n) for n in vocab.negations) or any(
        after.startswith(n) or after.lstrip("的").startswith(n) for n in vocab.negations_after
    )


# A list a negation governs: "不属于新兴产业、未来产业" denies both.
_LIST_JOIN = "、和及或与"


def denied(text: str, term: str) -> bool:
    """True when every mention of `term` in a normalized question is negated, directly
    ("非新兴产业", "不属于未来产业") or as a later item of a negated list ("不属于新兴产业、
    未来产业"); False when it is not mentioned."""
    vocab = vocabulary()
    starts = [m.start() for m in re.finditer(re.escape(term), text)]

    def negated(start: int) -> bool:
        if _negated(text, start, start + len(term), vocab):
            return True
        clause = re.split(r"[，,。；;？?！!]", text[:start])[-1]
        return clause[-1:] in tuple(_LIST_JOIN) and any(n in clause for n in vocab.negations)

    return bool(starts) and all(negated(s) for s in starts)


def _mention(text: str, start: int, end: int, negative: bool, vocab: FrameVocabulary) -> str:
    """The words an attribute was read from, its negation included ("不是科技型中小企业")."""
    if not negative:
        return text[start:end]
    before = text[max(0, start - 10) : start]
    at = max((before.rfind(n) for n in vocab.negations), default=-1)
    return (before[at:] if at >= 0 else "") + text[start:end]


@lru_cache(maxsize=1)
def _attribute_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, its words longest first) of each attribute, in the vocabulary's order: sorted
    once, not for every attribute of every question (sorted is stable: the same order)."""
    return tuple(
        (a.name, tuple(sorted(a.words, key=len, reverse=True))) for a in vocabulary().attribute
    )


@lru_cache(maxsize=TEXT_CACHE_SIZE)  # an answer asks again for the same text (3-4 times)
def attributes_in(text: str) -> tuple[Attribute, ...]:
    """Every asker attribute named in a normalized question, with its polarity.

    A word inside a longer attribute word counts once (中小企业 inside 科技型中小企业); a
    negated mention wins over a positive one of the same attribute. (Cached: the result is
    a tuple of frozen values, so callers share nothing they can change.)
    """
    vocab = vocabulary()
    spans: list[tuple[int, int, str]] = []
    for name, words in _attribute_words():
        for word in words:
            if word not in text:  # most words are absent: no pattern to build for them
                continue
            for m in re.finditer(re.escape(word), text):
                if any(s <= m.start() and m.end() <= e for s, e, _ in spans):
                    continue
                spans.append((m.start(), m.end(), name))
    found: dict[str, Attribute] = {}
    for start, end, name in sorted(spans):
        negative = _negated(text, start, end, vocab)
        polarity = "negative" if negative else "positive"
        if name not in found or negative:
            found[name] = Attribute(name, polarity, _mention(text, start, end, negative, vocab))
    return tuple(found.values())


def _count(words: str) -> int:
    if words.isdigit():
        return int(words)
    try:
        return int(chinese_to_decimal(words))
    except MoneyParseError:
        return 1


def with_grades_spelled(text: str) -> str:
    """`text` with grades written without 级 spelled out: "国家自然科学基金", "省重点实验室" →
    国家级…, 省级… (市 is left alone: 日照市孵化器 is the city's incubator, not a 市级 one)."""
    return _SHORT_TIER.sub(lambda m: f"{m.group(1)}级", text)


def tiers_in(text: str) -> tuple[TierMention, ...]:
    """The grades named with what they are of and how many ("两个省级孵化器" → 省级 孵化器 ×2).

    A tier not followed by a subject ("市级财政", "市级资金") names who pays, not a grade.
    """
    out: list[TierMention] = []
    text = with_grades_spelled(text)
    matches = list(re.finditer("|".join(TIER_WORDS), text))
    total = bool(_TOTAL.search(text))
    for i, m in enumerate(matches):
        after = text[m.end() : m.end() + 14].lstrip("的")
        # "国家级科技企业加速器": the kind of carrier may come between the grade and its thing.
        bare = _CARRIER_KIND.sub("", after, count=1)
        subject = next((s for s in TIER_SUBJECTS if s in (after[: len(s)], bare[: len(s)])), None)
        count_m = _COUNT_BEFORE.search(text[max(0, m.start() - 8) : m.start()])
        if count_m is None and m.group(0).endswith("奖"):
            before = text[max(0, m.start() - 20) : m.start()]
            count_m = _WINNERS_BEFORE.search(before) or _COUNT_BEFORE_AWARD.search(before)
        count = _count(count_m.group(1)) if count_m else 1
        if subject is None and not count_m and m.group(0).endswith("奖"):
            # "一等奖1项、二等奖2项": an award's count may follow it.
            after_m = _COUNT_AFTER.match(text[m.end() :])
            if after_m:
                count = _count(after_m.group(1))
        if subject and not count_m:
            # "国家自然科学基金项目3项": the count may follow what it counts.
            rest = text[m.end() :].lstrip("的")
            rest = rest[rest.find(subject) + len(subject) :] if subject in rest[:14] else ""
            after_m = _COUNT_AFTER.match(rest)
            if after_m:
                count = _count(after_m.group(1))
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if subject is None and total and nxt and _JOINED.match(text[m.end() : nxt.start()]):
            # "国家级和省级自然科学基金项目各一项": the grades share the subject that follows.
            tail = text[nxt.end() : nxt.end() + 10].lstrip("的")
            subject = next((s for s in TIER_SUBJECTS if tail.startswith(s)), None)
        if subject is None:
            # "一家孵化器新认定为国家级，还有两家新认定为省级": the grade given to a thing named
            # before it, or (said again with a count only) to the thing named last.
            recognised = _graded_before(text[max(0, m.start() - 20) : m.start()], out)
            if recognised:
                subject, count = recognised
        if subject is None and not m.group(0).endswith("奖"):
            continue
        each = _EACH.search(text[m.end() : m.end() + 24]) if total else None
        if each and not count_m:
            count = _count(each.group(1))
        out.append(TierMention(m.group(0), subject, count))
    return tuple(out)


def _graded_before(before: str, earlier: Sequence[TierMention]) -> tuple[str, int] | None:
    """(subject, count) for a grade given as "…孵化器新认定为" or "还有两家新认定为"."""
    given = _GIVEN_GRADE.search(before)
    if given is None:
        # "概念验证中心是市级认定的": the thing itself right before 是.
        head = before.removesuffix("是")
        named = next((s for s in TIER_SUBJECTS if head.endswith(s)), None)
        return (named, 1) if named and head != before else None
    head = before[: given.start()]
    subject = next((s for s in TIER_SUBJECTS if head.endswith(s)), None)
    if subject is not None:
        head = head[: -len(subject)]
    elif earlier and earlier[-1].subject:
        subject = earlier[-1].subject
    else:
        return None
    counted = _COUNT_BEFORE.search(head)
    return subject, _count(counted.group(1)) if counted else 1


def years_in(text: str) -> tuple[int, ...]:
    """Calendar years named (2025年, 2024—2026年), in order, once each."""
    return tuple(dict.fromkeys(int(y) for y in _YEAR.findall(text)))


def set_aside(text: str) -> tuple[str, str]:
    """(the part set aside, the rest) for "X的事先不管，…" or an off-topic part of its own
    ("…，顺便问下公积金怎么提取"); ("", text) when nothing is."""
    vocab = vocabulary()
    for word in vocab.dismissals:
        i = text.find(word)
        if i <= 0:  # nothing before it: the prefix form below, if any
            continue
        head = text[:i]
        tail = text[i + len(word) :].lstrip("，,。；;：: 了")
        if tail:
            return head, tail
    for word in vocab.dismissals_before:
        if not text.startswith(word):
            continue
        parts = re.split(r"[，,]", text, maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            return parts[0], parts[1].strip()
    return _off_topic_parts(text)


# What a question's parts are split at: sentence ends and commas.
_PART_END = re.compile(r"[，,。；;？?！!]")
# A part that asks something (not one that only sets the scene).
_ASKS_SOMETHING = re.compile(r"多少|几|吗|么|如何|哪|是否|能否|有没有|可否|可不可以|能不能|[?？]")
# A part with policy content left once the off-topic parts go: at least a few characters.
_MIN_REST = 6


_ASK_WORDS = re.compile(r"多少|是否|怎么|如何|哪些|什么")


def _continues(part: str, aside: str) -> bool:
    """Whether `part` opens with a word of `aside` (返还 after 个人所得税返还); a place both
    name ("今天日照天气咋样？…日照对…奖多少") is where, not what the aside is about."""
    head = _ASK_WORDS.sub("", part)[:2]
    if any(head in words for words, _ in find_places(aside)):
        return False
    return len(head) == 2 and head in aside


def wholly_off_topic(text: str, words: Sequence[str]) -> bool:
    """Whether every part of a normalized question names one of the off-topic `words` and one asks
    something: a question about that topic alone, with nothing covered left to answer."""
    parts = [p.strip() for p in _PART_END.split(text) if p.strip()]
    if not parts or not words:
        return False
    named = all(any(w in p for w in words) for p in parts)
    return named and any(_ASKS_SOMETHING.search(p) for p in parts)


def _off_topic_parts(text: str) -> tuple[str, str]:
    """(the off-topic parts, the rest) of a question with an aside in a part of its own
    ("顺便问下公积金怎么提取", "另外增值税怎么交"); ("", text) when every part, or none, is
    off-topic: a question wholly about 增值税 is answered (abstained) as one."""
    words = off_topic_words()
    parts = [p.strip() for p in _PART_END.split(text) if p.strip()]
    aside = [p for p in parts if any(w in p for w in words)]
    # "…有没有个人所得税返还？返还比例是多少": a part going on about the aside's own words
    # belongs to it.
    said = "".join(aside)
    aside += [p for p in parts if p not in aside and aside and _continues(p, said)]
    rest = [p for p in parts if p not in aside]
    if not aside or len("".join(rest)) < _MIN_REST:
        return "", text
    if not any(_ASKS_SOMETHING.search(p) for p in rest):
        # "博士来日照工作，购房补贴有多少": the question is the off-topic part; what is left
        # only sets the scene.
        return "", text
    end = text.rstrip()[-1:]
    return ",".join(aside), ",".join(rest) + (end if end in ("?", "？") else "")


def _joined_regions(text: str, regions: Sequence[RegionMention]) -> bool:
    """Two covered places side by side ("日照和泰安", "泰安、日照"): both are asked about."""
    names = [re.escape(r.text) for r in regions if r.status == "covered"]
    if len(names) < 2:
        return False
    either = "|".join(names)
    return re.search(rf"(?:{either})(?:市)?(?:和|与|及|、|跟|同)(?:{either})", text) is not None


def region_parts(text: str, regions: Sequence[RegionMention]) -> dict[str, str] | None:
    """covered region → its own question, when a text asks one question per place ("日照的…
    多少？泰安的…多少？", or one sentence "…日照的…给多少，泰安…给多少？"); None unless there are
    two or more such parts, one place each. Words before the first place ("科技成果转化的贷款
    贴息，泰安…？日照…？") are the topic of every part, so a later part is given them too."""
    covered = [r for r in regions if r.status == "covered"]
    parts = _place_parts(text, covered)
    if len(parts) < 2:
        return None
    first = min((parts[0].find(r.text) for r in covered if r.text in parts[0]), default=-1)
    head = parts[0][:first] if first > 0 else ""
    owned: dict[str, str] = {}
    for i, part in enumerate(parts):
        places = {r.covered_by for r in covered if r.text in part}
        if len(places) != 1:
            return None
        place = places.pop()
        if place is None or place in owned:
            return None
        owned[place] = part if i == 0 else f"{head}{part}"
    return owned if len(owned) >= 2 else None


def _place_parts(text: str, covered: Sequence[RegionMention]) -> list[str]:
    """The text's questions: its sentences, each further cut at a comma that a place follows
    when both sides ask something ("日照…每项最高给多少，泰安…最高给多少？")."""
    names = "|".join(re.escape(r.text) for r in covered)
    parts: list[str] = []
    for sentence in (p for p in re.split(r"(?<=[？?])", text) if p.strip("？? ")):
        cuts = [m.start() for m in re.finditer(rf"[,，](?={names})", sentence)] if names else []
        start = 0
        for cut in cuts:
            # Asks on both sides, not counting the closing mark ("…多少，泰安呢？" is a follow-up).
            if _ASKS_SOMETHING.search(sentence[start:cut]) and _ASKS_SOMETHING.search(
                sentence[cut + 1 :].rstrip("？?")
            ):
                parts.append(sentence[start:cut])
                start = cut + 1
        parts.append(sentence[start:])
    return parts


def intent_of(text: str, regions: Sequence[RegionMention], asks_amount: bool) -> Intent:
    """What kind of answer a normalized question wants."""
    cues = vocabulary().intent
    if any(c in text for c in cues.metadata):
        return "metadata"
    if any(c in text for c in cues.doc_list) or _DOC_LIST.search(text):
        return "doc_list"
    covered = {r.covered_by for r in regions if r.status == "covered"}
    if len(covered) >= 2 and (
        any(c in text for c in cues.comparison)
        or "分别" in text
        or _EACH_ASKED.search(text)
        or _joined_regions(text, regions)
        or region_parts(text, regions) is not None
    ):
        return "comparison"
    if any(c in text for c in cues.eligibility):
        return "eligibility"
    if any(c in text for c in cues.responsibility):
        return "responsibility"
    if asks_amount and not (any(c in text for c in cues.criteria) and "多少" not in text):
        return "amount"
    return "lookup"


def build_frame(
    question: str, covered_regions: Sequence[str], asks_amount: bool = False
) -> QuestionFrame:
    """The frame of one question (before dialogue merging); pure and deterministic.

    `asks_amount` is the caller's money-question test (the route the answer takes); the frame
    turns it into the amount intent unless the question asks for criteria or another intent.
    """
    text = normalize_query(question)
    aside, rest = set_aside(text)
    regions = region_mentions(text, covered_regions)
    quantities: tuple[FrameQuantity, ...] = frame_quantities(rest)
    return QuestionFrame(
        text=question,
        intent=intent_of(rest, regions, asks_amount),
        regions=regions,
        subjects=attributes_in(rest),
        years=years_in(rest),
        quantities=quantities,
        tiers=tiers_in(rest),
        objects=objects_in(rest),
        off_topic=tuple(w for w in off_topic_words() if w in text),
        resolved=question,
        extra={"set_aside": aside} if aside else {},
    )
