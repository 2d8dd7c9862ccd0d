"""Normalization: 繁→简, full-width → half-width, abbreviations on the search side."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyqa.resources import DataFileError, tsv_pairs
from policyqa.text import (
    expand_abbreviations,
    normalize,
    normalize_query,
    split_sentences,
    to_halfwidth,
)


def test_traditional_to_simplified() -> None:
    assert normalize("對首次認定的規模以上高新技術企業") == "对首次认定的规模以上高新技术企业"


def test_fullwidth_to_halfwidth() -> None:
    assert to_halfwidth("１∶１，（一）３００万元") == "1:1,(一)300万元"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("规上高企能拿多少", "规模以上高新技术企业能拿多少"),
        ("高企认定", "高新技术企业认定"),
        ("科小研发补助", "科技型中小企业研发补助"),
        ("科技型中小企业", "科技型中小企业"),
        ("专精特新“小巨人”企业", "专精特新“小巨人”企业"),
        ("國家級專精特新小巨人", "国家级专精特新“小巨人”"),
        ("首台套装备", "首台(套)装备"),
    ],
)
def test_abbreviations_expand_once(question: str, expected: str) -> None:
    assert normalize_query(question) == expected


@given(st.text(max_size=60))
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet="规上高企科小技型中业专精特新巨人", max_size=30))
def test_expansion_is_stable(text: str) -> None:
    once = expand_abbreviations(text)
    assert expand_abbreviations(once) == once


def test_cached_sentences_come_back_as_a_fresh_list_each_time() -> None:
    text = "对首次认定的企业给予奖励。对认定的孵化器给予补助；最高100万元。"
    first = split_sentences(text)
    first.clear()  # a caller changing its list must not change the next caller's
    assert split_sentences(text) == [
        "对首次认定的企业给予奖励。",
        "对认定的孵化器给予补助；",
        "最高100万元。",
    ]


def test_a_two_column_data_file_with_a_bad_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\n高企\t高新技术企业\n只有一列\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"pairs.tsv:3: expected two tab-separated columns"):
        tsv_pairs(path)
