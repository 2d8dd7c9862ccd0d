"""Dialogue state: a follow-up resolved against the previous turn's resolved question and frame.

Owns the follow-up test (an opener such as 那/如果是/换成, or a short question ending in 呢), the
slots a question names (tier, subject, region, figures, counts, the kind of enterprise),
rewriting a follow-up into a standalone question by slot replacement (turn by turn, so any
number of turns carries the resolved meaning), and merging the follow-up's partial frame into
the previous resolved frame (`merge_frames`). Never retrieves and never answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from policyqa.answer.asking import ASKS_AMOUNT, ASKS_CHOICE, ASKS_TOTAL, ASKS_WHETHER, ASKS_WHO
from policyqa.answer.contract import MAX_QUESTION_CHARS, Turn
from policyqa.answer.frame import TIER_WORDS as GRADES
from policyqa.answer.frame import (
    attributes_in,
    grant_subjects,
    object_words,
    wholly_off_topic,
    with_grades_spelled,
)
from policyqa.answer.frame_types import QuestionFrame
from policyqa.answer.gazetteer import find_places, names_no_place
from policyqa.answer.tallies import shared_run
from policyqa.text import normalize

# Words that name a tier of a "分别" list, most specific first: the frame's grades, then the
# short forms a follow-up uses ("那二等的呢？").
TIER_WORDS = (*GRADES, "一等", "二等", "三等")
# What a grant is for; a follow-up naming another one swaps it ("那孵化器呢？").
SUBJECT_WORDS = (*grant_subjects(), "科学技术奖")

# A sum, in digits or in Chinese numerals ("一千二百万"); not a count of ten thousands (万人).
_AMOUNT = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(?:万元|亿元|元|万|亿)(?![人家个项件])"
)
_COUNT = re.compile(r"(?<![一\d])(?:\d+|[两三四五六七八九十]+)(?:家|个|项|所|座)")
_FOLLOWUP_START = re.compile(
    r"^(那么?|如果是?|若是?|要是|假如|假设|换成|改成|换作|还有|另外还有|此外还有|另外又有|再问一下"
    r"|同样的问题|同样的|同样|一样的|回到)"
)
_GRADE = re.compile("|".join(GRADES))
# An award by its level and grade ("国家科学技术二等奖", "山东省科学技术奖"): another award
# in a follow-up replaces the whole of it, grade included.
_AWARD = re.compile(r"(?:国家|山东省|省级|省|市级|市)?科学技术(?:进步)?(?:[特一二三]等)?奖")
# The industry field a question is about ("化工传统领域", "新一代信息技术领域"): the words
# back from 领域/产业/行业 to the word that introduces them.
_FIELD_END = re.compile(r"领域|产业|行业")
_FIELD_START = "是的做在成从个搞属于，,、：:；;（("
# "这两个…", "这笔贴息…", "刚才那个…": a question about what the earlier turns spoke of.
_BACK_REFERENCE = re.compile(
    r"这两|这几|这笔|这项|上述|刚才|前面(?:说|提)|加起来|这个(?:能|可以|可|又|也|还)"
)
# "两个项目加起来呢？": the figures of the earlier turns, taken together.
_SUMMED = re.compile(r"加起来|加一起|加在一起|加一块|一共|合计|总共|累计|合起来|算在一起")
_BOTH = re.compile(r"两个|两项|两笔|两次|这两|这俩|俩|两者|二者|都")
# Whose part a turn asked (市级, then 省里): not 省财政直管县, which names a kind of county.
_PAYER = re.compile(r"(?:省|市|区|县)(?:里|级|本级)(?!以上)|(?:省|市)财政(?!直管)")
# A payer as the one asked ("市级最多补多少", "省里能补多少"), not a grade (市级孵化器).
_PAYER_ASKED = re.compile(
    rf"(?:{_PAYER.pattern})(?:财政)?(?:这块|那块|这边|那边|这头|那头)?"
    r"(?=能|可以|可|会|还|最多|最高|再|又|补|给|出|承担|配套|一共|合计)"
)
_ASK = re.compile(r"多少|几")
_PART_OF_PAYER = re.compile(r"(?<=财政|省里|市里|区里|县里|省级|市级)(?:那块|那部分|的部分)呢?")
_BOUND = re.compile(r"(?:超过|不低于|不少于|高于|低于|以上|达到|突破)$")
# "这个贴息…", "这样的项目", "该项目", "此类平台": a thing pointed back at, so the earlier turns
# say which one (not 应该, 因此, 此外, 这样才…).
_DEMONSTRATIVE = re.compile(
    r"(?:这个|这样的|这种|这类|这些|这家|(?<![应因如])该|(?<![因如从彼])此(?![外后前时次]))"
    r"(?=[\u4e00-\u9fff])"
)
# A clause that asks something: the follow-up's own ask, or the previous turn's.
# (Not "还是那100万", which means "still".)
_ASKING = re.compile(
    rf"多少|几|吗|哪|谁|什么|怎么|如何|是否|{ASKS_CHOICE.pattern}|能不能|可不可以|有没有"
)
# The kinds of ask, first match wins: who is responsible, which of two ("市里还是省里"), the
# threshold to qualify ("不低于多少才符合条件"), how it is done, money, yes or no. A follow-up
# asking another kind asks instead of the previous turn's ask, not besides it.
_THRESHOLD = re.compile(r"不低于多少|多少以上|才(?:能|可以)?(?:符合|申请|享受)|门槛")
_HOW = re.compile(r"怎么|如何|什么方式|哪种方式")


def _slots(text: str, aliases: Sequence[str], industries: Sequence[str] = ()) -> dict[str, str]:
    """The tier, subject, region, amount and industry field a question names (first of each),
    and its last count of things."""
    found: dict[str, str] = {}
    for word in TIER_WORDS:
        if word in text:
            found["tier"] = word
            break
    # "孵化器新认定成省级，加速器也新认定成省级": a question naming two things swaps neither;
    # a word inside another named one (孵化器 in 科技企业孵化器) is the same thing.
    subjects = [w for w in SUBJECT_WORDS if w in text]
    subjects = [w for w in subjects if not any(w != o and w in o for o in subjects)]
    if len(subjects) == 1:
        found["subject"] = subjects[0]
    # A place the gazetteer knows (环翠区, 青岛 …), else one of the retriever's region names;
    # not one that names an award or a platform ("山东省科学技术奖", "山东省重点实验室").
    named = [w for w, _ in find_places(text)] or [a for a in aliases if a in text]
    places = [w for w in named if not names_no_place(text, text.find(w) + len(w))]
    if places:
        found["region"] = places[0]
    # Not a bound said of a figure ("研发投入都超过500万"): that is a fact, not the sum asked on.
    m = next((m for m in _AMOUNT.finditer(text) if not _BOUND.search(text, 0, m.start())), None)
    if m:
        found["amount"] = m.group(0)
    field = _field(text)
    if field:
        found["field"] = field
    # The industry the asker is in ("做集成电路的" → "换成传统化工项目呢"), a term of the rules'
    # industry lists (`industries`, longest first).
    industry = next((t for t in industries if t in text), None)
    if industry:
        found["industry"] = industry
    award = _AWARD.search(text)
    if award:
        found["award"] = award.group(0)
    # The kind of enterprise asked about ("高新技术企业" → "那科技型中小企业呢？"), when the
    # question names exactly one.
    kinds = [a.text for a in attributes_in(text) if a.polarity == "positive"]
    kinds = [k for k in kinds if k.endswith("企业")]
    if len(kinds) == 1:
        found["asker"] = kinds[0]
    # The last count of things (培育了3家): a follow-up's "那5家呢？" replaces it rather than
    # adding a second count ("一家企业" names the asker, and comes first).
    counts = _COUNT.findall(text)
    if counts:
        found["count"] = counts[-1]
    return found


def _field(text: str) -> str | None:
    """The first industry field named ("我们是化工传统领域" → 化工传统领域), if any."""
    for end in _FIELD_END.finditer(text):
        start = end.start()
        while start > 0 and text[start - 1] not in _FIELD_START and end.end() - start < 12:
            start -= 1
        if end.start() - start >= 2:
            return text[start : end.end()]
    return None


def user_turns(history: Sequence[Turn]) -> list[str]:
    """The user's earlier questions, oldest first."""
    return [t.content for t in history if t.role == "user"]


