"""Arithmetic on the figures a quoted sentence states: a yearly target over several years
("每年新增20家…三年累计至少多少" → 20家 × 3 = 60家) and the sum of two named figures
("高企和科技型中小企业的数量目标加起来" → 230家 + 340家 = 570家), a figure stated for each of
several items ("省工程研究中心、省企业技术中心各100家" → 100家 × 2), a target less the count
the asker says there is ("突破1200家…现在有900家，还差多少" → 300家) and one year's figure
less another's ("2025年比2024年多出多少" → 3.8万家 − 3.5万家 = 3000家).

Owns `tally`: one Chinese line with the arithmetic shown, or None when the question asks for no
such total or the sentence does not state the figures it needs; and `shared_run`, the longest
run of characters two texts share (how a question names a figure). Pure: it reads only the
question and the clause text a lookup quotes, so every number it gives traces to them (or to
the question's own figures).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from policyqa.answer.asking import ASKS_TOTAL
from policyqa.rules.money import plain_number
from policyqa.text import normalize_query

# A count or sum a target states: "20家以上", "100项左右", "200万元以上", "3.8万家".
_FIGURE = re.compile(
    r"(\d+(?:\.\d+)?)(万|亿)?(家|个|人(?!次)|项|件|所|名|元|场)"
    r"(以上|左右|以内|及以上)?"
)
_NUMERALS = dict(zip("两二三四五六七八九十", (2, 2, 3, 4, 5, 6, 7, 8, 9, 10), strict=True))
# A total over years asked ("三年累计", "这三年下来", "两年合计", "按三年算一共").
_YEARS_TOTAL = re.compile(
    r"((?<!\d)\d|(?<![两二三四五六七八九十])[两二三四五六七八九十])年(?:下来|累计|合计|一共|总共|共|总目标|总计|算|加起来|内|里)"
)
_YEAR_RANGE = re.compile(r"(20\d\d)年?\s*(?:到|至|—|–|-|~|－)\s*(20\d\d)")
# "连续三年都按最低要求办，一共…", "三年行动期内…累计": years said, a total asked after them.
_N_YEARS = re.compile(r"((?<!\d)\d|(?<![两二三四五六七八九十])[两二三四五六七八九十])年(?!度)")
# "2024和2025两年", "2025、2026": years listed one by one.
_YEAR_LIST = re.compile(r"20\d\d(?:年?(?:、|和|及|与)20\d\d)+")
# "X、Y各100家": one figure stated for each of the items listed before it.
_EACH_ITEM = re.compile(r"各$")
_TOTAL_ASKED = re.compile(r"累计|合计|一共|总共|总目标|总计|加起来|下来|算|期内")
_EACH_YEAR = re.compile(r"每年|年均|每年度|年度")
_BREAK = re.compile(r"[，,。；;：:、]|和|及|与")


@dataclass(frozen=True)
class Figure:
    """A figure of a sentence with the words before it that name what it counts."""

    value: Decimal
    unit: str
    qualifier: str
    named: str
    yearly: bool
    # The words after it up to the next break ("100项左右重大科技攻关项目"), and the items a
    # "X、Y各100家" states it for each of (X and Y).
    after: str = ""
    items: tuple[str, ...] = ()
    # 每年 said in its own comma part ("每年新增…15家"), not only earlier in the sentence
    # ("研发经费年均增长10%左右,高新技术企业…突破3.8万家" is no yearly count).
    yearly_part: bool = False

    def naming(self, text: str) -> int:
        """How much of `text` names this figure: the longest run shared with its words."""
        return max(shared_run(self.named, text), shared_run(self.after, text))

    def shown(self, value: Decimal | None = None) -> str:
        value = self.value if value is None else value
        text = f"{plain_number(value)}{self.unit}"
        if self.unit.startswith("万") and value >= 10000:
            # "15000万元（1.5亿元）": a sum of 亿 said as people say it, beside the 万 worked in.
            text += f"（{plain_number(value / 10000)}亿{self.unit[1:]}）"
        return text


def tally(question: str, sentences: Sequence[str]) -> str | None:
    """The total the question asks of the quoted sentences' figures, as a line; None when it
    asks none or the sentences lack a figure for it (see the module docstring)."""
    text = normalize_query(question)
    figures = [f for s in sentences for f in figures_in(normalize_query(s))]
    if not figures:
        return None
    gap = _shortfall(text, figures) or _year_on_year(text, sentences)
    if gap is not None:
        return gap
    years = years_totalled(text)
    if years is not None:
        yearly = [f for f in figures if f.yearly]
        asked = _restated(text, yearly) or _each_named(text, yearly) or _best_named(text, yearly)
        lines = [
            _over_years(text, f, years)
            for f in (asked if isinstance(asked, list) else [asked] if asked is not None else [])
        ]
        if lines:
            return "；".join(lines)
    if ASKS_TOTAL.search(text) or _TOTAL_ASKED.search(text):
        each = _items_named(text, figures)
        if each is not None:
            figure, count = each
            total = figure.value * count
            return (
                f"{count}项各{figure.shown()}{figure.qualifier}，合计："
                f"{figure.shown()} × {count} = {figure.shown(total)}{_bound(figure.qualifier)}"
            )
    if ASKS_TOTAL.search(text):
        named = _two_named(text, figures)
        if named is not None:
            a, b = named
            total = a.value + b.value
            bound = _bound(a.qualifier if a.qualifier == b.qualifier else "")
            return f"两项合计：{a.shown()} + {b.shown()} = {a.shown(total)}{bound}"
    return None


# "还差多少家" of a target the question restates and the count it says it has.
_SHORT = re.compile(r"还差|差多少|缺口|还需要?多少|还要多少")
# "2025年比2024年多出多少家": one year's figure against another's.
_YEAR_ON_YEAR = re.compile(r"(20\d\d)年?(?:的目标)?比(20\d\d)年?(?:的目标)?(?:多出|多|增加|增长)")
_QUESTION_FIGURE = re.compile(r"(\d+(?:\.\d+)?)(万|亿)?(家|个|人|项|件|所|名|场)")
_SCALE = {"": Decimal(1), "万": Decimal(10000), "亿": Decimal(100000000)}


def _shortfall(text: str, figures: Sequence[Figure]) -> str | None:
    """A target less what the asker says there is, when the question restates the target
    and states one other count in its unit ("目标…突破1200家，假如现在有900家，还差多少")."""
    if not _SHORT.search(text):
        return None
    target = _restated(text, figures)
    if target is None:
        return None
    others = [
        m
        for m in _QUESTION_FIGURE.finditer(text)
        if f"{m.group(2) or ''}{m.group(3)}" == target.unit and Decimal(m.group(1)) != target.value
    ]
    if len(others) != 1 or Decimal(others[0].group(1)) >= target.value:
        return None
    have = Decimal(others[0].group(1))
    return (
        f"距目标还差：{target.shown()} − {plain_number(have)}{target.unit} = "
        f"{target.shown(target.value - have)}"
    )


def _year_on_year(text: str, sentences: Sequence[str]) -> str | None:
    """One year's figure less another's, of the thing the question names: the part of a
    sentence naming it that states a figure for each year ("高新技术企业2024年突破3.5万家、
    2025年突破3.8万家")."""
    m = _YEAR_ON_YEAR.search(text)
    if not m:
        return None
    later, earlier = m.group(1), m.group(2)
    for sentence in sentences:
        for part in re.split(r"[，,；;。]", normalize_query(sentence)):
            by_year = {
                y: (Decimal(v), scale or "", unit)
                for y, v, scale, unit in re.findall(
                    r"(20\d\d)年[^\d、]{0,6}?(\d+(?:\.\d+)?)(万|亿)?(家|个|人|项|件|所|名)", part
                )
            }
            subject = re.split(r"20\d\d年", part, maxsplit=1)[0]
            if later not in by_year or earlier not in by_year or shared_run(subject, text) < 4:
                continue
            (a, sa, unit), (b, sb, unit_b) = by_year[later], by_year[earlier]
            if unit != unit_b:
                return None
            diff = a * _SCALE[sa] - b * _SCALE[sb]
            return (
                f"{later}年{plain_number(a)}{sa}{unit} − {earlier}年{plain_number(b)}{sb}{unit}"
                f" = {plain_number(diff)}{unit}"
            )
    return None


def _over_years(text: str, figure: Figure, years: int) -> str:
    """A yearly figure over the years asked, times the items it is stated for each of when
    the question names several of them ("各100家…两类加起来")."""
    count = _items_asked(figure, text)
    bound = _bound(figure.qualifier)
    if count >= 2:
        total = figure.value * count * years
        return (
            f"按每年每项{figure.shown()}{figure.qualifier}计，{count}项{years}年合计："
            f"{figure.shown()} × {count} × {years} = {figure.shown(total)}{bound}"
        )
    total = figure.value * years
    return (
        f"按每年{figure.shown()}{figure.qualifier}计，{years}年合计："
        f"{figure.shown()} × {years} = {figure.shown(total)}{bound}"
    )


def _items_asked(figure: Figure, text: str) -> int:
    """How many of the items a figure is stated for each of the question names: by an item's
    last four characters, its head noun (研究中心, 技术中心) — the words before it may be the
    verb all items share (新培育认定)."""
    return sum(1 for item in figure.items if len(item) >= 4 and item[-4:] in text)


def _restated(text: str, figures: Sequence[Figure]) -> Figure | None:
    """The one figure the question states itself ("每年选聘…不少于50人，两年加起来…")."""
    said = [f for f in figures if re.search(rf"(?<![\d.]){re.escape(f.shown())}", text)]
    return said[0] if len(said) == 1 else None


def _each_named(text: str, figures: Sequence[Figure]) -> list[Figure] | None:
    """Every figure the question names when it asks each ("累计至少分别多少家")."""
    if not re.search(r"分别|各自|各是|各多少", text):
        return None
    named = [f for f in figures if f.naming(text) >= 4]
    return named if len(named) >= 2 else None


def _items_named(text: str, figures: Sequence[Figure]) -> tuple[Figure, int] | None:
    """A figure stated for each of several items ("X、Y各100家") and how many of them the
    question names, when it names two or more."""
    for figure in figures:
        count = _items_asked(figure, text)
        if count >= 2:
            return figure, count
    return None


def figures_in(sentence: str) -> list[Figure]:
    """The count and money figures of a normalized sentence, each with the words naming it:
    those since the last break (，、和 …) before it. Only those: the subject of a whole
    sentence ("海洋信息研究院…创收500万元…科研收入200万元") names none of its figures alone."""
    found: list[Figure] = []
    previous_end = 0
    for m in _FIGURE.finditer(sentence):
        head = sentence[: m.start()]
        part_start = max(head.rfind(mark) for mark in "。；;") + 1
        start = max((b.end() for b in _BREAK.finditer(sentence, 0, m.start())), default=0)
        phrase = sentence[max(previous_end, part_start, start) : m.start()]
        previous_end = m.end()
        # Figures are added in the unit the sentence writes them in (200万元, 3.8万家).
        value, unit = Decimal(m.group(1)), f"{m.group(2) or ''}{m.group(3)}"
        yearly = bool(_EACH_YEAR.search(sentence[part_start : m.start()]))
        tail = sentence[m.end() :]
        stop = next((b.start() for b in _BREAK.finditer(tail)), len(tail))
        items: tuple[str, ...] = ()
        clause_start = max(head.rfind(mark) for mark in "。；;，,") + 1
        listed = head[clause_start:]
        if _EACH_ITEM.search(listed):
            items = tuple(p for p in re.split(r"[、和及与]", listed[:-1]) if p)
        own_part = bool(_EACH_YEAR.search(listed))
        found.append(
            Figure(value, unit, m.group(4) or "", phrase, yearly, tail[:stop], items, own_part)
        )
    return found


def years_totalled(text: str) -> int | None:
    """How many years a normalized question asks a total over ("三年累计" → 3,
    "2024到2026这三年下来" → 3, "2025、2026两年合计" → 2); None when it asks no total."""
    m = _YEARS_TOTAL.search(text)
    if m:
        said = m.group(1)
        return int(said) if said.isdigit() else _NUMERALS.get(said)
    span = _YEAR_RANGE.search(text)
    if span and _TOTAL_ASKED.search(text[span.end() :]):
        first, last = int(span.group(1)), int(span.group(2))
        return last - first + 1 if last > first else None
    listed = _YEAR_LIST.search(text)
    if listed and _TOTAL_ASKED.search(text[listed.end() :]):
        return len(re.findall(r"20\d\d", listed.group(0)))
    said = _N_YEARS.search(text)
    if said and _TOTAL_ASKED.search(text[said.end() :]):
        word = said.group(1)
        return int(word) if word.isdigit() else _NUMERALS.get(word)
    return None


def _bound(qualifier: str) -> str:
    return {"以上": "以上", "及以上": "以上", "左右": "左右"}.get(qualifier, "")


def shared_run(a: str, b: str) -> int:
    """The length of the longest run of characters `a` and `b` share."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _best_named(text: str, figures: Sequence[Figure]) -> Figure | None:
    """The figure whose naming words the question shares most (at least four characters),
    before it or after it ("选聘不少于50人到企业担任科技副总")."""
    scored = sorted(((f.naming(text), i) for i, f in enumerate(figures)), reverse=True)
    if not scored or scored[0][0] < 4:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two figures named alike: which one is asked is not clear
    return figures[scored[0][1]]


def _two_named(text: str, figures: Sequence[Figure]) -> tuple[Figure, Figure] | None:
    """Two figures of one unit that the question names by their words, in sentence order."""
    named = [f for f in figures if (len(f.named) >= 2 or len(f.after) >= 2) and f.naming(text) >= 4]
    if len(named) != 2 or named[0].unit != named[1].unit:
        return None
    return named[0], named[1]
