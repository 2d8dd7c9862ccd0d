"""Hybrid search over clauses: BM25 + dense, fused by reciprocal rank, region-aware, with a floor.

A question naming a covered region (日照, 泰安, 威海/文登, 山东) is restricted to that region's
documents; one naming only a region the corpus does not cover (北京, 深圳 …) is out of scope.
Below the relevance floor the retriever reports that nothing relevant was found, so the answer
layer can abstain instead of guessing. The candidates come from a `search.backend.SearchBackend`
(FAISS + bm25s by default, Milvus when configured); fusion, re-rank and floor are here, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from policyqa.corpus.manifest import Manifest
from policyqa.corpus.segment import Clause
from policyqa.resources import data_file, word_list
from policyqa.search.backend import RowFilter, SearchBackend
from policyqa.search.embed import Embedder
from policyqa.search.faiss_backend import FaissBackend
from policyqa.search.index import SearchIndex
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.text import INSTITUTION_AFTER_PLACE, normalize_query, split_sentences

Mode = Literal["hybrid", "bm25", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
RRF_K = 60
RERANK_DEPTH = 10  # fused hits re-ranked by their best sentence
RERANK_WEIGHT = 0.2  # tuned on eval/questions.jsonl (0, 0.2 … 0.85 tried; see README)
_REGIONS_FILE = data_file("regions.txt")
_OFF_TOPICS_FILE = data_file("off_topics.txt")
# A place name followed by one of these names an institution, not the region it sits in.


class EmptyQueryError(ValueError):
    """A question with nothing searchable in it (empty, punctuation or stop words only)."""


@dataclass(frozen=True)
class RelevanceFloor:
    """When the best match is too weak to answer from.

    Relevant when the top dense similarity reaches `dense_strong`, or reaches `dense_min` while
    at least `coverage_min` of the question's words occur in the corpus vocabulary.
    """

    dense_min: float = 0.865
    dense_strong: float = 0.90
    coverage_min: float = 0.5


@dataclass(frozen=True)
class Hit:
    """One ranked clause with the scores that placed it."""

    clause: Clause
    title: str
    region: str
    rank: int
    score: float
    dense: float | None
    bm25: float | None


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits plus why the answer layer should abstain, when it should."""

    query: str
    normalized: str
    mode: Mode
    hits: list[Hit]
    regions: tuple[str, ...]
    coverage: float
    top_dense: float
    abstain_reason: str | None

    @property
    def relevant(self) -> bool:
        return self.abstain_reason is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a search result (`policyqa search --json` and `GET /search`)."""
        return {
            "query": self.query,
            "normalized": self.normalized,
            "mode": self.mode,
            "regions": list(self.regions),
            "relevant": self.relevant,
            "abstain_reason": self.abstain_reason,
            "hits": [
                {
                    "rank": h.rank,
                    "doc_id": h.clause.doc_id,
                    "title": h.title,
                    "region": h.region,
                    "clause_id": h.clause.clause_id,
                    "path": h.clause.path,
                    "heading": h.clause.heading,
                    "text": h.clause.text,
                    "score": h.score,
                    "dense": h.dense,
                    "bm25": h.bm25,
                }
                for h in self.hits
            ],
        }


# Scores are ranked at a precision every backend reproduces: FAISS and Milvus compute the
# same scores in float32 with different rounding (0.8773017 / 0.8773016), which would otherwise
# flip near-ties and change the fused ranking; equal scores are then ordered by clause id.
_DENSE_DIGITS = 5
_SPARSE_DIGITS = 4


def rrf_fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of 1/(k + rank); ties broken by id, so the order is stable."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _longest_first(word: str) -> tuple[int, str]:
    # Longest first, then by the word itself: the order of a set differs between processes
    # (hash seeds), and a different order could give a different answer in another worker.
    return (-len(word), word)


def region_aliases(region: str) -> list[str]:
    """Names a question may use for a region: 威海市文登区 → 文登区, 文登, 威海市, 威海 …"""
    return list(_region_aliases(region))  # a fresh list: the caller may change it


@lru_cache(maxsize=1024)  # every search asks again for the same few regions' names
def _region_aliases(region: str) -> tuple[str, ...]:
    aliases = {region}
    parts = re.findall(r".+?(?:省|市|区|县)", region)
    for part in parts:
        aliases.add(part)
        aliases.add(part[:-1])
    return tuple(sorted((a for a in aliases if len(a) >= 2), key=_longest_first))


@lru_cache(maxsize=1)
def _uncovered_names() -> tuple[str, ...]:
    return word_list(_REGIONS_FILE)


@lru_cache(maxsize=1)
def _off_topics() -> tuple[str, ...]:
    return tuple(sorted(word_list(_OFF_TOPICS_FILE), key=len, reverse=True))


def _mentions(text: str, name: str) -> bool:
    # Most of the hundreds of names tried per question do not occur at all: a substring test
    # settles those without building (or looking up) a pattern.
    if name not in text:
        return False
    for m in re.finditer(re.escape(name), text):
        if not INSTITUTION_AFTER_PLACE.match(text, m.end()):
            return True
    return False


def detect_regions(normalized: str, documents: Manifest) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(covered regions named, uncovered regions named) in a normalized question."""
    covered = []
    regions = tuple(dict.fromkeys(d.region for d in documents.documents))
    for region in regions:
        if any(_mentions(normalized, alias) for alias in _region_aliases(region)):
            covered.append(region)
    covered_names = {a for r in covered for a in _region_aliases(r)}
    all_covered = {a for r in regions for a in _region_aliases(r)}
    uncovered = [
        name
        for name in _uncovered_names()
        if name not in all_covered
        and _mentions(normalized, name)
        and not any(name in c for c in covered_names)
    ]
    return tuple(covered), tuple(uncovered)


