"""The BM25 tokenizer: policy terms whole, stop words out, no global jieba state."""

from __future__ import annotations

import jieba

from policyqa.search.tokenize import PolicyTokenizer, default_tokenizer


def test_policy_terms_survive_as_words() -> None:
    tokens = default_tokenizer().tokens("揭榜挂帅项目和创新券、众创空间、新型研发机构、首台(套)")
    for term in ["揭榜挂帅", "创新券", "众创空间", "新型研发机构"]:
        assert term in tokens


def test_stop_words_and_punctuation_are_dropped() -> None:
    assert default_tokenizer().tokens("请问的了吗？！。") == []
    assert default_tokenizer().tokens("泰安对省级加速器补多少？") == [
        "泰安",
        "省级",
        "加速",
        "加速器",
        "补",
    ]


def test_traditional_text_tokenizes_like_simplified() -> None:
    tokenizer = default_tokenizer()
    assert tokenizer.tokens("橫向項目實際支付") == tokenizer.tokens("横向项目实际支付")


def test_user_dictionary_does_not_touch_the_global_jieba() -> None:
    tokenizer = PolicyTokenizer()
    assert "揭榜挂帅" in tokenizer.tokens("揭榜挂帅")
    # load_userdict on the global tokenizer would have registered the word there.
    assert "揭榜挂帅" not in jieba.dt.user_word_tag_tab


def test_cached_words_come_back_as_a_fresh_list_each_time() -> None:
    tokenizer = PolicyTokenizer()
    first = tokenizer.tokens("泰安对省级加速器补多少？")
    first.append("改动")  # a caller changing its list must not change the next caller's
    assert tokenizer.tokens("泰安对省级加速器补多少？") == ["泰安", "省级", "加速", "加速器", "补"]