# "首轮要是投了1500万…呢": a supposition a word or two in, ending as a follow-up does.
_SUPPOSED = re.compile(r"^[^，,。？?]{0,4}(?:要是|如果|假如|若是)")


_BARE_THEN_ASK = re.compile(r"^[^，,。？?]{1,10}呢[？?，,]")
_SAME_ASK = re.compile(
    r"(?<=呢)[？?，,]\s*也(?:有|能|可以|给|补|算|适用)[^，,。？?]{0,6}[吗嘛][？?]?$"
)


def is_followup(question: str) -> bool:
    """Whether a question leans on the previous turn ("那省级的呢？", "如果是300万元呢？")."""
    q = normalize(question)
    if _FOLLOWUP_START.match(q) or _BACK_REFERENCE.search(q) or _DEMONSTRATIVE.search(q):
        return True
    if _CORRECTION.match(q):
        return True
    if _SUPPOSED.match(q) and q.rstrip("?？").endswith("呢"):
        return True
    # "加速器呢？也有吗？": a short question whose first part is the bare "X呢".
    return len(q) <= 16 and (q.rstrip("?？").endswith("呢") or _BARE_THEN_ASK.match(q) is not None)


def resolve_followup(
    question: str,
    history: Sequence[Turn],
    aliases: Sequence[str],
    industries: Sequence[str] = (),
) -> str:
    """Rewrite a follow-up ("那省级的呢？") into a standalone question using the last user turn.

    A slot the follow-up names (tier, subject, region, amount) replaces the same slot of the
    previous question; otherwise the follow-up is appended to it. A standalone question is
    unchanged.
    """
    users = user_turns(history)
    if not users:
        return question
    # Each earlier turn is resolved against the ones before it, so a third turn carries the
    # meaning the second one had (not the second turn's bare words). Every step is cut to the
    # question limit: a history turn may be 4,000 characters, and what is embedded must stay
    # as bounded as a question.
    resolved = [users[0][:MAX_QUESTION_CHARS]]
    for earlier in users[1:]:
        step = sum_of_turns(earlier, resolved) or resolve_against(
            earlier, resolved[-1], aliases, industries=industries
        )
        resolved.append(step[:MAX_QUESTION_CHARS])
    summed = sum_of_turns(question, resolved)
    if summed is not None:
        return summed[:MAX_QUESTION_CHARS]
    return resolve_against(question, resolved[-1], aliases, industries=industries)[
        :MAX_QUESTION_CHARS
    ]


def sum_of_turns(question: str, resolved: Sequence[str]) -> str | None:
    """ "两个项目加起来呢？" after turns that each gave one figure (300万, then 800万) or one
    grade (国家级, then 省级): the last turn with every one listed ("实际付了300万和800万",
    "国家级和省级孵化器"), so each is computed as its own item and the caps over all of them
    apply. None for any other question."""
    q = normalize(question)
    more = _one_more(q, resolved)
    if more is not None:
        return more
    if not (is_followup(q) and _SUMMED.search(q) and _BOTH.search(q)) or _AMOUNT.search(q):
        return None
    turns = [with_grades_spelled(normalize(turn)) for turn in resolved]
    rest = _FOLLOWUP_START.sub("", q).strip(" ,，")
    # The slot the turns varied: their figures (300万, 800万), else their grades (国家级, 省级).
    for slot in (_AMOUNT, _GRADE):
        said = list(dict.fromkeys(m.group(0) for t in turns if (m := slot.search(t))))
        at = slot.search(turns[-1])
        if len(said) >= 2 and at is not None:
            return _listed(turns[-1], at, said, rest)
    # Else the payer each turn asked about (市级, then 省里): the first turn asks for them all.
    payers = list(dict.fromkeys(m.group(0) for t in turns for m in _PAYER.finditer(t)))
    at = _PAYER.search(turns[0])
    if len(payers) >= 2 and at is not None:
        return _listed(turns[0], at, payers, rest)
    return None


# "我们还有第二个横向项目，实际付了700万", "再加一个实际付了600万的": one more of the same.
_ONE_MORE = re.compile(
    r"还有(?:第[二三四五六]|另一|一)个|再加(?:上)?一个|另外(?:还有)?一个|又有一个|再来一个"
    r"|(?:再|又)(?:签|做|接|投|搞)了?一个"
)


def _one_more(q: str, resolved: Sequence[str]) -> str | None:
    """"我们还有第二个横向项目，实际付了700万，两个加一起能拿多少？" after a turn that gave one
    project's figure (or several already listed): the last turn with the new figure added to its
    list, so each is computed as its own project and the caps over all of them apply. None
    unless the follow-up adds one more thing with one figure and asks a total."""
    if not (resolved and _ONE_MORE.search(q) and _SUMMED.search(q)):
        return None
    new = [m.group(0) for m in _AMOUNT.finditer(q)]
    last = normalize(resolved[-1])
    span = _figures_span(last)
    if len(new) != 1 or span is None:
        return None
    start, end = span
    old = [m.group(0) for m in _AMOUNT.finditer(last, start, end)]
    # Only the ask follows: the new figure now stands in the list, not twice.
    asks = [p for p in re.split(r"[，,。；;]", q) if _ASK.search(p) and not _AMOUNT.search(p)]
    if not asks:
        return None
    rest = asks[-1].strip()
    return f"{last[:start]}{'和'.join([*old, *new])}{last[end:].rstrip('?？。')}，{rest}"


def _listed(turn: str, at: re.Match[str], said: Sequence[str], rest: str) -> str:
    """`turn` with the value at `at` replaced by every value `said`, then the follow-up."""
    listed = "和".join(said)
    return f"{turn[: at.start()]}{listed}{turn[at.end() :].rstrip('?？。')}，{rest}"


