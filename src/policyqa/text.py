"""Text rules with no I/O: 繁→简, full-width → half-width, and the search-side normal form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from policyqa.resources import data_file, tsv_pairs

# Characters NFKC leaves alone but that policy text uses as ASCII look-alikes ("1∶1" ratios).
_EXTRA_HALFWIDTH = str.maketrans({"∶": ":", "﹕": ":", "－": "-", "～": "~", "　": " "})
_SPACES = re.compile(r"[ \t\u00a0]+")
# A UTF-16 surrogate on its own: it cannot be encoded as UTF-8 (OpenCC, JSON, the terminal).
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SENTENCE = re.compile(r"[^。；;!?！？]+[。；;!?！？]?")
# What follows a place's name when the words name an institution or a street, not the place
# ("山东大学", "山东理工大学", "日照银行", "泰安路"): matched right after the name. A university
# or bank may have a few characters between (理工, 师范) that do not go on about the place
# (对, 的 …); a research institute named after its place ("威海仿生研究院") is that place's.
INSTITUTION_AFTER_PLACE = re.compile(
    r"(?:[^的对给在有要为和，,。；;？?、\s]{0,4}?(?:大学|学院|银行)"
    r"|研究院|研究所|监管局|分行|分局|路|街)"
)
# The pure text functions below are cached: one answer normalizes the same clause texts, rule
# words and question variants dozens of times (about 60 calls), and the corpus's texts recur in
# every answer. Bounded, so distinct questions cannot grow a worker's memory without limit.
TEXT_CACHE_SIZE = 16384


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC (simplified input is returned unchanged).

    Lone surrogates (which cannot be UTF-8 encoded for OpenCC) become U+FFFD.
    """
    return _t2s().convert(LONE_SURROGATE.sub("\ufffd", text))


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation → half-width (NFKC plus a few look-alikes)."""
    return unicodedata.normalize("NFKC", text).translate(_EXTRA_HALFWIDTH)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def normalize(text: str) -> str:
    """The search-side form of any text: simplified, half-width, runs of spaces collapsed.

    What users see stays in the original characters; only this form is indexed and matched.
    """
    return _SPACES.sub(" ", to_halfwidth(to_simplified(text))).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a clause (kept with their closing punctuation; line breaks dropped)."""
    return list(_sentences(text))  # a fresh list: the caller may change it, the cache may not


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENTENCE.findall(text.replace("\n", "")) if s.strip())


# --- question normalization ------------------------------------------------------------------


def _load_abbreviations() -> list[tuple[str, str]]:
    pairs = tsv_pairs(data_file("abbreviations.tsv"))
    # Longest first, so "规上高企" wins over "规上" and "高企".
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@lru_cache(maxsize=1)
def _abbreviation_table() -> tuple[dict[str, str], re.Pattern[str]]:
    pairs = _load_abbreviations()
    table = dict(pairs)
    return table, re.compile("|".join(re.escape(a) for a, _ in pairs))


def expand_abbreviations(text: str) -> str:
    """Replace colloquial abbreviations (高企, 规上, 科小 …) by the documents' full terms.

    An abbreviation that already stands inside its full form ("科技型中小" in "科技型中小企业",
    "小巨人" in "“小巨人”") is left alone.
    """
    table, pattern = _abbreviation_table()
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        full = table[m.group(0)]
        offset = full.find(m.group(0))
        already_full = offset >= 0 and text.startswith(full, m.start() - offset)
        out.append(text[pos : m.start()])
        out.append(m.group(0) if already_full else full)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def normalize_query(text: str) -> str:
    """The search-side form of a question: `normalize` plus abbreviation expansion."""
    return expand_abbreviations(normalize(text))


def names_by_ends(term: str, text: str) -> bool:
    """Whether `text` names `term` whole, or by its two ends a few characters apart within one
    item of a list (中试基地 in "科技成果转化中试示范基地")."""
    if term in text:
        return True
    if len(term) < 4:
        return False
    ends = f"{re.escape(term[:2])}[^、，,；;。和及]{{0,4}}{re.escape(term[-2:])}"
    return re.search(ends, text) is not None
