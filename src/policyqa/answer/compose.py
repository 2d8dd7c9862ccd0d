"""Answer composition: route a question to a calculator, a lookup, or an abstention.

A lookup answers with the sentence(s) of the best clause that answer the question (numbers
intact; a "分别" list paired with the item asked about), then numbered citations. A calculation
shows amount, steps and the rule's clause. An abstention says what the corpus covers. Nothing
here invents a number: every number in an answer is quoted from a clause or computed by a rule.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from policyqa.answer.abstain import (
    abstention,
    clause_where,
    coverage_summary,
    criteria_unstated_message,
    money_unstated_message,
    not_funded_message,
    only_elsewhere_message,
    reason_message,
    resolved_field,
)
from policyqa.answer.asking import (
    ASKS_AMOUNT,
    ASKS_FIGURE,
    ASKS_LIST,
    ASKS_WHETHER,
    ASKS_WHO,
    validate_question,
)
from policyqa.answer.contract import Answer, Calculation, Citation, Turn
from policyqa.answer.dialogue import conversation_frame, user_turns
from policyqa.answer.frame import (
    build_frame,
    off_topic_words,
    region_parts,
    set_aside,
    vocabulary,
)
from policyqa.answer.frame_types import QuestionFrame
from policyqa.answer.gazetteer import gazetteer
from policyqa.answer.overview import (
    cover_clause,
    documents_mentioning,
    metadata_line,
    sentence_naming,
    topic_of,
    unstated_metadata,
)
from policyqa.answer.quote import LIST_CLAUSE_CHARS, best_sentences, pair_respectively
from policyqa.answer.tallies import tally
from policyqa.answer.targets import target_first
from policyqa.answer.verify import (
    asked_object,
    coverage_problem,
    criteria_unstated,
    document_periods,
    grant_object_missing,
    money_unstated,
    recognition_unpaid,
    topic_elsewhere,
    topic_terms,
    unfunded_objects,
)
from policyqa.corpus.segment import Clause
from policyqa.search.retrieve import EmptyQueryError, Hit, Mode, Retriever, SearchResult
from policyqa.text import normalize, normalize_query

CITED_HITS = 3

# Values `copy.deepcopy` returns as they are (immutable): `_tree_copy` skips asking it.
_ATOMIC = (str, int, float, bool, type(None))


def _tree_copy(value: Any) -> Any:
    """A deep copy of a JSON-like tree (dicts, lists, tuples; other leaves by `copy.deepcopy`)."""
    if type(value) in _ATOMIC:
        return value
    if type(value) is dict:
        return {k: _tree_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_tree_copy(v) for v in value]
    if type(value) is tuple:
        return tuple(_tree_copy(v) for v in value)
    return copy.deepcopy(value)


def _fresh_copy(answer: Answer, answer_id: str | None) -> Answer:
    """`answer.model_copy(update={"id": answer_id}, deep=True)`, built part by part.

    The cached answer must share nothing mutable with the one handed out (a caller may change
    its copy). A deep model copy ran `copy.deepcopy` over every string of the frame, steps and
    citations (about 7% of a cold answer's CPU outside the embedding); the same copy is made
    here by the answer's shape: citations hold only strings and a float, so a shallow copy of
    each is a full one, and the frame and the inputs are JSON-like trees. Only fields an
    answer from `_compose` always sets are updated (citations; frame and calculation when
    present), so the copy's `model_fields_set` is the one a deep copy has.
    """
    update: dict[str, Any] = {
        "id": answer_id,
        "citations": [c.model_copy() for c in answer.citations],
    }
    if answer.calculation is not None:
        calc = answer.calculation
        update["calculation"] = calc.model_copy(
            update={"inputs": _tree_copy(calc.inputs), "steps": list(calc.steps)}
        )
    if answer.frame is not None:
        update["frame"] = _tree_copy(answer.frame)
    return answer.model_copy(update=update)


@dataclass(frozen=True)
class CalcOutcome:
    """What a calculator made of a question: a calculation, or the inputs it still needs."""

    clause_id: str
    calculation: Calculation | None
    missing: list[str]
    summary: str
    unfunded: str = ""  # a grade asked for that no clause pays (国家级加速器)
    ruled_out: bool = False  # the stated facts fail the rule's requirements (amount 0)


class Calculator(Protocol):
    """Finds the rule a question is about among retrieved clauses and computes the amount."""

    def calculate(self, question: str, hits: Sequence[Hit]) -> CalcOutcome | None: ...

    def topic_words(self) -> Mapping[str, frozenset[str]]:
        """doc id → the words that name what its rules fund (their keywords)."""
        ...


class Answerer:
    """Composes answers from a retriever and, when given, a calculator.

    Answers are pure functions of (question, history, mode) for a loaded index, so repeated
    questions are served from a small LRU cache; a new index means a new Answerer.
    """

    def __init__(
        self, retriever: Retriever, calculator: Calculator | None = None, cache_size: int = 2048
    ) -> None:
        self.retriever = retriever
        self.calculator = calculator
        self._cache: OrderedDict[tuple[str, tuple[tuple[str, str], ...], str], Answer] = (
            OrderedDict()
        )
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        docs = retriever.index.documents
        self.documents = docs
        self._aliases = retriever.region_names()
        self._coverage = coverage_summary(docs)
        self._covered_regions = tuple(dict.fromkeys(d.region for d in docs.documents))
        texts: dict[str, list[str]] = {}
        for clause in retriever.index.clauses:
            texts.setdefault(clause.doc_id, []).append(clause.text)
        self._periods = document_periods(docs, texts)
        region_of = {d.id: d.region for d in docs.documents}
        joined: dict[str, list[str]] = {}
        for doc_id, parts in texts.items():
            joined.setdefault(region_of[doc_id], []).extend(normalize_query(t) for t in parts)
        # A region speaks of a topic in its clauses or in its rules' words (研发补助 names the
        # 研究开发财政补助 of 日照's clause).
        words_by_doc = calculator.topic_words() if calculator else {}
        for doc_id, words in words_by_doc.items():
            joined.setdefault(region_of[doc_id], []).extend(sorted(words))
        self._region_texts = {region: tuple(parts) for region, parts in joined.items()}
        self._rule_words = frozenset(w for ws in words_by_doc.values() for w in ws)
        # Kinds of enterprise say who asks, not what the money is for.
        self._asker_words = frozenset(
            normalize_query(w)
            for a in vocabulary().attribute
            if a.name.endswith("企业")
            for w in a.words
        )
        gazetteer()  # loaded here (about 2 s, once) so the first question is not the slow one

    def clear_cache(self) -> None:
        """Forget cached answers (e.g. before scoring another retrieval mode)."""
        with self._cache_lock:
            self._cache.clear()

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        answer_id: str | None = None,
        mode: Mode = "hybrid",
    ) -> Answer:
        """Answer one question (with optional earlier turns) in the answer contract."""
        question = validate_question(question)
        key = (question, tuple((t.role, t.content) for t in history), mode)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is None:
            cached = self._compose(question, history, mode)
            with self._cache_lock:
                self._cache[key] = cached
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return _fresh_copy(cached, answer_id)

    def frame(self, question: str, history: Sequence[Turn] = ()) -> QuestionFrame:
        """The question as understood, after resolving it against the conversation."""
        turns = [*user_turns(history), question]
        frame = conversation_frame(turns, self._standalone_frame, self._aliases)
        return frame.with_(text=question)

    def _standalone_frame(self, text: str) -> QuestionFrame:
        asks_amount = bool(ASKS_AMOUNT.search(normalize_query(text)))
        return build_frame(text, self._covered_regions, asks_amount)

    def _compose(self, question: str, history: Sequence[Turn], mode: Mode) -> Answer:
        frame = self.frame(question, history)
        answer = self._compose_frame(question, frame, mode)
        # The frame read the aside once (`build_frame`); it is not read again here.
        aside = str(frame.extra.get("set_aside", ""))
        if aside and not answer.abstained and any(w in aside for w in off_topic_words()):
            # The part answered is the covered one; the asker is told the rest was not.
            note = f"另：“{aside}”不在已收录的科技创新政策范围内，未作回答。"
            answer = answer.model_copy(update={"answer": f"{answer.answer}\n{note}"})
        return answer.model_copy(update={"frame": frame.to_json()})

    def _compose_frame(self, question: str, frame: QuestionFrame, mode: Mode) -> Answer:
        resolved = frame.resolved
        problem = coverage_problem(frame, self.documents, self._periods)
        if problem:
            return self._abstain(question, resolved, problem, frame)
        # A topic the asker set aside ("税收的事先不管，…") is not searched for.
        searched = set_aside(normalize_query(resolved))[1] if frame.extra else resolved
        # "Who is responsible" words describe the answer wanted, not the policy sought.
        query = ASKS_WHO.sub(" ", searched) if ASKS_WHO.search(searched) else searched
        if frame.intent == "doc_list":
            # Which documents name a topic is read from the clause texts themselves: a ranking
            # and its relevance floor have nothing to add.
            listed = self._doc_list(question, resolved, frame, searched)
            if listed is not None:
                return listed
        try:
            result = self.retriever.search(query, k=max(CITED_HITS, 5), mode=mode)
        except EmptyQueryError:
            return self._abstain(question, resolved, "empty_query")
        if not result.relevant:
            return self._abstain(question, resolved, result.abstain_reason or "")
        result = target_first(result, searched, self.retriever.tokenizer.tokens)
        if frame.intent == "metadata":
            return self._metadata(question, resolved, result)
        if frame.intent == "comparison":
            compared = self._comparison(question, frame, searched, mode)
            if compared is not None:
                return compared
        elsewhere = self._topic_elsewhere(frame, searched)
        if elsewhere is not None:
            return self._only_elsewhere(question, resolved, frame, *elsewhere)
        # Criteria the top clause does not state are no question an amount answers either.
        unstated = criteria_unstated(searched, result.hits[0].clause.text)
        if unstated:
            return self._criteria_unstated(question, resolved, unstated, result.hits[0])
        if self.calculator and frame.intent == "amount":
            outcome = self.calculator.calculate(searched, result.hits)
            if outcome is not None:
                clause = next(h for h in result.hits if h.clause.clause_id == outcome.clause_id)
                unfunded = self._unfunded(frame, searched, clause.clause.text)
                if outcome.unfunded:
                    unfunded = (outcome.unfunded,)
                if unfunded:
                    return self._not_funded(question, resolved, unfunded, clause)
                if self._money_unstated(frame, searched, clause.clause.text):
                    # The clause speaks of what is asked (众创空间) only where it names no sum.
                    message = money_unstated_message(clause)
                    return abstention(
                        question, resolved, message, self._coverage, "amount_not_stated"
                    )
                return self._calculated(question, resolved, result, outcome)
        # A lookup is verified as an amount is: the clause quoted must speak of what is asked.
        unfunded = self._unfunded(frame, searched, result.hits[0].clause.text)
        if unfunded:
            return self._not_funded(question, resolved, unfunded, result.hits[0])
        if self._money_unstated(frame, searched, result.hits[0].clause.text):
            message = money_unstated_message(result.hits[0])
            return abstention(question, resolved, message, self._coverage, "amount_not_stated")
        if self.calculator and (
            frame.intent == "eligibility"
            or (frame.intent == "lookup" and ASKS_WHETHER.search(searched))
        ):
            # "能申请吗？" from an asker the stated facts rule out: the answer is no, with the
            # requirement it fails, as an amount question's would be (amount 0).
            outcome = self.calculator.calculate(searched, result.hits)
            if outcome is not None and outcome.ruled_out:
                return self._calculated(question, resolved, result, outcome)
        return self._lookup(question, resolved, result)

    def _money_unstated(self, frame: QuestionFrame, searched: str, clause_text: str) -> bool:
        if frame.intent != "amount":
            return False
        asked = asked_object(searched, self.retriever.tokenizer.tokens)
        return money_unstated(frame, clause_text, asked[1] if asked else ())

    def _unfunded(self, frame: QuestionFrame, searched: str, clause_text: str) -> tuple[str, ...]:
        """What the question asks money for that the clause does not name: a known object
        (发明专利, 上市 …) or the thing after "对…补助多少" (技术经纪人)."""
        unfunded = unfunded_objects(frame, clause_text, self.retriever.tokenizer.tokens)
        if unfunded or frame.intent != "amount":
            return unfunded
        missing = grant_object_missing(searched, clause_text, self.retriever.tokenizer.tokens)
        missing = missing or recognition_unpaid(searched, clause_text)
        return (missing,) if missing else ()

    def _topic_elsewhere(
        self, frame: QuestionFrame, searched: str
    ) -> tuple[str, tuple[str, ...]] | None:
        wanted = {r.covered_by for r in frame.regions if r.status == "covered" and r.covered_by}
        terms = topic_terms(frame, searched, self._rule_words, self._asker_words)
        return topic_elsewhere(terms, wanted, self._region_texts, self.retriever.tokenizer.tokens)

    def _only_elsewhere(
        self, question: str, resolved: str, frame: QuestionFrame, term: str, where: Sequence[str]
    ) -> Answer:
        message = only_elsewhere_message(frame, term, where)
        reason = f"topic_not_in_region:{term}"
        return abstention(question, resolved, message, self._coverage, reason)

    def _quote(self, text: str, question: str) -> list[str]:
        """The sentences of a clause to quote for a question (a list question gets more)."""
        tokenize = self.retriever.tokenizer.tokens
        weights = {w: self.retriever.idf(w) for w in tokenize(question)}
        if ASKS_LIST.search(question):
            return best_sentences(text, weights, tokenize, n=3, whole_limit=LIST_CLAUSE_CHARS)
        return best_sentences(text, weights, tokenize, bool(ASKS_FIGURE.search(question)))

    def _citations(self, hits: Sequence[Hit], first: str | None = None) -> list[Citation]:
        ordered = list(hits)
        if first:
            ordered.sort(key=lambda h: h.clause.clause_id != first)
        return [
            Citation(
                doc_id=h.clause.doc_id,
                title=h.title,
                region=h.region,
                clause_id=h.clause.clause_id,
                path=h.clause.path or "正文",
                text=h.clause.text,
                score=round(h.score, 4),
            )
            for h in ordered[:CITED_HITS]
        ]

    def _source_line(self, citations: Sequence[Citation]) -> str:
        lines = ["依据："]
        for i, c in enumerate(citations, start=1):
            lines.append(f"[{i}] {c.region}《{normalize(c.title)}》{c.path}")
        return "\n".join(lines)

    def _lookup(self, question: str, resolved: str, result: SearchResult) -> Answer:
        top = result.hits[0]
        sentences = self._quote(top.clause.text, resolved)
        pair = next(
            (p for s in sentences if (p := pair_respectively(s, resolved)) is not None), None
        )
        where = clause_where(top)
        quoted = "".join(sentences)
        if pair:
            tier, amount = pair
            direct = f"{where}：{tier}为{amount}。原文：「{quoted}」[1]"
        elif ASKS_WHO.search(resolved) and top.clause.departments:
            who = "、".join(top.clause.departments)
            direct = f"据{where}，由{who}负责。原文：「{quoted}」[1]"
        else:
            direct = f"据{where}：「{quoted}」[1]"
        # A total the question asks of the quoted figures (三年累计, 两项加起来) is shown worked.
        # The whole clause is read: the figure may stand in a sentence the quote left out.
        worked = tally(resolved, [top.clause.text])
        if worked:
            direct = f"{direct}\n{worked}。"
        return self._cited(question, resolved, direct, top, self._citations(result.hits), "lookup")

    def _cited(
        self,
        question: str,
        resolved: str,
        body: str,
        top: Hit,
        citations: list[Citation],
        route: Literal["lookup", "calculation", "needs_input"],
        calculation: Calculation | None = None,
    ) -> Answer:
        """An answer quoting `top`: the body, a draft note if `top` is a draft, the sources."""
        draft = self._draft_note(top)
        return Answer(
            question=question,
            answer="\n".join(x for x in [body, draft, self._source_line(citations)] if x),
            abstained=False,
            citations=citations,
            calculation=calculation,
            route=route,
            resolved_question=resolved_field(question, resolved),
        )

    def _calculated(
        self,
        question: str,
        resolved: str,
        result: SearchResult,
        outcome: CalcOutcome,
    ) -> Answer:
        citations = self._citations(result.hits, first=outcome.clause_id)
        top = next(h for h in result.hits if h.clause.clause_id == outcome.clause_id)
        where = clause_where(top)
        quoted = "".join(self._quote(top.clause.text, resolved))
        if outcome.calculation is None:
            body = (
                f"{outcome.summary}[1]\n要计算具体金额，{'；'.join(outcome.missing)}。"
                f"\n条款原文（{where}）：「{quoted}」"
            )
            route: Literal["needs_input", "calculation"] = "needs_input"
        else:
            steps = "\n".join(f"  {s}" for s in outcome.calculation.steps)
            body = f"{outcome.summary}[1]\n计算（依据{where}）：\n{steps}\n条款原文：「{quoted}」"
            route = "calculation"
        return self._cited(question, resolved, body, top, citations, route, outcome.calculation)

    def _clause_citation(self, clause: Clause, score: float = 1.0) -> Citation:
        doc = next(d for d in self.documents.documents if d.id == clause.doc_id)
        return Citation(
            doc_id=clause.doc_id,
            title=doc.title,
            region=doc.region,
            clause_id=clause.clause_id,
            path=clause.path or "正文",
            text=clause.text,
            score=round(score, 4),
        )

    def _metadata(self, question: str, resolved: str, result: SearchResult) -> Answer:
        """Issuer, 文号, date and status of the document asked about, from the manifest."""
        doc_id = result.hits[0].clause.doc_id
        doc = next(d for d in self.documents.documents if d.id == doc_id)
        unstated = unstated_metadata(normalize_query(resolved), doc)
        if unstated:
            # Nothing the document states answers it: saying so is the answer, not a guess.
            message = (
                f"{doc.region}《{normalize(doc.title)}》文件中未载明{'、'.join(unstated)}，"
                f"无法回答。已知信息：{metadata_line(doc)}"
            )
            return abstention(question, resolved, message, self._coverage, "metadata_not_stated")
        cover = cover_clause(doc_id, self.retriever.clauses)
        citations = [self._clause_citation(cover)] if cover else []
        text = f"{metadata_line(doc)}[1]" if cover else metadata_line(doc)
        return Answer(
            question=question,
            answer="\n".join(x for x in [text, self._source_line(citations)] if citations or x),
            abstained=False,
            citations=citations,
            route="lookup",
            resolved_question=resolved_field(question, resolved),
        )

    def _doc_list(
        self, question: str, resolved: str, frame: QuestionFrame, searched: str
    ) -> Answer | None:
        """Every document with a clause naming the topic, one line and one citation each."""
        topic = topic_of(searched)
        if topic is None:
            return None
        wanted = {r.covered_by for r in frame.regions if r.status == "covered"}
        clauses = [
            c
            for c in documents_mentioning(topic, self.retriever.clauses)
            if not wanted or self._region_of(c.doc_id) in wanted
        ]
        if not clauses:
            scope = "、".join(sorted(w for w in wanted if w)) or "已收录的"
            message = f"{scope}文件中没有提到“{topic}”的条款。"
            return abstention(
                question, resolved, message, self._coverage, f"topic_not_mentioned:{topic}"
            )
        citations = [self._clause_citation(c) for c in clauses]
        lines = [f"共有{len(clauses)}份文件提到“{topic}”："]
        for i, c in enumerate(citations, start=1):
            first = sentence_naming(topic, c.text) or self._quote(c.text, topic)[0]
            lines.append(f"{i}. {c.region}《{normalize(c.title)}》{c.path}：「{first}」[{i}]")
        return self._listing(question, resolved, lines, citations)

    def _listing(
        self, question: str, resolved: str, lines: Sequence[str], citations: list[Citation]
    ) -> Answer:
        """A lookup answered line by line (documents, regions), each line with its citation."""
        return Answer(
            question=question,
            answer="\n".join([*lines, self._source_line(citations)]),
            abstained=False,
            citations=citations,
            route="lookup",
            resolved_question=resolved_field(question, resolved),
        )

    def _region_of(self, doc_id: str) -> str:
        return next(d.region for d in self.documents.documents if d.id == doc_id)

    def _comparison(
        self, question: str, frame: QuestionFrame, searched: str, mode: Mode
    ) -> Answer | None:
        """One line per region, each answered on its own with its own citation."""
        regions = [r for r in frame.regions if r.status == "covered"]
        by_region = {r.covered_by: r for r in regions if r.covered_by}
        if len(by_region) < 2:
            return None
        lines: list[str] = []
        citations: list[Citation] = []
        # Region mentions are simplified (山东省 of 山東省): so must be the text they leave.
        parts = region_parts(normalize_query(searched), regions)
        for region, mention in by_region.items():
            if parts is not None:
                single = parts[region]  # one question per place ("日照…多少？泰安…多少？")
            else:
                single = normalize_query(searched)
                for other in regions:
                    if other.covered_by != region:
                        single = single.replace(other.text, "")
                single = re.sub(r"^[和与及、，,]+|(?<=[^\w])[和与及、]+(?=[对的在])", "", single)
            sub_frame = build_frame(single, self._covered_regions, frame.intent == "amount")
            if ASKS_AMOUNT.search(single):
                sub_frame = sub_frame.with_(intent="amount")
            elif sub_frame.intent == "comparison":
                # Never a comparison again, whatever the part still reads like: no recursion.
                sub_frame = sub_frame.with_(intent="lookup")
            sub = self._compose_frame(single, sub_frame, mode)
            if sub.abstained or not sub.citations:
                lines.append(f"{mention.text}：已收录的文件中没有找到相应条款。")
                continue
            citations.append(sub.citations[0])
            if sub.calculation is not None or sub.route == "lookup":
                first = re.sub(r"\[\d+\]", "", sub.answer.split("\n", 1)[0])
            else:
                # A rule that needs the asker's figures: its clause's own figures (caps, rates)
                # answer a comparison, the request for figures does not.
                quoted = "".join(self._quote(sub.citations[0].text, single))
                first = f"{sub.citations[0].path}：「{quoted}」"
            lines.append(f"{mention.text}：{first}[{len(citations)}]")
        if not citations:
            return None
        return self._listing(question, frame.resolved, lines, citations)

    def _not_funded(self, question: str, resolved: str, objects: Sequence[str], hit: Hit) -> Answer:
        message = not_funded_message(objects, hit)
        reason = f"object_not_funded:{'、'.join(objects)}"
        return abstention(question, resolved, message, self._coverage, reason)

    def _criteria_unstated(self, question: str, resolved: str, kind: str, hit: Hit) -> Answer:
        message = criteria_unstated_message(kind, hit)
        reason = f"criteria_not_stated:{kind}"
        return abstention(question, resolved, message, self._coverage, reason)

    def _draft_note(self, hit: Hit) -> str:
        doc = next(d for d in self.documents.documents if d.id == hit.clause.doc_id)
        if doc.status == "draft":
            return "注意：该文件为征求意见稿，正式文件发布前条款可能调整。"
        return ""

    def _abstain(
        self, question: str, resolved: str, reason: str, frame: QuestionFrame | None = None
    ) -> Answer:
        message = reason_message(reason, frame, self.documents, self._periods)
        return abstention(question, resolved, message, self._coverage, reason)