def resolve_against(
    question: str,
    previous: str,
    aliases: Sequence[str],
    followup: bool | None = None,
    industries: Sequence[str] = (),
) -> str:
    """`question` rewritten against one standalone (resolved) previous question; a question
    that is no follow-up (`is_followup`, unless `followup` says) is returned unchanged."""
    if not (is_followup(question) if followup is None else followup):
        return question
    resolved = _rewritten(question, previous, aliases, industries)
    resolved = _denials_withdrawn(normalize(question), resolved)
    # "假如我们不是科技型中小企业，只是普通的规上企业": what the asker says it is not holds
    # whatever slot the rewrite replaced.
    q = normalize(question)
    denials = [
        a.text for a in attributes_in(q) if a.polarity == "negative" and a.text not in resolved
    ]
    if not denials:
        return resolved
    head = resolved.rstrip("?？。")
    return f"{head}，{'，'.join(denials)}?"[:MAX_QUESTION_CHARS]


# "那假设就是首轮…": a fact asserted anew, and an ordinal of its kind ("第二轮" beside "首轮").
_ASSERTED = re.compile(
    r"(?:就是|确实是|其实是|算是|我们是|我们属于)(?P<x>[\u4e00-\u9fff]{2,10}?)(?=[，,。；;？?]|$)"
)
_ORDINAL = re.compile(r"(?:首|第[一二三四五六七八九十\d]+)(?P<of>[轮批次])")
_NEGATING = re.compile(r"不是|并非|不属于|没有|没|未|非")


def _denials_withdrawn(q: str, resolved: str) -> str:
    """ "那假设就是首轮，投了1200万…" after a turn said "我们这是跟投的第二轮，首轮不是我们投的":
    a fact the follow-up asserts withdraws the earlier clauses denying it, and those naming
    another ordinal of its kind, so the supposition is what the answer reads."""
    m = _ASSERTED.search(q)
    if m is None:
        return resolved
    x = m.group("x")
    kind = _ORDINAL.fullmatch(x)
    parts = re.split(r"([，,。；;？?])", resolved)
    ask_at = max((i for i, p in enumerate(parts) if _ASKING.search(p)), default=len(parts))
    out: list[str] = []
    for i in range(0, len(parts), 2):
        part = parts[i]
        other = [o.group(0) for o in _ORDINAL.finditer(part)]
        withdrawn = i < ask_at and (
            (x in part and _NEGATING.search(part) is not None)
            or (kind is not None and any(o != x and o.endswith(kind.group("of")) for o in other))
        )
        if not withdrawn:
            out.append(part + (parts[i + 1] if i + 1 < len(parts) else ""))
    return re.sub(r"[，,]{2,}", "，", "".join(out)) or resolved


# "还有3项省自然科学基金的，全部加起来呢", "再加上2家国家专精特新中小企业呢": items added.
_ADDED = re.compile(r"^(?:那要是|那么|那|要是|如果)?(?:再加上|再加|加上|另外还有|还有|外加)")


# "另外我们有个项目…", "那我们另外还有个加速器…": one thing more, of its own.
_ANOTHER = re.compile(
    r"^(?:那么?)?(?:我们|咱们)?(?:另外|此外|另)(?:我们|咱们)?(?:还)?有(?:一)?个[^，,。；;？?]+"
)


def _another_thing(q: str, old_slots: dict[str, str]) -> str | None:
    """ "另外我们有个项目列入了市重点研发计划，这个最高支持多少？" after a question about the
    high-tech grant: one thing more with an ask of its own, and no total asked, is a question
    of its own in the earlier place; read with the earlier facts it would be answered from the
    earlier thing's clause. None for any other follow-up."""
    m = _ANOTHER.match(q)
    if m is None or _SUMMED.search(q) or not _ASKING.search(q[m.end() :]):
        return None
    region = old_slots.get("region", "")
    return f"{region}，{q}" if region and region not in q else q


def _items_added(q: str, prev: str) -> str | None:
    """A follow-up adding counted items to the previous question's ("还有3项省自然科学基金的，
    全部加起来呢"): the previous question without its ask, the new items, and a total asked.
    None unless the follow-up opens with adding words and counts what it adds."""
    m = _ADDED.match(q)
    if m is None or not _COUNT.search(q):
        return None
    item = re.split(r"[，,。；;？?]", q[m.end() :])[0].removesuffix("呢").removesuffix("的")
    if not _COUNT.search(item):
        return None
    kept, _ = _last_ask_apart(prev)
    return f"{kept}，另外{item}，一共能拿多少?"


def _rewritten(
    question: str, previous: str, aliases: Sequence[str], industries: Sequence[str] = ()
) -> str:
    """The rewrite of `resolve_against`, for a follow-up."""
    q = with_grades_spelled(normalize(question))
    # "加速器呢？也有吗？": the 也 asks what the previous turn asked, of the new thing.
    q = _SAME_ASK.sub("?", q)
    # "那省财政那块呢？" asks how much that payer gives, as "省财政补多少" does.
    q = _PART_OF_PAYER.sub("补多少", q)
    prev = with_grades_spelled(normalize(previous))
    corrected = _corrected(q, prev, aliases, industries)
    if corrected is not None:
        return corrected
    added = _items_added(q, prev)
    if added is not None:
        return added
    new_slots, old_slots = _slots(q, aliases, industries), _slots(prev, aliases, industries)
    another = _another_thing(q, old_slots)
    if another is not None:
        return another
    phrase = _phrase_replaced(q, prev, new_slots, old_slots)
    if phrase is not None:
        return phrase
    graded = _graded_counts_replaced(q, prev, old_slots)
    if graded is not None:
        return _payer_asked(graded, q)
    denial = _fact_denied(q, prev)
    if denial is not None:
        return denial
    if set(new_slots) <= {"tier"} and "tier" not in old_slots:
        # "省级以上绿色工厂呢？": a grade that is part of the thing named, not one swapped.
        thing = _thing_replaced(q, prev) or _other_kind_asked(q, prev, old_slots)
        if thing is not None:
            return thing
    if not new_slots:
        fact = _attribute_replaced(q, prev)
        if fact is not None:
            return fact
    years = _years_added(q, prev)
    if years is not None:
        return years
    loss = _loss_replaced(q, prev, new_slots.get("amount"))
    if loss is not None:
        return loss
    replaced = prev
    for slot, value in new_slots.items():
        old = old_slots.get(slot)
        if old and old != value and slot == "count":
            head, _, tail = replaced.rpartition(old)
            replaced = f"{head}{value}{tail}"
        elif old and old != value:
            replaced = replaced.replace(old, value)
    count = new_slots.get("count")
    tier = new_slots.get("tier") or old_slots.get("tier")
    if count and "count" not in old_slots and tier and tier in replaced:
        # "两项省级的呢？" or "要是主持了3项呢？" after "主持省级…项目": the count goes before
        # the grade it counts.
        at = replaced.index(tier)
        replaced = f"{replaced[:at]}{count}{replaced[at:]}"
    rest = _FOLLOWUP_START.sub("", q).strip(" ,，")
    if len(_COUNT.findall(q)) >= 2 and "count" in old_slots:
        # Several counts ("8家高企，外加4家专精特新企业"): they replace the part of the
        # previous question that held its count.
        parts = re.split(r"([，,；;])", prev)
        held = max(i for i, part in enumerate(parts) if old_slots["count"] in part)
        said = rest.removesuffix("?").removesuffix("？").removesuffix("呢").strip("，,")
        return "".join([*parts[:held], said, *parts[held + 1 :]])
    figures = _figures_span(prev)
    if len(_AMOUNT.findall(q)) >= 2 and figures is not None:
        # Several figures ("两年分别花了100万元和300万元"): they replace every figure of the
        # previous question, not only its first one.
        start, end = figures
        said = rest.removesuffix("?").removesuffix("？").removesuffix("呢").strip("，,")
        return f"{prev[:start]}{said}{prev[end:]}"
    if replaced != prev and not ("amount" in new_slots and "amount" not in old_slots):
        dropped = _other_ask_dropped(replaced, rest)
        if dropped == replaced and not _new_figures(rest, replaced):
            return _payer_asked(replaced, q)
        if "region" in new_slots and _names_thing(rest, new_slots):
            # "换成日照，新筹建的山东省实验室市里怎么支持？": another place, a thing of its own
            # and an ask of its own — a whole question, which the previous one would only
            # pull back towards the previous place's documents.
            return _without_openers(q)
        # "换成日照，科技成果转化贷款贴息每家企业最高多少？" after a how-question: the slot is
        # swapped and the follow-up's own ask replaces the previous one.
        return f"{dropped}，{rest}"
    if replaced != prev:
        # A figure the previous question lacked ("省里规定的奖励额度是30万") is kept as said.
        prev = replaced
    own = _own_question(rest, new_slots, old_slots)
    if own is not None:
        return own
    # Appended: the earlier question is what gets shortened, so the follow-up itself is kept.
    prev = _other_ask_dropped(_payer_asked(prev, q, append=False), rest)
    head = prev.rstrip("?？。")[: max(0, MAX_QUESTION_CHARS - len(rest) - 1)]
    return f"{head}，{rest}"


