"""Hybrid retrieval on the real corpus with the real default model."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from policyqa.search.backend import RowFilter
from policyqa.search.faiss_backend import FaissBackend
from policyqa.search.retrieve import (
    EmptyQueryError,
    Retriever,
    detect_regions,
    region_aliases,
    rrf_fuse,
)

# Question → the clause that answers it, verified by reading; simplified, traditional and
# colloquial (高企, 规上, 科小) forms across all five documents.
RANK_ONE = [
    ("泰安对省级加速器补多少？", "taian-opinions-draft:3.6.17"),
    ("泰安新认定的国家级孵化器给多少资金补助", "taian-opinions-draft:3.6.17"),
    ("泰安重大科技攻关项目市级财政资金最多支持多少", "taian-opinions-draft:3.3.7"),
    ("泰安科技成果转化项目贷款贴息不超过多少", "taian-opinions-draft:3.7.20"),
    ("泰安2026年研发投入强度目标是多少", "taian-opinions-draft:2"),
    ("我们首次认定为规上高企，能拿多少补助？", "rizhao-rules-2025:3.4"),
    ("横向项目实际支付80万元能支持多少？", "rizhao-rules-2025:5.14"),
    ("揭榜挂帅项目最高支持多少", "rizhao-rules-2025:6.1.19"),
    ("國家科學技術一等獎獎勵多少", "rizhao-rules-2025:1.2"),
    ("創新券市級財政補助比例是多少", "rizhao-rules-2025:3.5"),
    ("科小研发投入1:1配套", "rizhao-rules-2025:3.6"),
    ("孵化器运营经费连续三年支持多少", "rizhao-rules-2025:1.1"),
    ("投资机构首轮投资失败的损失补偿", "rizhao-rules-2025:4.9"),
    ("科技成果转化贷款贴息每家企业最高多少", "rizhao-rules-2025:4.11"),
    ("主持国家级自然科学基金项目给依托单位多少支持", "rizhao-rules-2025:6.1.21"),
    ("新品种培育补贴最高多少", "rizhao-rules-2025:6.1.20"),
    ("同时符合多项政策能重复拿补助吗", "rizhao-rules-2025:p2"),
    ("到2027年万人有效发明专利拥有量", "rizhao-action-2025:1"),
    ("日照的未来产业有哪些", "rizhao-action-2025:2.3"),
    ("日照技术经理人队伍要达到多少人", "rizhao-action-2025:3.3.7"),
    ("文登区到2026年国家高新技术企业数量目标", "wendeng-plan-2024:2"),
    ("文登飞地孵化器入驻企业研发投入占比要求", "wendeng-plan-2024:3.6"),
    ("威海文登每年新增产学研合作项目多少个", "wendeng-plan-2024:3.5"),
    ("山东省2025年高新技术企业要突破多少家", "shandong-rd-2024:1"),
    ("山东省全国重点实验室到2025年力争达到多少家", "shandong-rd-2024:2.2.4"),
    ("山东鲁科贷鲁科担是什么", "shandong-rd-2024:2.3.9"),
    ("山東省未來產業前沿技術攻關項目每年組織多少項", "shandong-rd-2024:2.1.2"),
]


@pytest.mark.parametrize(("question", "clause_id"), RANK_ONE)
def test_expected_clause_at_rank_one(retriever: Retriever, question: str, clause_id: str) -> None:
    result = retriever.search(question, k=5)
    assert result.hits[0].clause.clause_id == clause_id
    assert result.relevant, result.abstain_reason


def test_hybrid_is_at_least_as_good_as_either_mode_on_the_table(retriever: Retriever) -> None:
    def mrr(mode: str) -> float:
        total = 0.0
        for question, gold in RANK_ONE:
            ids = [h.clause.clause_id for h in retriever.search(question, k=10, mode=mode).hits]
            total += 1 / (ids.index(gold) + 1) if gold in ids else 0.0
        return total / len(RANK_ONE)

    hybrid = mrr("hybrid")
    assert hybrid >= mrr("bm25") and hybrid >= mrr("dense")


def test_original_question_is_kept_and_search_side_is_normalized(retriever: Retriever) -> None:
    result = retriever.search("規上高企能拿多少？")
    assert result.query == "規上高企能拿多少？"
    assert result.normalized == "规模以上高新技术企业能拿多少?"


def test_named_region_restricts_the_search(retriever: Retriever) -> None:
    result = retriever.search("泰安对孵化器有什么支持", k=50)
    assert result.regions == ("泰安市",)
    assert {h.region for h in result.hits} == {"泰安市"}
    result = retriever.search("文登的科技创新目标", k=50)
    assert {h.clause.doc_id for h in result.hits} == {"wendeng-plan-2024"}


def test_uncovered_region_is_out_of_scope(retriever: Retriever) -> None:
    result = retriever.search("北京对孵化器补多少？")
    assert not result.relevant and result.abstain_reason == "region_not_covered:北京"
    assert retriever.search("深圳高新技术企业认定奖励多少").abstain_reason.startswith("region")


def test_institutions_named_after_places_are_not_regions(retriever: Retriever) -> None:
    covered, uncovered = detect_regions("吉林大学威海仿生研究院", retriever.index.documents)
    assert covered == ("威海市文登区",) and uncovered == ()
    assert detect_regions("北京交通大学的合作项目", retriever.index.documents) == ((), ())


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("今天天气怎么样", "topic_not_covered:天气"),
        ("个人所得税怎么交", "topic_not_covered:个人所得税"),
        ("企业研发费用税前加计扣除比例是多少？", "topic_not_covered:加计扣除"),
        ("房贷利率多少", "topic_not_covered:房贷"),
        ("你好", "below_relevance_floor"),
        ("给我讲个笑话吧", "below_relevance_floor"),
    ],
)
def test_off_topic_questions_abstain(retriever: Retriever, question: str, reason: str) -> None:
    assert retriever.search(question).abstain_reason == reason


def test_off_topic_terms_the_corpus_mentions_stay_in_scope(retriever: Retriever) -> None:
    # 住房 is on the off-topic list, but no clause mentions it; 贴息 is a corpus term.
    assert retriever.search("科技成果转化贷款贴息最高多少").relevant


@pytest.mark.parametrize("question", ["", "   ", "？！。", "的了吗", "请问一下"])
def test_empty_or_stop_word_query_is_a_clear_error(retriever: Retriever, question: str) -> None:
    with pytest.raises(EmptyQueryError, match="没有可检索的内容"):
        retriever.search(question)


def test_k_larger_than_the_corpus_returns_every_clause(retriever: Retriever) -> None:
    n = len(retriever.clauses)
    for mode in ("hybrid", "dense"):
        hits = retriever.search("科技创新补助", k=n + 500, mode=mode).hits
        assert len(hits) == n
        assert len({h.clause.clause_id for h in hits}) == n
    assert len(retriever.search("科技创新补助", k=n + 500, mode="bm25").hits) <= n


def test_dense_top_k_equals_numpy_brute_force(retriever: Retriever) -> None:
    matrix = retriever.index.stored_vectors()
    query = retriever.embedder.encode_queries(["省级加速器运营补助"])
    found = retriever.index.dense_search(query[0], 10, RowFilter())
    rows, scores = list(found), list(found.values())
    brute = matrix @ query[0]
    expected = np.argsort(-brute, kind="stable")[:10]
    assert rows == expected.tolist()
    np.testing.assert_allclose(scores, brute[expected], rtol=1e-5)


def test_results_are_deterministic_and_ordered(retriever: Retriever) -> None:
    first = retriever.search("孵化器补助", k=20)
    second = retriever.search("孵化器补助", k=20)
    assert [(h.clause.clause_id, h.score) for h in first.hits] == [
        (h.clause.clause_id, h.score) for h in second.hits
    ]
    keys = [(-h.score, h.clause.clause_id) for h in first.hits]
    assert keys == sorted(keys)


def test_rrf_fuse_hand_computed() -> None:
    fused = rrf_fuse([["a", "b", "c"], ["b", "a", "d"]], k=1)
    # a: 1/2 + 1/3, b: 1/3 + 1/2 (tie → id order), c: 1/4, d: 1/4 (tie → id order)
    assert [item for item, _ in fused] == ["a", "b", "c", "d"]
    assert fused[0][1] == pytest.approx(5 / 6) and fused[2][1] == pytest.approx(0.25)


def test_unknown_mode_and_bad_k_are_refused(retriever: Retriever) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        retriever.search("孵化器", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be"):
        retriever.search("孵化器", k=0)


def test_cached_region_names_and_rows_cannot_be_changed_by_a_caller(retriever: Retriever) -> None:
    aliases = region_aliases("威海市文登区")
    expected = list(aliases)
    aliases.clear()
    assert region_aliases("威海市文登区") == expected
    assert set(expected) == {"威海市文登区", "威海市", "文登区", "威海", "文登"}
    if isinstance(retriever.index, FaissBackend):  # rows shared by every search with a filter
        rows = retriever.index.allowed_rows(RowFilter.of(None, ["泰安市"]))
        with pytest.raises(ValueError):
            rows[0] = -1


def test_name_lists_are_in_the_same_order_in_every_process() -> None:
    # A set's order follows the process's hash seed; two workers must still agree.
    code = (
        "from policyqa.search.retrieve import region_aliases; "
        "from policyqa.answer.frame import object_words; "
        "print(region_aliases('威海市文登区'), object_words()[:40])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