class Retriever:
    """Search over a loaded backend with one embedder and one tokenizer (safe across threads).

    `index` is any `SearchBackend`; a bare `SearchIndex` is served by the FAISS backend.
    """

    def __init__(
        self,
        index: SearchBackend | SearchIndex,
        embedder: Embedder,
        tokenizer: PolicyTokenizer,
        floor: RelevanceFloor | None = None,
    ) -> None:
        backend: SearchBackend = FaissBackend(index) if isinstance(index, SearchIndex) else index
        self.index = backend
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.floor = floor or RelevanceFloor()
        docs = backend.documents.documents
        self._doc_meta = {d.id: d for d in docs}
        self._vocab = backend.vocabulary
        # Off-topic terms the corpus never mentions; a term some clause uses is in scope.
        self._off_topics = tuple(
            t for t in _off_topics() if not any(t in c.search_text for c in index.clauses)
        )
        # Row → clause id and back, for the tie-breaks of every ranking: built once per index
        # (a backend's clauses never change; a new corpus gets a new Retriever).
        self._clause_ids = [c.clause_id for c in backend.clauses]
        self._row_of = {cid: row for row, cid in enumerate(self._clause_ids)}

    @property
    def clauses(self) -> list[Clause]:
        return self.index.clauses

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency of a token over the indexed clauses (0 if unseen)."""
        return self._idf(token)

    @lru_cache(maxsize=65536)  # noqa: B019 - one Retriever per loaded index, kept for its life
    def _idf(self, token: str) -> float:
        if token not in self._vocab:
            return 0.0
        n = len(self.index.clauses)
        df = self.index.document_frequency(token)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def off_topics(self) -> tuple[str, ...]:
        """The off-topic terms no indexed clause mentions (a term some clause uses is in scope)."""
        return self._off_topics

    def region_names(self) -> list[str]:
        """Every place name a question may use: covered aliases and uncovered regions."""
        covered = {a for d in self.index.documents.documents for a in region_aliases(d.region)}
        return sorted(covered | set(_uncovered_names()), key=_longest_first)

    def search(
        self,
        query: str,
        k: int = 5,
        mode: Mode = "hybrid",
        doc_ids: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
    ) -> SearchResult:
        """Top-k clauses for `query`; regions named in the question restrict the search."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if k < 1:
            raise ValueError("k must be at least 1")
        normalized = normalize_query(query)
        tokens = self.tokenizer.tokens(normalized)
        if not tokens:
            raise EmptyQueryError(
                "问题中没有可检索的内容（为空、只有标点或虚词）；请用完整的句子描述您要查的政策。"
            )
        named, uncovered = detect_regions(normalized, self.index.documents)
        wanted_regions = tuple(regions) if regions is not None else named
        where = RowFilter.of(doc_ids, wanted_regions)
        allowed = self.index.count(where)
        region_words = {
            w for r in named for a in _region_aliases(r) for w in self.tokenizer.tokens(a)
        }
        content = [t for t in tokens if t not in region_words] or tokens
        coverage = sum(t in self._vocab for t in content) / len(content)

        dense_scores = self._dense_scores(normalized, where, allowed)
        bm25_scores = self._bm25_scores(tokens, where, allowed)
        top_dense = max(dense_scores.values(), default=0.0)
        ranked = self._rank(mode, dense_scores, bm25_scores, content)[:k]
        hits = [
            Hit(
                clause=self.index.clauses[row],
                title=self._doc_meta[self.index.clauses[row].doc_id].title,
                region=self._doc_meta[self.index.clauses[row].doc_id].region,
                rank=rank,
                score=round(score, 6),
                dense=round(dense_scores[row], 6) if row in dense_scores else None,
                bm25=round(bm25_scores[row], 6) if row in bm25_scores else None,
            )
            for rank, (row, score) in enumerate(ranked, start=1)
        ]
        off_topic = next((t for t in self._off_topics if t in normalized), None)
        reason = (
            f"topic_not_covered:{off_topic}"
            if off_topic
            else self._abstain_reason(uncovered, named, allowed, top_dense, coverage)
        )
        return SearchResult(
            query=query,
            normalized=normalized,
            mode=mode,
            hits=hits,
            regions=wanted_regions,
            coverage=round(coverage, 4),
            top_dense=round(top_dense, 6),
            abstain_reason=reason,
        )

    def _dense_scores(self, normalized: str, where: RowFilter, allowed: int) -> dict[int, float]:
        if allowed == 0:
            return {}
        vector = self.embedder.encode_queries([normalized])[0]
        return self.index.dense_search(vector, self._candidates(allowed), where)

    def _bm25_scores(self, tokens: list[str], where: RowFilter, allowed: int) -> dict[int, float]:
        known = [t for t in tokens if t in self._vocab]
        if not known or allowed == 0:
            return {}
        return self.index.sparse_search(known, self._candidates(allowed), where)

    @staticmethod
    def _candidates(n_allowed: int) -> int:
        # Every clause of a small corpus takes part in fusion; a large one contributes its top 100.
        return n_allowed if n_allowed <= 2000 else 100

    def _rank(
        self,
        mode: Mode,
        dense: dict[int, float],
        bm25: dict[int, float],
        query_tokens: Sequence[str],
    ) -> list[tuple[int, float]]:
        ids = self._clause_ids

        def order(scores: dict[int, float], digits: int) -> list[tuple[int, float]]:
            # By (-rounded score, clause id), keys built in one comprehension rather than by a
            # key function called per clause; the position `i` keeps the sort stable.
            items = scores.items()
            keyed = sorted([(-round(s, digits), ids[r], i, r, s) for i, (r, s) in enumerate(items)])
            return [(r, s) for *_, r, s in keyed]

        if mode == "dense":
            return order(dense, _DENSE_DIGITS)
        if mode == "bm25":
            return order(bm25, _SPARSE_DIGITS)
        rankings = [
            [ids[r] for r, _ in order(dense, _DENSE_DIGITS)],
            [ids[r] for r, _ in order(bm25, _SPARSE_DIGITS)],
        ]
        best = 2.0 / (RRF_K + 1)  # the fused score of a clause ranked first by both
        fused = [(self._row_of[cid], score / best) for cid, score in rrf_fuse(rankings)]
        return self._sentence_rerank(query_tokens, fused, ids)

    def _sentence_rerank(
        self, query_tokens: Sequence[str], fused: list[tuple[int, float]], ids: Sequence[str]
    ) -> list[tuple[int, float]]:
        """Re-rank the fused head by how much of the question one sentence of a clause covers.

        Clause-level scores dilute a long clause whose single sentence answers the question
        ("新布局建设省级创新平台30家以上" inside a paragraph of goals); the IDF-weighted share of
        the question's words found in the best sentence brings it back up.
        """
        weights = {t: self.idf(t) for t in set(query_tokens)}
        total = sum(weights.values())
        if total <= 0:
            return fused
        head, tail = fused[:RERANK_DEPTH], fused[RERANK_DEPTH:]
        rescored = []
        for row, score in head:
            cover = max(
                (
                    sum(w for t, w in weights.items() if t in words)
                    for words in self._sentences(row)
                ),
                default=0.0,
            )
            rescored.append((row, (1 - RERANK_WEIGHT) * score + RERANK_WEIGHT * cover / total))
        # The tail gets the same formula with no sentence credit, so it stays below the head.
        rescored += [(row, (1 - RERANK_WEIGHT) * score) for row, score in tail]
        return sorted(rescored, key=lambda p: (-p[1], ids[p[0]]))

    @lru_cache(maxsize=8192)  # noqa: B019 - one Retriever per loaded index, kept for its life
    def _sentences(self, row: int) -> tuple[frozenset[str], ...]:
        text = self.index.clauses[row].search_text
        return tuple(frozenset(self.tokenizer.tokens(s)) for s in split_sentences(text))

    def _abstain_reason(
        self,
        uncovered: Sequence[str],
        named: Sequence[str],
        allowed: int,
        top_dense: float,
        coverage: float,
    ) -> str | None:
        if uncovered and not named:
            return f"region_not_covered:{'、'.join(uncovered)}"
        if allowed == 0:
            return "no_documents_for_filter"
        floor = self.floor
        if top_dense >= floor.dense_strong:
            return None
        if top_dense >= floor.dense_min and coverage >= floor.coverage_min:
            return None
        return "below_relevance_floor"