# What the asker says of itself ("我们是…", "我们连续两年…"): facts the follow-up leans on.
_ASKER_SAYS = re.compile(
    r"我们|俺们|咱们|我司|本公司|我单位|本单位|这种情况|这个|这笔|这些|这两|上述|同样|如果|要是|假如|换成"
)


def _own_question(rest: str, new_slots: dict[str, str], old_slots: dict[str, str]) -> str | None:
    """ "那重大科技攻关项目，单个项目市级财政最多支持多少？" after a question about 贷款贴息: a
    follow-up naming another thing with an ask of its own, and nothing of the asker or of the
    earlier turn, is a whole question in the earlier place; appending it to the earlier one
    would pull the answer back to the earlier thing."""
    asks = [c for c in re.split(r"[，,。；;？?]", rest) if _ASKING.search(c)]
    # A figure or a supposition ("如果三年每年都付200万", "同样花50万") varies the earlier case.
    if not asks or "region" in new_slots or _ASKER_SAYS.search(rest) or _AMOUNT.search(rest):
        return None
    body = "".join(c for c in re.split(r"[，,。；;？?]", rest) if c not in asks)
    if len(body) < 6 or not set(new_slots) - {"region"}:
        return None
    region = old_slots.get("region")
    return f"{region}{rest}" if region else None


def _payer_asked(resolved: str, q: str, append: bool = True) -> str:
    """A follow-up asking another payer's part ("那省里能补多少", "市级最多补多少") asks
    instead of, not besides, the payers the earlier questions asked: those are dropped from
    their asks, and the follow-up's ask is added (unless `append` is False: it is added by the
    caller)."""
    asks = [part for part in re.split(r"[，,。；;？?]", q) if _ASK.search(part)]
    if not asks or not _PAYER_ASKED.search(asks[-1]):
        return resolved
    dropped = _PAYER_ASKED.sub("", resolved)
    if not append:
        return dropped
    return f"{dropped.rstrip('?？。')}，{asks[-1].strip()}?"


def _new_figures(rest: str, resolved: str) -> bool:
    """Whether a follow-up states figures the resolved question lacks ("那我们是科技型中小企业，
    连续两年研发投入都超过500万，增长了120%…"): a case of its own, not only a slot swapped."""
    said = [m.group(0) for m in re.finditer(rf"{_AMOUNT.pattern}|\d+(?:\.\d+)?%", rest)]
    return any(figure not in resolved for figure in said)


def _names_thing(text: str, slots: dict[str, str]) -> bool:
    """Whether a follow-up names a thing beyond the place it swaps: words left once the place
    and the asking clause are taken out ("科技成果转化贷款贴息", "新筹建的山东省实验室")."""
    clauses = [c for c in re.split(r"[，,。；;？?]", text) if c.strip()]
    region = slots.get("region", "")
    body = "".join(c.replace(region, "", 1) for c in clauses)
    return len(body) >= 8


def ask_kind(clause: str) -> str:
    """What one asking clause asks for: who, choice, threshold, how, amount, whether, other."""
    for kind, pattern in (
        ("who", ASKS_WHO),
        ("choice", ASKS_CHOICE),
        ("threshold", _THRESHOLD),
        ("how", _HOW),
        ("amount", ASKS_AMOUNT),
        ("whether", ASKS_WHETHER),
    ):
        if pattern.search(clause):
            return kind
    return "other"


def _other_ask_dropped(previous: str, followup: str) -> str:
    """`previous` without its last asking clause when the follow-up asks another kind of thing
    ("由哪些部门负责" after "最多能拿多少"): the resolved question then asks what the follow-up
    asks, and nothing it no longer asks. Unchanged when the follow-up asks nothing of its own
    ("那省级的呢？") or the same kind of thing."""
    new = [c for c in re.split(r"[，,。；;？?]", followup) if _ASKING.search(c)]
    kept, old = _last_ask_apart(previous)
    if not new or not old:
        return previous
    if _ONE_YEAR_ASKED.search(old) and _YEARS_ASKED.search(new[-1]):
        # "三年一共能拿多少" after "一年能支持多少": the years' total replaces the year's.
        return kept or previous
    if ask_kind(old) == ask_kind(new[-1]):
        return previous
    return kept or previous


_ONE_YEAR_ASKED = re.compile(r"(?:一年|每年|当年|今年)[^，,。；;？?]{0,6}(?:多少|几)")
_YEARS_ASKED = re.compile(r"(?:[2-9两三四五]|十)年[^，,。；;？?]{0,8}(?:多少|几)")


def _last_ask_apart(text: str) -> tuple[str, str]:
    """(`text` before its last asking clause, that clause); (`text`, "") when no clause asks.
    A follow-up's own ask takes the place of the one cut off."""
    parts = re.split(r"([，,。；;？?])", text)
    asking = [i for i, part in enumerate(parts) if _ASKING.search(part)]
    if not asking:
        return text.rstrip("，,。；;？? "), ""
    return "".join(parts[: asking[-1]]).rstrip("，,。；;？? "), parts[asking[-1]]


