"""Checks an answer must pass before it states anything: is the place, the period and the
thing asked about covered by the corpus at all?

Owns `coverage_problem` (the abstain reason for a frame whose regions the corpus does not
cover — a district of a covered city other than the covered one, or an uncovered region — or
whose target years lie outside every relevant document's period) and `document_periods` (the
years each document speaks of), the objects a cited clause does not fund
(`unfunded_objects`), a money question whose clause names no sum (`money_unstated`) and a topic
only another region's documents speak of (`topic_elsewhere`).
Never retrieves and never writes the answer text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import lru_cache
from itertools import permutations

from policyqa.answer.frame import grant_subjects, off_topic_words, tiers_in, vocabulary
from policyqa.answer.frame_types import QuestionFrame, RegionMention
from policyqa.corpus.manifest import Manifest
from policyqa.resources import data_file, tsv_pairs
from policyqa.text import names_by_ends, normalize, normalize_query, split_sentences

_RANGE = re.compile(r"(20\d\d)\s*[—\-–~至到]+\s*(20\d\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年|—|-|–|至|到)")


def document_periods(
    manifest: Manifest, texts: Mapping[str, Sequence[str]]
) -> dict[str, tuple[int, int]]:
    """doc id → (first, last) calendar year the document speaks of (title range, date, text)."""
    periods: dict[str, tuple[int, int]] = {}
    for doc in manifest.documents:
        years: list[int] = []
        for m in _RANGE.finditer(doc.title):
            years.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        if doc.date:
            years.append(int(str(doc.date)[:4]))
        for text in texts.get(doc.id, ()):
            years.extend(int(y) for y in _YEAR.findall(text))
        if years:
            periods[doc.id] = (min(years), max(years))
    return periods


def coverage_problem(
    frame: QuestionFrame, manifest: Manifest, periods: Mapping[str, tuple[int, int]]
) -> str | None:
    """The abstain reason (``kind:detail``) for a question the corpus cannot answer, else None.

    A region problem counts only when no region of the question is covered (a question naming
    日照 and 北京 is answered for 日照). A year problem counts for targets and measures (not
    amounts, whose years are the enterprise's own), and only when no relevant document's
    period contains the year.
    """
    asked = _asked_regions(frame)
    covered = [r for r in asked if r.status == "covered"]
    if asked and not covered:
        district = [r for r in frame.regions if r.status == "uncovered_district"]
        # A district by its full name (威海市环翠区); another region as written (北京), as the
        # retriever has always reported it.
        names = "、".join(r.name for r in district) or "、".join(r.text for r in frame.regions)
        kind = "district_not_covered" if district else "region_not_covered"
        return f"{kind}:{names}"
    local = _district_money(frame, manifest)
    if local:
        return f"district_not_covered:{local}"
    if frame.intent in {"metadata", "doc_list"} or not frame.years:
        return None
    if _asks_money(frame):
        # Money asked for: the years are the enterprise's own ("2019年就认定为高企了").
        return None
    wanted = {r.covered_by for r in covered}
    docs = [d for d in manifest.documents if not wanted or d.region in wanted]
    spans = [periods[d.id] for d in docs if d.id in periods]
    if not spans:
        return None
    outside = [y for y in frame.years if not any(a <= y <= b for a, b in spans)]
    if outside:
        return f"years_not_covered:{'、'.join(str(y) for y in outside)}"
    return None


# A place named as the model compared with ("跟文登一样的", "参照日照那样"), not the one asked.
_LIKE_BEFORE = re.compile(r"(?:跟|和|与|像|同|比照|参照|按照?)$")
_LIKE_AFTER = re.compile(r"^[^，,。？?]{0,8}?(?:一样|一致|相同|类似|那样|似的)")


def _asked_regions(frame: QuestionFrame) -> list[RegionMention]:
    """The regions a question asks about: a place named only as the model compared with
    ("威海环翠区有没有跟文登一样的…") is left out when another place is asked about."""
    text = normalize_query(frame.resolved or frame.text)
    kept = []
    for region in frame.regions:
        at = text.find(region.text)
        if at >= 0 and _LIKE_BEFORE.search(text[max(0, at - 2) : at]):
            if _LIKE_AFTER.search(text[at + len(region.text) :]):
                continue
        kept.append(region)
    return kept if kept else list(frame.regions)


# Money a district or county pays itself ("区里还会另外配套多少").
_DISTRICT_PAYS = re.compile(r"区里|县里|区级财政|县级财政|区财政|县财政|区级配套|县级配套|区县配套")


def _district_money(frame: QuestionFrame, manifest: Manifest) -> str | None:
    """The district (日照市岚山区) whose own money a question asks about, when the corpus holds
    only its city's documents: a city's policy says nothing of what a district adds."""
    if not _DISTRICT_PAYS.search(normalize_query(frame.resolved or frame.text)):
        return None
    for region in frame.regions:
        if region.status != "covered" or not region.covered_by or region.name == region.covered_by:
            continue
        own = [d for d in manifest.documents if d.region == region.name]
        if not own:
            return region.name
    return None


# Money asked for: the years of such a question are the enterprise's own (when it paid, when
# it was recognised), not a plan's targets. "投入强度要达到多少" asks for a target.
_MONEY_WORDS = re.compile(
    r"补助|补贴|奖励|资助|支持|补偿|贴息|配套|资金|钱|万元|奖金|补多少|奖多少|财政|奖补|金额"
)


# A sum of money, or a share of one ("按…的20%给予支持"), or the clause's way of saying the
# amount is set case by case ("一事一议", "以奖代补"): what a clause must state to answer "how
# much money". A bare percentage ("比重达到80%") is a target, not money.
_SUM = re.compile(r"\d[\d,.]*\s*(?:万|亿)?元|[一二三四五六七八九十百千两]+(?:万|亿)?元")
_DECIDED = re.compile(r"一事一议|以奖代补")
_SHARE = re.compile(r"\d+(?:\.\d+)?%|比例")
# "补多少 / 额度 / 上限": a sum is asked for ("能得到什么支持", "有补贴吗" ask what or whether).
_HOW_MUCH = re.compile(r"多少|几[万千百]|多大|额度|标准|金额|上限|最高|最多")
_GRANT = re.compile(r"补助|补贴|资助|支持|奖励|奖金|贴息|补偿|配套|给予|扶持|资金")


def states_sum(sentence: str) -> bool:
    """Whether a sentence names a sum, or a share it grants (补助20%)."""
    # A sum or share counts where it is granted: "研发投入达到15亿元以上" is a target.
    if _DECIDED.search(sentence):
        return True
    return bool((_SUM.search(sentence) or _SHARE.search(sentence)) and _GRANT.search(sentence))


def money_unstated(frame: QuestionFrame, clause_text: str, asked: Sequence[str] = ()) -> bool:
    """True when the question asks how much money and the clause to be quoted names no sum,
    share or formula where it speaks of what is asked: quoting it would answer a different
    question ("优先推荐认定为首台(套)装备" for "首台套奖励多少"). The sentences naming the
    question's objects decide (and the words of the thing asked for, `asked`); without such a
    sentence, the whole clause does."""
    if not (_asks_money(frame) and _HOW_MUCH.search(normalize_query(frame.resolved or frame.text))):
        return False
    sentences = split_sentences(normalize(clause_text))
    # What the question puts in quotes ("“免申即享”") names what it asks about as well.
    named = (*frame.objects, *quoted_terms(frame.resolved or frame.text))
    topical = [s for s in sentences if any(o in normalize_query(s) for o in named)]
    if asked:
        topical += [s for s in sentences if all(w in normalize_query(s) for w in asked)]
    return not any(states_sum(s) for s in topical or sentences)


_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")


def quoted_terms(question: str) -> tuple[str, ...]:
    """The terms a question quotes ("研发投入后补助“免申即享”" → 免申即享), simplified."""
    return tuple(normalize_query(m.group(1)) for m in _QUOTED.finditer(question))


def _asks_money(frame: QuestionFrame) -> bool:
    if any(q.unit == "yuan" for q in frame.quantities):
        return True
    return bool(_MONEY_WORDS.search(normalize_query(frame.resolved or frame.text)))


def _span(period: tuple[int, int]) -> str:
    first, last = period
    return f"{first}年" if first == last else f"{first}—{last}年"


def unfunded_objects(
    frame: QuestionFrame, clause_text: str, words: Callable[[str], Sequence[str]]
) -> tuple[str, ...]:
    """The objects the question asks about that the cited clause does not speak of, as written
    or word by word within one sentence (仪器共享 in "使用共享科学仪器设备")."""
    sentences = [normalize_query(s) for s in split_sentences(normalize(clause_text))]

    def spoken(term: str) -> bool:
        if any(term in s for s in sentences):
            return True
        # Its own words close together, in any order (共享科学仪器 for 仪器共享); words far
        # apart in a long sentence (科技 … 保险) do not name it.
        pieces = [w for w in words(term) if 2 <= len(w) < len(term)][:3]
        if len(pieces) < 2:
            return False
        near = [
            re.compile(".{0,2}".join(map(re.escape, order)))
            for order in permutations(pieces)
        ]
        return any(p.search(s) for p in near for s in sentences)

    return tuple(o for o in frame.objects if not any(spoken(n) for n in said_as(o)))


def said_as(thing: str) -> tuple[str, ...]:
    """`thing` and its other names, with those of a name inside it ("国家科技进步一等奖" is
    said as "国家科学技术一等奖", 科技进步 being 科学技术)."""
    names = object_names()
    inner = (
        thing.replace(k, n) for k, ns in names.items() if k != thing and k in thing for n in ns
    )
    return (thing, *names.get(thing, ()), *inner)


@lru_cache(maxsize=1)
def object_names() -> dict[str, tuple[str, ...]]:
    """``data/object_names.tsv``: the other names a clause may give an object (风险补偿 is
    spoken of as 损失补偿 or 风险准备金), simplified as questions are."""
    return {
        normalize_query(o): tuple(normalize_query(n) for n in names.split("|") if n)
        for o, names in tsv_pairs(data_file("object_names.tsv"))
    }


# "对X（每人）补助/奖励多少": X is what the money is asked for.
_GRANT_OBJECT = re.compile(
    # Not the 对 of 对比 or 对照; the thing ends where "每…" says per what ("对优秀孵化器每培育出
    # 一家高企奖多少": 优秀孵化器).
    r"对(?![比照])(?P<x>[^，,。；;？?每]{2,24}?)(?:每[^，,。；;？?]{1,12}?)?"
    r"(?:分别|各自?|一共|总共|合计|共|最多|最高|一次性)?(?:能|可以|可)?"
    # Not the 奖 of an award's grade ("对获得国家科学技术一等奖的项目奖励多少").
    r"(?:给予?|给|发|拿)?(?:多少)?(?<!等)(?:补助|奖励|补贴|资助|支持|补|奖)"
)
# "评上“市首席技师”的话，奖励多少", "主持了一项国家社会科学基金项目，能给多少": a title or a
# project earned, then the money asked for.
_TITLE_EARNED = re.compile(
    # The title or project only, not a fact said of it ("主持选育的玉米品种有自主知识产权").
    r"(?:评上|获评|评为|被评为|入选|主持了?(?:一项|一个)?)(?P<x>[^，,。；;？?有是]{2,20}?)"
    r"(?:的话|后|之后|以后)?[，,][^。？?]{0,30}?(?:奖励|补助|补贴|资助|支持|给)"
)
# "有没有安家补贴", "给购置补贴吗": a kind of grant named by the word before it.
_GRANT_KIND = re.compile(
    # Not who pays it ("有没有市级补贴"): that is no kind of grant.
    r"(?:有没有|有无|是否有|给不给|给|发不发|有)(?P<x>(?![市省区县](?:级|里))[\u4e00-\u9fff]{2,6}?)"
    r"(?:补助|补贴|奖补|津贴|奖励|资助)"
)
_COUNTING = re.compile(r"^[\d一二两三四五六七八九十几各每]")
_NEGATED = re.compile(r"(?:没|未|无|不曾|从未)[^，,。；;]{0,6}$")
_PAYER_TAIL = re.compile(r"(?:市里|区里|县里|省里|(?:省级|市级|区级|县级|区县)?财政)$")
_LIST_SEPARATOR = re.compile(r"[、，,]|以及|和|及|与")
_LEADING_COUNT = re.compile(r"^[\d一二两三四五六七八九十几各每]+(?:项|个|家|名|次|笔)?")
# Heads that name no particular thing: a clause need not repeat them.
_GENERIC_HEADS = frozenset(
    "项目 企业 单位 公司 团队 机构 个人 人员 人才 载体 平台 主体 我们 他们 这个 那个".split()
    # Words that say of a grant only that it exists or who pays it ("有没有相关补贴").
    + "相关 什么 哪些 其他 任何 一些 专项 专门 资金 财政 政策 配套 一次性 额外".split()
    # How a thing was won ("获得国家科学技术一等奖的项目"): the clause says 获评 or nothing.
    + "获得 获评 荣获 拿到 取得 评上".split()
)


def grant_object_missing(
    question: str, clause_text: str, words: Callable[[str], Sequence[str]]
) -> str | None:
    """The thing a question asks money for ("对技术经纪人每人补助多少" → 技术经纪人) when the
    clause to be computed from never names it: that clause grants its money for something
    else. None when the question names no such thing, or only a generic one (项目, 企业)."""
    # The question as written, and with the other names of what it names (科技进步 → 科学技术).
    asked = [asked_object(form, words) for form in said_as(normalize_query(question))]
    if asked[0] is None:
        return None
    clause = normalize_query(clause_text)
    named = any(a is not None and all(_named(w, clause) for w in a[1]) for a in asked)
    return None if named else asked[0][0]


# A word led by a bare level (国家自然科学基金, 省自然科学基金) is named by a clause that lists
# the levels before the thing they share: "对主持国家级、省级自然科学基金的项目".
_LEVEL_LED = re.compile(r"^(国家|省|市|区|县)(?!级)(.{2,})$")


def _named(word: str, clause: str) -> bool:
    if word in clause:
        return True
    m = _LEVEL_LED.match(word)
    return bool(m and m.group(2) in clause and f"{m.group(1)}级" in clause)


# "新认定的省级加速器", "刚认定为国家级孵化器": money asked for a recognition of a graded thing.
_RECOGNISED = re.compile(
    r"(?:新|刚|首次|初次)?(?:被)?认定(?:为|成|的)?(?P<x>(?:国家级|省级|市级)[^，,。；;？?]{2,10})"
)


def graded_thing_unnamed(question: str, clause_text: str) -> str | None:
    """A graded thing asked for ("泰安新认定的国家级众创空间") whose kind the clause never
    names: the clause pays its grades for another thing (孵化器), not for this one."""
    # Named where the clause states a sum, not only where it describes ("构建众创空间一孵化器一
    # 加速器…体系", then money for 孵化器 and 加速器).
    sentences = [normalize_query(x) for x in split_sentences(normalize(clause_text))]
    paying = [x for x in sentences if states_sum(x)] or sentences
    kinds = set(grant_subjects())
    for t in tiers_in(normalize_query(question)):
        if t.subject in kinds and not any(names_by_ends(t.subject, x) for x in paying):
            return f"{t.tier}{t.subject}"
    return None


def recognition_unpaid(question: str, clause_text: str) -> str | None:
    """The recognised thing ("新认定的省级加速器") when the question asks money for a
    recognition and the clause never speaks of recognition: it pays that thing for something
    else (每年度新培育高企 …), so it is no answer to what a new recognition earns."""
    text = normalize_query(question)
    m = _RECOGNISED.search(text)
    if m is None or "认定" in normalize_query(clause_text):
        return None
    thing = next((t for t in tiers_in(m.group("x")) if t.subject), None)
    if thing is None or thing.subject not in normalize_query(clause_text):
        return None
    return m.group(0)


# An award by who confers it ("日照市科学技术奖", "国家最高科学技术奖", "国家科学技术一等奖").
_AWARD_BY = re.compile(
    r"(?P<by>国家最高|国家|山东省|省级?|[\u4e00-\u9fff]{0,3}?(?:市|区|县)级?)的?"
    r"(?:科学技术|科技)(?:进步)?(?:[特一二三]等)?奖(?!励)"
)


def _conferred_by(by: str) -> str:
    """国家最高 / 国家 / 省 / 市 (a city, district or county) for who confers an award."""
    if by.startswith("国家"):
        return by
    if by.endswith(("省", "省级")):
        return "省"
    return "市"


def award_unpaid(question: str, clause_text: str) -> str | None:
    """The award a question asks about ("日照市科学技术奖") when the clause rewards awards of
    other conferrers only (国家、山东省科学技术奖): no clause pays for that award."""
    clause = normalize_query(clause_text)
    paid = {_conferred_by(m.group("by")) for m in _AWARD_BY.finditer(clause)}
    if not paid:
        return None
    for m in _AWARD_BY.finditer(normalize_query(question)):
        if _conferred_by(m.group("by")) not in paid:
            # The lazy conferrer may start on a verb's last character ("拿了日照市…").
            return m.group(0).lstrip("了的是得获拿")
    return None


# Where the asker says it is ("我们是日照的孵化器", "公司注册和经营都在泰安", "我们孵化器在
# 济南"), said just before the place.
_ASKER_AT = re.compile(
    r"(?:我们|我司|本公司|我单位|本单位|公司|企业|单位)"
    # "我们孵化器在济南": the asker's carrier or project stands where it is.
    r"(?:的?(?:孵化器|加速器|众创空间|大学科技园|机构|团队|项目|总部))?"
    r"(?:也|都|就)?(?:是|属于)?(?:一家)?"
    r"(?:注册)?(?:和经营)?(?:都)?(?:在|位于|地处|落户)?$"
)
_PLACE_DENIED = re.compile(r"^(?:市|区|县)?(?:没有|没|无|不)")


def asker_region(frame: QuestionFrame, question: str) -> RegionMention | None:
    """The region the asker says it is in, if it says so: covered or not ("我们孵化器在济南")."""
    text = normalize_query(question)
    for region in frame.regions:
        at = text.find(region.text)
        if at < 0:
            continue
        after = text[at + len(region.text) : at + len(region.text) + 6]
        if _ASKER_AT.search(text[max(0, at - 12) : at]) and not _PLACE_DENIED.match(after):
            return region
    return None


def asked_object(
    question: str, words: Callable[[str], Sequence[str]]
) -> tuple[str, tuple[str, ...]] | None:
    """(phrase, its distinctive words) of the thing a question asks money for: after "对…补助
    多少" ("技术经纪人"), a title or project earned ("评上市首席技师的话，奖励多少"), or the kind
    of grant ("有没有安家补贴"); None when it names none or only a generic thing (项目, 企业)."""
    text = normalize_query(question)
    for pattern in (_GRANT_OBJECT, _TITLE_EARNED, _GRANT_KIND):
        # "没拿过财政资助的优良品种": money denied is a condition, not the money asked for.
        m = next((m for m in pattern.finditer(text) if not _NEGATED.search(m.group("x"))), None)
        if not m:
            continue
        # Who pays ("对高企区里补多少") is not what for.
        phrase = _PAYER_TAIL.sub("", m.group("x").strip('的“”"')).strip('的“”"')
        # Several things listed ("2项国家自然科学基金、3项省自然科学基金"): each one's own words,
        # its count ("2项", "各一项") saying how many, not what.
        items = [_LEADING_COUNT.sub("", item) for item in _LIST_SEPARATOR.split(phrase)]
        heads = [
            w
            for item in items
            for w in words(item)
            if len(w) >= 2 and not _COUNTING.match(w)
        ]
        if heads and heads[-1] in _GENERIC_HEADS:
            # "…的项目": the words before the generic head say which (社会科学基金项目).
            heads = [w for w in heads if w not in _GENERIC_HEADS]
        if heads and heads[-1] not in _GENERIC_HEADS:
            return phrase, tuple(heads)
    return None


# "莒县属不属于省财政直管县": whether one thing is of a kind.
_MEMBERSHIP = re.compile(
    r"(?P<x>[\u4e00-\u9fff]{2,8}?)(?:属不属于|属于不属于|是不是|算不算|在不在)(?P<y>[^？?，,。]{2,16})"
)


def membership_unstated(question: str, clause_text: str) -> str | None:
    """The thing whose kind a question asks ("莒县" of "日照的莒县属不属于省财政直管县") when the
    clause naming the kind never names the thing: it does not say which things are of it."""
    m = _MEMBERSHIP.search(normalize_query(question))
    if m is None:
        return None
    thing = m.group("x").split("的")[-1]
    clause = normalize_query(clause_text)
    kind = m.group("y").rstrip("吗呢")
    if len(thing) < 2 or thing in clause or kind[:4] not in clause:
        return None
    return thing


def criteria_unstated(question: str, clause_text: str) -> str | None:
    """The sort of criteria a question asks for (procedure, qualification) that the clause to
    be quoted does not state; None when it does or the question asks no criteria. An amount
    or a grant is no answer to "需要什么条件/材料".
    """
    if membership_unstated(question, clause_text):
        return "membership"
    text, clause = normalize_query(question), normalize_query(clause_text)
    for check in vocabulary().criteria_check:
        if "多少" in text and not check.figure:
            continue  # "…多少" asks the amount, whatever else it says ("条件也满足")
        if any(c in text for c in check.cues) and not any(e in clause for e in check.evidence):
            return check.name
    return None


def quoted_name_unknown(question: str, written: str) -> str | None:
    """A name the question quotes (four characters or more: a programme, brand or title) that
    no clause writes (`written`: every clause text, simplified, joined once): a programme the
    corpus never names ("专家日照行", where only 泰安 has its "专家泰安行") is not covered,
    whatever neighbouring clause the words of the question find."""
    names = [t for t in quoted_terms(question) if len(t) >= 4]
    return next((n for n in names if n not in written), None)


_LEVEL_ONLY = re.compile(r"^(?:国家|省|市|区县|县|区)级(?:及以上|以上)?$")


def topic_terms(
    frame: QuestionFrame, searched: str, rule_words: Collection[str], subjects: Collection[str]
) -> tuple[str, ...]:
    """What a question asks money or a rule for: its objects, and the rule table's words for
    what rules fund (横向项目, 新品种 …) that it uses; kinds of asker (高新技术企业) are who
    asks, not what for, and do not count."""
    text = normalize_query(searched)
    # A level (国家级) says which grade of a thing, not what: a region may write it "国家…".
    words = [
        w
        for w in rule_words
        if len(w) >= 2 and w in text and w not in subjects and not _LEVEL_ONLY.match(w)
    ]
    # An off-topic subject (落户) that one region's clauses happen to mention is still a topic
    # another region's are silent on.
    areas = [w for w in off_topic_words() if w in text]
    ranked = sorted(words, key=lambda w: (-len(w), w))
    return tuple(dict.fromkeys((*frame.objects, *ranked, *areas)))


def speaks_of(term: str, parts: Sequence[str], words: Callable[[str], Sequence[str]]) -> bool:
    """True when one of `parts` (a region's clause texts) names `term`, as written or word by
    word within one clause: 泰安's "科技成果…转化项目…贷款贴息" speaks of 科技成果转化贷款."""
    if any(term in part for part in parts):
        return True
    pieces = [w for w in words(term) if 2 <= len(w) < len(term)]
    if len(pieces) < 2 and len(term) >= 4:
        # One dictionary word (攻关项目): its halves, as a clause may write them apart.
        pieces = [term[: len(term) // 2], term[len(term) // 2 :]]
    return len(pieces) >= 2 and any(all(w in part for w in pieces) for part in parts)


def topic_elsewhere(
    terms: Sequence[str],
    wanted: Collection[str],
    region_texts: Mapping[str, Sequence[str]],
    words: Callable[[str], Sequence[str]],
) -> tuple[str, tuple[str, ...]] | None:
    """(term, the regions that speak of it) for a topic term none of the asked regions' documents
    mention but another region's do: a rule one city has, asked about another city."""
    if not wanted:
        return None
    # A name of four characters or more (揭榜挂帅), not a short generic one (高校, 市级).
    spoken = [
        t
        for t in terms
        if len(t) >= 4 and any(speaks_of(t, region_texts.get(r, ()), words) for r in wanted)
    ]
    if spoken:
        # The asked region speaks of what is asked under one of its names ("揭榜挂帅" where
        # 泰安's wording adds "重大科技攻关"): the region's own clause answers.
        return None
    for term in terms:
        if any(speaks_of(term, region_texts.get(r, ()), words) for r in wanted):
            continue
        elsewhere = tuple(
            r
            for r, parts in region_texts.items()
            if r not in wanted and speaks_of(term, parts, words)
        )
        if elsewhere:
            return term, elsewhere
    return None


def district_note(frame: QuestionFrame, manifest: Manifest) -> str:
    """One line on what the corpus covers near an uncovered district (威海 → 文登区 only)."""
    near = {
        r.covered_by for r in frame.regions if r.status == "uncovered_district" and r.covered_by
    }
    docs = [d for d in manifest.documents if d.region in near]
    if not docs:
        return ""
    listed = "；".join(f"{d.region}《{d.title}》" for d in docs)
    return f"该市只收录了以下区县的文件：{listed}，其条款不适用于其他区县。"


def period_note(manifest: Manifest, periods: Mapping[str, tuple[int, int]]) -> str:
    """One line saying which years each document covers."""
    parts = [
        f"{d.region}《{normalize(d.title)}》{_span(periods[d.id])}"
        for d in manifest.documents
        if d.id in periods
    ]
    return "各文件涉及的年份：" + "；".join(parts) + "。"
