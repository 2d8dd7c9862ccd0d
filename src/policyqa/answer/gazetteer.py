"""Place names in a question, resolved with jionlp's administrative-division gazetteer.

Owns reading jionlp's province/city/county table once (its import banner kept off stdout, so
`--json` output stays clean), finding the place names a question uses (full names and the
gazetteer's aliases, longest match first) and classifying each against the regions the corpus
covers: `covered` (a covered region, or a district of a covered city), `uncovered_district` (a
district of a city the corpus covers only through another district: 环翠区 when only 文登区 is
covered) and `uncovered`. Never retrieves and never decides what to answer.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from policyqa.answer.frame_types import RegionMention, RegionStatus
from policyqa.resources import data_file, word_list
from policyqa.text import INSTITUTION_AFTER_PLACE

HOME_PROVINCE = "山东省"  # a county alias is read only here (elsewhere full names only)
MAX_NAME = 12


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: province, city and county (city/county empty above that level)."""

    province: str
    city: str = ""
    county: str = ""

    @property
    def name(self) -> str:
        if not self.city:
            return self.province
        return f"{self.city}{self.county}"

    @property
    def level(self) -> str:
        return "county" if self.county else ("city" if self.city else "province")


def _aliases(entry: dict[str, object]) -> list[str]:
    alias = entry.get("_alias") or []
    return [alias] if isinstance(alias, str) else [a for a in alias if isinstance(a, str)]


def _divisions(entry: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    """(name, entry) of each division directly under a gazetteer entry (`_alias` etc. skipped)."""
    return [
        (name, sub)
        for name, sub in entry.items()
        if not name.startswith("_") and isinstance(sub, dict)
    ]


def _ambiguous_aliases() -> frozenset[str]:
    """Aliases that are ordinary words in policy questions (市中 in 日照市中小企业)."""
    return frozenset(word_list(data_file("region_alias_stop.txt")))


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Place, ...]]:
    """Name or alias → the places it may mean (home province first)."""
    with contextlib.redirect_stdout(io.StringIO()):
        from jionlp.dictionary.dictionary_loader import china_location_loader

        table = china_location_loader(detail=False)
    stop = _ambiguous_aliases()
    names: dict[str, list[Place]] = {}

    def add(word: str, place: Place) -> None:
        if len(word) >= 2 and word not in stop:
            names.setdefault(word, []).append(place)

    for province, p_entry in table.items():
        p = Place(province)
        for word in (province, *_aliases(p_entry)):
            add(word, p)
        for city, c_entry in _divisions(p_entry):
            c = Place(province, city)
            for word in (city, *_aliases(c_entry)):
                add(word, c)
            for county, k_entry in _divisions(c_entry):
                k = Place(province, city, county)
                aliases = _aliases(k_entry) if province == HOME_PROVINCE else []
                short_city = city.removesuffix("市")
                for word in (county, f"{city}{county}", f"{short_city}{county}", *aliases):
                    add(word, k)
    return {
        word: tuple(sorted(places, key=lambda p: (p.province != HOME_PROVINCE, len(p.county))))
        for word, places in names.items()
    }


@lru_cache(maxsize=1)
def _name_starts() -> frozenset[str]:
    """The first two characters of every name (each is at least two long): at a position of a
    question where no name begins, `find_places` tried every length up to MAX_NAME in vain."""
    return frozenset(word[:2] for word in gazetteer())


# A province's name that is part of the name of a grade of thing ("山东省科学技术奖",
# "山东省重点实验室"): the province's award or lab, which a city's policy may fund.
PROVINCIAL_THING = re.compile(r"[省]?(?:科学技术|科技)?(?:奖|重点实验室|实验室|技术创新中心)")


def names_no_place(text: str, end: int, city_level: bool = False) -> bool:
    """Whether the place name ending at `end` of `text` names a thing, not a place: a
    province's award or lab (`PROVINCIAL_THING`, for a province only) or an institution."""
    # An institution is who the asker deals with, not where the policy asked about is.
    if INSTITUTION_AFTER_PLACE.match(text, end):
        return True
    return not city_level and PROVINCIAL_THING.match(text, end) is not None


def find_places(text: str) -> list[tuple[str, Place]]:
    """(words, place) for each place name in `text`, longest match first, left to right; a
    province naming a provincial award or lab (山东省科学技术奖) is no place asked about."""
    table = gazetteer()
    starts = _name_starts()
    found: list[tuple[str, Place]] = []
    i = 0
    while i < len(text):
        # No name begins with these two characters: no slice starting here is looked up.
        if text[i : i + 2] not in starts:
            i += 1
            continue
        for size in range(min(MAX_NAME, len(text) - i), 1, -1):
            word = text[i : i + size]
            places = table.get(word)
            if places:
                if not names_no_place(text, i + size, bool(places[0].city)):
                    found.append((word, places[0]))
                i += size
                break
        else:
            i += 1
    return found


def classify(place: Place, covered: Sequence[str]) -> tuple[RegionStatus, str | None]:
    """How the corpus covers a place: the status and the covered region it falls under."""
    for region in covered:
        if place.name == region:
            return "covered", region
    if place.county:
        if place.city in covered:
            return "covered", place.city
        if any(r.startswith(place.city) and r != place.city for r in covered):
            return "uncovered_district", next(r for r in covered if r.startswith(place.city))
    elif place.city and any(r.startswith(place.city) for r in covered):
        # A city named alone whose corpus documents are one district's (威海 → 文登区).
        return "covered", next(r for r in covered if r.startswith(place.city))
    if place.province in covered and place.level == "province":
        return "covered", place.province
    return "uncovered", None


def region_mentions(text: str, covered: Iterable[str]) -> tuple[RegionMention, ...]:
    """Every place named in `text`, resolved against the corpus's regions (one per place)."""
    regions = tuple(dict.fromkeys(covered))
    out: dict[str, RegionMention] = {}
    for words, place in find_places(text):
        status, by = classify(place, regions)
        out.setdefault(place.name, RegionMention(words, place.name, status, by))
    # "全省" names the province of the corpus's one provincial region ("全省研发经费年均增长").
    provinces = [r for r in regions if r.endswith("省")]
    if "全省" in text and len(provinces) == 1 and provinces[0] not in out:
        out[provinces[0]] = RegionMention("全省", provinces[0], "covered", provinces[0])
    # "省里和泰安对…各是多少", "省里的研发行动计划和泰安的实施意见": 省里 set beside a covered
    # place is the province compared with it (not a payer, as in "省里和市里分别补多少").
    places = "|".join(re.escape(m.text) for m in out.values() if m.status == "covered")
    if places and len(provinces) == 1 and provinces[0] not in out:
        beside = (
            rf"(?:^|[,，])省里[^,，?？]{{0,12}}?(?:和|与|跟|同|、)(?:{places})"
            rf"|(?:{places})[^,，?？]{{0,12}}?(?:和|与|跟|同|、)省里"
        )
        if re.search(beside, text):
            out[provinces[0]] = RegionMention("省里", provinces[0], "covered", provinces[0])
    return tuple(out.values())