def _phrase_replaced(
    q: str, prev: str, new_slots: dict[str, str], old_slots: dict[str, str]
) -> str | None:
    """ "新筹建的全国重点实验室呢？" after "对新获批牵头建设的山东省重点实验室，…", or "绩效评价优秀
    的市级技术转移服务机构呢？" after "日照新认定的省级概念验证中心…": a follow-up that is a
    whole described thing (modifiers, grade, subject) replaces the previous description of the
    thing asked about, from the clause start (after a place named there) to its subject; a
    grade the previous clause repeats later ("刚被新认定为国家级") follows the new one. None
    when the follow-up is no such phrase."""
    subject = new_slots.get("subject")
    said = _without_openers(q).rstrip("?？").removesuffix("呢")
    asked = ""
    if subject and not said.endswith(subject):
        # "换成刚被认定的市级科技园区，能拿那100万吗": the described thing, then its own ask.
        m = re.match(rf"^(.*?{re.escape(subject)})[，,](.+)$", said)
        if m and _ASKING.search(m.group(2)):
            said, asked = m.group(1), m.group(2)
    if not subject or "的" not in said or not said.endswith(subject):
        return None
    # The same subject described anew, else another subject in place of the previous one.
    old = subject if subject in prev else old_slots.get("subject")
    if not old or old not in prev:
        return None
    end = prev.index(old) + len(old)
    start = max(prev.rfind(mark, 0, end - len(old)) for mark in ("对", "，", ",", "；")) + 1
    place = old_slots.get("region")
    if place and prev.startswith(place, start):
        start += len(place)
    tail = prev[end:]
    new_tier, old_tier = new_slots.get("tier"), old_slots.get("tier")
    clause_end = re.search(r"[，,。；;？?]|$", tail)
    cut = clause_end.start() if clause_end else len(tail)
    if new_tier and old_tier and old_tier in tail[:cut]:
        # "刚被新认定为国家级" said the old grade again: the new phrase has said the grade.
        tail = tail[cut:]
    replaced = f"{prev[:start]}{said}{tail}"
    if not asked:
        return replaced
    kept, _ = _last_ask_apart(replaced)
    return f"{kept}，{asked}?"


# Where a described thing begins, its modifiers included: after a break or a preposition.
_THING_START = "，,。；;：:里对在用"


def _thing_replaced(q: str, prev: str) -> str | None:
    """ "那重大科技成果转化项目呢？" after "…的重大科技攻关项目，单个项目最多支持多少": a follow-up
    that is only another thing, of no slot the rewrite knows, takes the place of the previous
    thing of the same kind (its last two characters: 项目), the one sharing most words with it.
    None when the follow-up says more than a thing, or the previous turn names no thing of its
    kind (then it is appended, as the retriever reads it best)."""
    # A thing is words ("省级以上绿色工厂"), not a year ("2025年"), a fact ("企业在直管县"), a
    # denial or a list.
    said = _bare_thing(q)
    if said is None:
        return None
    head = said[-2:]
    found: list[tuple[int, int, int]] = []  # (shared characters, start, end)
    for m in re.finditer(re.escape(head), prev):
        start = max(prev.rfind(c, 0, m.start()) for c in _THING_START) + 1
        start = max(start, m.end() - 20)
        found.append((len(set(prev[start : m.start()]) & set(said[:-2])), start, m.end()))
    most = max((f[0] for f in found), default=None)
    best = [f for f in found if f[0] == most]
    if len(best) != 1:
        return None  # none of its kind, or two sharing as much: no telling which
    _, start, end = best[0]
    return f"{prev[:start]}{said}{prev[end:]}"


def _bare_thing(q: str) -> str | None:
    """The thing a follow-up names and nothing else ("那重大科技成果转化项目呢？" →
    重大科技成果转化项目): words, not a year, a fact, a denial, a list or an ask."""
    said = _without_openers(q).rstrip("?？").removesuffix("呢").removesuffix("的")
    if len(re.findall(r"[\u4e00-\u9fff]", re.sub(r"\d+年", "", said))) < 4:
        return None
    if re.search(r"[，,。；;：:在是有对用和与及或不没未非]", said) or _ASKING.search(said):
        return None
    return said


def _other_kind_asked(q: str, prev: str, old_slots: dict[str, str]) -> str | None:
    """ "市重点研发计划项目呢？" after "日照重大科技创新专项，每项最多给多少钱": a bare thing of
    another kind than any the previous turn names (no thing there ends as it does) asks the
    previous ask of it, in the previous place. None when the previous turn names a thing of
    its kind (`_thing_replaced` swaps that) or asks nothing."""
    said = _bare_thing(q)
    # A span of time ("连续三年呢") is no thing; a count or a target asked ("要达到多少家") is
    # asked of the earlier thing only.
    if said is None or said[-2:] in prev or re.search(r"年|月|连续|每|累计|第", said):
        return None
    _, ask = _last_ask_apart(prev)
    region = old_slots.get("region", "")
    if not ask or ask_kind(ask) != "amount" or not region or region in said:
        return None
    return f"{region}{said}，{ask.strip(' ，,')}?"


def _attribute_replaced(q: str, prev: str) -> str | None:
    """ "如果绩效评价只是合格呢？" after "…，绩效评价优秀，…": a follow-up restating a fact the
    previous turn gave (the words it opens with, 绩效评价) with another value replaces that fact,
    up to the end of its clause. None when the previous turn has no such fact."""
    said = _without_openers(q).rstrip("?？").removesuffix("呢")
    if re.search(r"[，,。；;：:]", said) or _ASKING.search(said):
        return None
    for n in range(len(said) - 1, 2, -1):
        if not re.fullmatch(r"[\u4e00-\u9fff]{3,}", said[:n]):
            continue  # the fact is named in words (绩效评价), not by a year or a figure
        at = prev.find(said[:n])
        if at < 0:
            continue
        if said[n:] == "" or said[:n] == said:
            return None  # nothing new said of it
        end = re.search(r"[，,。；;？?]|$", prev[at:])
        stop = at + (end.start() if end else len(prev) - at)
        return f"{prev[:at]}{said}{prev[stop:]}"
    return None


_DENIAL = re.compile(r"(?:不是|不在|不属于|并非|非)(?P<x>[\u4e00-\u9fff]{2,12})")


def _fact_denied(q: str, prev: str) -> str | None:
    """ "如果不是直管县呢？" after "…？我们在省财政直管县。": a follow-up denying a fact the earlier
    turn stated replaces the clause that stated it, so the earlier fact no longer holds. None
    when the follow-up is no bare denial, or no clause of the earlier turn states the fact."""
    said = _without_openers(q).rstrip("?？").removesuffix("呢")
    m = _DENIAL.fullmatch(said)
    if m is None:
        return None
    parts = re.split(r"([，,。；;？?])", prev)
    stating = [
        i
        for i, part in enumerate(parts)
        if m.group("x") in part and not re.search(r"不|没|未|非", part) and not _ASKING.search(part)
    ]
    if len(stating) != 1:
        return None
    parts[stating[0]] = said
    return "".join(parts)


# "我数错了，…", "说错了，…", "更正一下，…", "哎不对，…": the turn corrects what was said
# before, so its facts take the place of the earlier ones of their kind.
_CORRECTION = re.compile(
    r"^(?:等一?下|等等|哎呀?|唉|啊|哦|噢|嗯|抱歉|不好意思)?[，,。!！]?"
    r"(?:我们?|俺|咱|刚才|前面)?(?:说错了|搞错了|数错了|记错了|写错了|弄错了|算错了|打错了|讲错了"
    r"|更正一下|更正|纠正一下|纠正|不对|再确认个事|再确认一下)[了啊呀]?[，,。!！：:]*"
)
# The kinds of fact a correction restates, with how strongly sharing one ties a corrected
# clause to the earlier clause it replaces: counts and the kind of enterprise say most.
_SIZE = re.compile(
    r"(?:大型|中型|小型|微型|小微|中小微?|规(?:模以)?上|规下|科技型中小|高新技术|国有|民营)(?:工业)?企业"
)
_YEAR = re.compile(r"\d{4}年|去年|今年|前年|明年|上年度?|当年")
_NEGATED = re.compile(
    r"(?:没有|没|未|不是|不属于|并非|非)(?:入驻|列入|获得|认定为?)?(?P<x>[\u4e00-\u9fff]{2,8})"
)


def _fact_kinds(
    part: str, aliases: Sequence[str], industries: Sequence[str]
) -> dict[str, list[str]]:
    """The facts of each kind a clause states, by kind (count, size, industry, amount, tier,
    year, region), each as the words that state it."""
    found: dict[str, list[str]] = {
        "count": re.findall(_COUNTED, part),
        "size": _SIZE.findall(part),
        "industry": [t for t in industries if t in part][:1] or [f for f in [_field(part)] if f],
        "amount": _AMOUNT.findall(part),
        "tier": _GRADE.findall(part),
        "year": _YEAR.findall(part),
        "region": [w for w, _ in find_places(part)] or [a for a in aliases if a in part],
    }
    return {kind: words for kind, words in found.items() if words}


# A payer named in an ask ("区县要出多少", "市里承担多少").
_PAYER_SAID = re.compile(r"(?:省|市|区县|区|县)(?:里|级|本级|财政|要|出|承担|配套|负担)")
_KIND_WEIGHT = {
    "count": 3, "size": 3, "industry": 3, "amount": 2, "tier": 2, "year": 1, "region": 1
}
# Facts stated by a value alone: the earlier clause keeps its words and takes the new value.
_VALUE_KINDS = {"amount", "tier", "year", "region"}


def _corrected(
    q: str, prev: str, aliases: Sequence[str], industries: Sequence[str]
) -> str | None:
    """ "我数错了，这一年实际是9家高企、3家小巨人企业，没有专精特新，那能拿多少？" after "…，这一年
    新培育了3家高新技术企业、2家国家专精特新中小企业，按细则能拿多少补助？": a correction's facts
    take the place of the earlier clauses stating facts of their kind. Counts, the kind of
    enterprise, the industry or a restated attribute (绩效评价) replace the clause; a sum, grade,
    year or place is swapped inside its clause (the last said wins: "后来又补付了二十万，现在一共
    付了六十万"), with the correction's other words beside it ("跟投的第二轮"); a denial goes
    beside the clause naming what it denies; a fact of no earlier kind is added before the ask.
    The earlier ask is kept (it names what is asked about: "创新券这块能给补多少"), unless the
    correction asks another kind of thing, another payer's part, or about a thing of its own
    ("泰安高企要突破多少家"). None for a turn that corrects nothing."""
    m = _CORRECTION.match(q)
    if m is None:
        return None
    rest = _QUOTES.sub("", q[m.end() :]).strip(" ,，")
    said = [c.strip() for c in re.split(r"[，,。；;？?!！：:]", rest) if c.strip()]
    facts = [c for c in said if not _ASKING.search(c)]
    asks = [c for c in said if _ASKING.search(c)]
    if not facts:
        return None
    parts = re.split(r"([，,。；;？?])", _QUOTES.sub("", prev))
    ask_at = max((i for i, p in enumerate(parts) if _ASKING.search(p)), default=len(parts))
    stating = [i for i in range(0, min(ask_at, len(parts)), 2) if parts[i].strip()]
    kinds = {i: _fact_kinds(parts[i], aliases, industries) for i in stating}
    said_kinds = [_fact_kinds(fact, aliases, industries) for fact in facts]
    whole: dict[int, list[str]] = {}
    values: dict[int, dict[str, str]] = {}
    beside: dict[int, list[str]] = {}
    added: list[str] = []
    for n, fact in enumerate(facts):
        own = said_kinds[n]
        denied = _NEGATED.search(fact)
        if _DENYING.match(fact) and any(
            k in other for k in own for j, other in enumerate(said_kinds) if j != n
        ):
            continue  # "是300万，不是200万": the denied value is the one corrected
        restated = {i for i in stating if _shared_run(fact, parts[i]) >= 4}
        scores = {
            i: sum(_KIND_WEIGHT[k] for k in own if k in kinds[i])
            + (2 if denied and denied.group("x") in parts[i] else 0)
            + (2 if i in restated else 0)
            # "我们这500万是跟投的第三轮": a value said again points at the clause it was said in;
            # "首轮投的是一千五百万" at the clause saying what was invested, not what was lost.
            + (1 if any(w in parts[i] for words in own.values() for w in words) else 0)
            + (1 if "amount" in own and _shared_run(fact, parts[i]) >= 2 else 0)
            + (1 if "amount" in own and _lost(fact) == _lost(parts[i]) else 0)
            for i in stating
        }
        best = max(scores.values(), default=0)
        if best == 0:
            added.append(fact)
            continue
        # Of clauses alike, the latest: a correction corrects what was said last.
        at = max(i for i, score in scores.items() if score == best)
        if denied or _DENYING.match(fact):
            beside.setdefault(at, []).append(fact)
        elif _swappable(own, kinds[at], at in restated):
            # "投入还是150万", "批下来的是市级孵化器", "一共主持了三项": the value swapped, the
            # clause kept; of one kind said twice, the last.
            for kind in own:
                values.setdefault(at, {})[kind] = own[kind][-1]
            more = _without_values(fact, own)
            if _says_more(more, parts[at]):
                beside.setdefault(at, []).append(more)
        else:
            whole.setdefault(at, []).append(_replacement(parts[at], fact, kinds[at], own, rest))
    for i in stating:
        text = parts[i]
        for kind, value in values.get(i, {}).items():
            text = text.replace(kinds[i][kind][0], value, 1)
        parts[i] = "，".join(dict.fromkeys([*(whole.get(i) or [text]), *beside.get(i, [])]))
    kept, ask = "".join(parts[:ask_at]).rstrip("，,。；;？? "), "".join(parts[ask_at:])
    if asks and (
        not ask
        or ask_kind(asks[-1]) not in {ask_kind(ask), "amount", "whether"}
        or _PAYER_SAID.search(asks[-1])
        or _asks_own_thing(asks[-1], aliases)
    ):
        ask = f"{asks[-1]}?"
    body = "，".join([kept, *added]) if kept else "，".join(added)
    return f"{body}，{ask.lstrip('，,。；; ')}" if ask else body


_LOST = re.compile(r"亏|损失|赔")


def _lost(text: str) -> bool:
    """Whether a clause speaks of a loss (亏了一千万), not of what was invested or paid."""
    return _LOST.search(text) is not None


_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_DENYING = re.compile(r"^(?:而)?(?:不是|并非|并不是|不属于|没有|没|未)")
# Words a correction says around the value it corrects ("其实是", "还是"): no fact of their own.
_FILLER = re.compile(
    r"其实|实际上?|还是|就是|应该|我们|咱们|这个|那个|也是|都是|的是|是|的|了|这|那"
)
_ASK_WORDS = re.compile(
    r"那么?|这|多少|几|吗|呢|还|能|可以|可|要|最多|最高|给|补|拿|支持|奖励|一共|合计|有没有|是否"
)


def _shared_run(a: str, b: str) -> int:
    """The longest run of Chinese characters two clauses share outside filler words and grades
    (a grade said anew is a value swapped, not an attribute restated)."""

    # Each side's breaks become a mark of its own, so no shared run spans one.
    def words_only(text: str, mark: str) -> str:
        return re.sub(r"[^\u4e00-\u9fff]", mark, _GRADE.sub(mark, _FILLER.sub(mark, text)))

    return shared_run(words_only(a, "\x00"), words_only(b, "\x01"))


def _swappable(own: dict[str, list[str]], kinds: dict[str, list[str]], restated: bool) -> bool:
    """Whether a correction states only values its clause has, each to swap in place: a sum,
    grade, year, place, or one count for the clause's one count. A clause whose attribute the
    correction restates ("上年度绩效评价其实是良好") is replaced instead, unless a sum, grade or
    count is what the correction changes ("是省自然科学基金")."""
    if not own or any(k not in kinds for k in own):
        return False
    single_count = len(own.get("count", ())) == 1 and len(kinds.get("count", ())) == 1
    if not set(own) <= _VALUE_KINDS | ({"count"} if single_count else set()):
        return False
    return not restated or bool(set(own) & {"amount", "tier", "count"})


def _without_values(fact: str, own: dict[str, list[str]]) -> str:
    """A correction without the values it states ("我们这600万是跟投的第二轮" → "我们这是跟投的
    第二轮"), so what it says beside them adds no second figure."""
    for words in own.values():
        for word in words:
            fact = fact.replace(word, "")
    return fact


def _says_more(fact: str, earlier: str) -> bool:
    """Whether a correction says more than its values ("我们这是跟投的第二轮"): two characters
    together, outside filler words, that the earlier clause lacks."""
    rest = _FILLER.sub("|", fact)
    return any(
        run[k : k + 2] not in earlier
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", rest)
        for k in range(len(run) - 1)
    )


def _asks_own_thing(ask: str, aliases: Sequence[str]) -> bool:
    """An ask naming a thing of its own ("泰安高企要突破多少家"), not only asking ("那还能补吗")."""
    for place in [w for w, _ in find_places(ask)] or [a for a in aliases if a in ask]:
        ask = ask.replace(place, "")
    left = _ASK_WORDS.sub("", ask)
    return len(re.findall(r"[\u4e00-\u9fff]", left)) >= 4


def _replacement(
    earlier: str,
    fact: str,
    kinds: dict[str, list[str]],
    own: dict[str, list[str]],
    rest: str,
) -> str:
    """The clause a correction replaces, as corrected: the correction itself, with the place the
    earlier clause named when the correction names none. When the earlier clause names what the
    grant is for ("用揭榜挂帅的方式做一个造纸项目") and the correction does not, a correction of
    the enterprise or its industry keeps that clause, without the facts it restates, and
    follows it (a correction of counts restates the things counted)."""
    topics = [w for w in (*object_words(), *SUBJECT_WORDS) if w in earlier and w not in rest]
    if topics and "count" not in own:
        for words in kinds.values():
            for word in words:
                earlier = earlier.replace(word, "")
        return f"{earlier}，{fact}"
    places = [p for p in kinds.get("region", []) if p not in rest]
    return f"{places[0]}，{fact}" if places else fact


def _without_openers(q: str) -> str:
    """The follow-up without its openers, however many ("那如果是…" → "…")."""
    rest = q.strip(" ,，")
    while (m := _FOLLOWUP_START.match(rest)) and m.end() > 0:
        rest = rest[m.end() :].strip(" ,，")
    return rest


# "2项国家级、3项省级": counts each of a grade.
# A count of things, "一项" included ("2项", "三个").
_COUNTED = r"(?:\d+|[一两三四五六七八九十]+)\s*[家个项所座]"
_GRADED_COUNT = re.compile(rf"{_COUNTED}\s*(?:{_GRADE.pattern})")


_COUNT_BEFORE = re.compile(rf"{_COUNTED}$")
_COUNT_AFTER_GRADE = re.compile(rf"(?P<grade>{_GRADE.pattern})的?\s*(?P<count>{_COUNTED})")
# A bare level (省, 国家) before the thing, after its count or the verb that earned it.
_BARE_LEVEL = re.compile(
    rf"(?P<counted>{_COUNTED}|(?<=主持了)|(?<=主持))(?P<level>国家|省|市)(?![级里财])"
)


def _graded_counts_replaced(q: str, prev: str, old_slots: dict[str, str]) -> str | None:
    """ "我们单位今年主持了2项国家级、3项省级，总共能拿多少？" after "…主持省级自然科学基金项目，
    …": several counts each of a grade replace the previous question's grade (and its count),
    so each grade is computed as its own item. None unless the follow-up lists two or more."""
    found = list(_GRADED_COUNT.finditer(q))
    listed = q[found[0].start() : found[-1].end()] if len(found) >= 2 else ""
    if not listed:
        # "国家级的2项、省级的3项": the same, the grade said first.
        after = list(_COUNT_AFTER_GRADE.finditer(q))
        listed = "、".join(f"{m['count']}{m['grade']}" for m in after) if len(after) >= 2 else ""
    if not listed:
        return None
    tier = old_slots.get("tier")
    if tier and tier in prev:
        at, end = prev.index(tier), prev.index(tier) + len(tier)
        # Its count goes with it ("一项国家级" too, which the count slot leaves out).
        counted = _COUNT_BEFORE.search(prev, 0, at)
        start = counted.start() if counted else at
    elif bare := _BARE_LEVEL.search(prev):
        # "主持了一项省自然科学基金项目": the level said bare, with its count.
        start, end = bare.start("counted"), bare.end("level")
    else:
        return None
    replaced = f"{prev[:start]}{listed}{prev[end:]}"
    asks = [c for c in re.split(r"[，,。；;？?]", q) if _ASKING.search(c)]
    if not asks or not ASKS_TOTAL.search(asks[-1]):
        return replaced
    # A total asked ("总共能拿多少") replaces the previous ask, so every item is added up.
    kept, _ = _last_ask_apart(replaced)
    return f"{kept}，{asks[-1].strip()}?"


_ORDINAL_YEAR = re.compile(r"第[一二三四五六七八九十\d]+年")


def _years_added(q: str, prev: str) -> str | None:
    """ "第二年付了150万、第三年付了200万，三年加起来一共能拿多少？" after "第一年实际支付运营经费
    100万，能支持多少？": later years asked together with the earlier one add to it, rather than
    replacing its figure, and the follow-up's ask replaces the previous ask ("第三年付了400万，
    这年能拿多少" asks that year's part, which a cumulative cap makes depend on the earlier
    years). None unless the follow-up names other years than the previous question."""
    new = set(_ORDINAL_YEAR.findall(q))
    old = set(_ORDINAL_YEAR.findall(prev))
    if not new or not old or new & old:
        return None
    kept, ask = _last_ask_apart(prev)
    said = _without_openers(q)
    if not _ASKING.search(said) and ask:
        # "第二年付了200万呢？" asks the earlier question of that year: its ask, for that year.
        said = said.rstrip("?？ ").removesuffix("呢").rstrip("，, ")
        year = _ORDINAL_YEAR.findall(q)[-1]
        return f"{kept}，{said}，{year}{ask.strip()}?"
    return f"{kept}，{said}"


_LOSS_BEFORE = re.compile(
    r"(?:亏损|损失|亏了|亏掉|赔了|亏)了?(?:只有|只是|只|才|大约|约|近|达|大概|差不多|一共|共)?$"
)


def _loss_replaced(q: str, prev: str, amount: str | None) -> str | None:
    """ "要是最后只亏了八十万呢？" after "投了六百万…亏了四百万": the new loss replaces the
    earlier loss, not the first sum said (the investment). None unless both say a loss."""
    at = q.find(amount) if amount else -1
    if amount is None or at < 0 or not _LOSS_BEFORE.search(q, 0, at):
        return None
    for m in _AMOUNT.finditer(prev):
        if _LOSS_BEFORE.search(prev, 0, m.start()):
            return f"{prev[: m.start()]}{amount}{prev[m.end() :]}"
    return None


def _figures_span(text: str) -> tuple[int, int] | None:
    """From the first amount of a question to its last, with a "每年/一年" just before it."""
    found = list(_AMOUNT.finditer(text))
    if not found:
        return None
    start = found[0].start()
    lead = re.search(r"(每年|一年|每个项目)?[^，。,；;？?]{0,12}$", text[:start])
    if lead and lead.group(1):
        start = lead.start()
    return start, found[-1].end()


def merge_frames(
    previous: QuestionFrame, partial: QuestionFrame, resolved: QuestionFrame
) -> QuestionFrame:
    """The resolved frame of a follow-up: each slot the follow-up names (regions, subjects,
    years, objects) replaces the previous turn's; the others are carried over. Tiers,
    quantities and intent are read from the resolved question (`resolved`), since the text
    rewrite has already put the follow-up's tier or figures in their place ("那省级的呢？" names
    a grade without its subject)."""
    return resolved.with_(
        regions=partial.regions or previous.regions,
        subjects=partial.subjects or previous.subjects,
        years=partial.years or previous.years,
        # An object the rewrite left out ("那重大科技攻关项目…" became a question of its own)
        # is no longer asked about.
        objects=partial.objects or tuple(o for o in previous.objects if o in resolved.text),
        extra={
            **resolved.extra,
            "carried": [
                slot
                for slot in ("regions", "subjects", "years", "objects")
                if not getattr(partial, slot) and getattr(previous, slot)
            ],
        },
    )


def conversation_frame(
    turns: Sequence[str],
    standalone: Callable[[str], QuestionFrame],
    aliases: Sequence[str],
    off_topics: Sequence[str] = (),
    industries: Sequence[str] = (),
) -> QuestionFrame:
    """The resolved frame of the last of `turns` (the user's questions, oldest first).

    Turn by turn: each follow-up's partial frame is merged into the previous turn's resolved
    frame, so the third turn carries what the second one meant; a follow-up adding up earlier
    turns ("两个项目加起来呢？") lists each turn's figure (`sum_of_turns`). `standalone` builds
    the frame of a question read on its own. A turn wholly about a topic of `off_topics` (terms
    the corpus never mentions: "那高企的企业所得税能减按多少税率征收？") is a question of its own,
    answered as not covered rather than folded into the last one."""
    if not turns:
        raise ValueError("conversation_frame needs at least one turn")
    frame = standalone(turns[0])
    chain = [frame.resolved]  # the resolved questions since the last standalone one
    for turn in turns[1:]:
        partial = standalone(turn)
        followup = is_followup(turn) or (_names_no_topic(partial) and _names_topic(frame))
        if not followup or wholly_off_topic(normalize(turn), off_topics):
            frame = partial
            chain = [frame.resolved]
            continue
        resolved = sum_of_turns(turn, chain) or resolve_against(
            turn, _asked_of_a_figure(turn, chain), aliases, followup=True, industries=industries
        )
        frame = merge_frames(frame, partial, standalone(resolved))
        chain.append(frame.resolved)
    return frame


def _names_topic(frame: QuestionFrame) -> bool:
    """Whether a frame names what it is about: a grant subject, an object or a region."""
    return bool(frame.subjects or frame.objects or frame.regions)


def _names_no_topic(frame: QuestionFrame) -> bool:
    """A question naming no subject, object or region of its own ("我们单位今年主持了2项国家级、
    3项省级，总共能拿多少？") is about what the conversation was about: read alone it would
    search for nothing in particular."""
    return not _names_topic(frame)


def _asked_of_a_figure(turn: str, chain: Sequence[str]) -> str:
    """The resolved turn a follow-up is read against: the last one, except that a new figure
    asking nothing of its own ("要是一年利息付了150万呢？") after a side question ("这笔贴息是
    哪一级财政出的？") asks again what the last money question asked."""
    q = normalize(turn)
    if not _AMOUNT.search(q) or _ASKING.search(_without_openers(q).removesuffix("呢")):
        return chain[-1]
    kinds = [_last_ask_kind(resolved) for resolved in chain]
    if kinds[-1] == "amount" or "amount" not in kinds:
        return chain[-1]
    return chain[max(i for i, kind in enumerate(kinds) if kind == "amount")]


def _last_ask_kind(text: str) -> str:
    """The kind of the last asking clause of a question ("other" when it asks nothing)."""
    asks = [c for c in re.split(r"[，,。；;？?]", normalize(text)) if _ASKING.search(c)]
    return ask_kind(asks[-1]) if asks else "other"
