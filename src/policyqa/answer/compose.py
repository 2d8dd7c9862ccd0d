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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal, Protocol

from policyqa.answer.abstain import (
    abstention,
    clause_where,
    count_unstated_message,
    coverage_summary,
    criteria_unstated_message,
    money_unstated_message,
    not_funded_message,
    only_elsewhere_message,
    rate_unstated_message,
    reason_message,
    resolved_field,
)
from policyqa.answer.asking import (
    ASKS_AMOUNT,
    ASKS_FIGURE,
    ASKS_LIST,
    ASKS_SHARE,
    ASKS_WHETHER,
    ASKS_WHO,
    validate_question,
)
from policyqa.answer.claim import Claim, claim_line, claimed_sum
from policyqa.answer.contract import Answer, Calculation, Citation, Turn
from policyqa.answer.dialogue import conversation_frame, user_turns
from policyqa.answer.difference import asks_difference, difference_answer, without_difference
from policyqa.answer.docfacts import (
    Fact,
    documents_named,
    fact_sentence,
    facts_asked,
    period_of,
    target_clause,
)
from policyqa.answer.figurehit import (
    asked_unit,
    count_unstated,
    figure_hit,
    rate_unstated,
    with_named_count,
)
from policyqa.answer.frame import (
    build_frame,
    off_topic_words,
    region_parts,
    set_aside,
    vocabulary,
)
from policyqa.answer.frame_types import QuestionFrame
from policyqa.answer.gazetteer import gazetteer
from policyqa.answer.inventory import documents_asked
from policyqa.answer.mixed import item_questions
from policyqa.answer.multiask import EACH, renumbered, split_asks
from policyqa.answer.named_sum import named_sum, named_sums
from policyqa.answer.overview import (
    cover_clause,
    documents_mentioning,
    metadata_line,
    sentence_naming,
    topic_of,
    unstated_metadata,
)
from policyqa.answer.projection import (
    Projection,
    count_share,
    count_share_line,
    projection,
    projection_summary,
)
from policyqa.answer.projects import listed_questions, told_questions
from policyqa.answer.quote import LIST_CLAUSE_CHARS, best_sentences, pair_respectively
from policyqa.answer.stacking import asks_stacking, stacking_first, stacking_sentence
from policyqa.answer.tallies import tally, years_totalled
from policyqa.answer.targets import asks_target, target_first
from policyqa.answer.verify import (
    asked_object,
    asker_region,
    award_unpaid,
    coverage_problem,
    criteria_unstated,
    document_periods,
    graded_thing_unnamed,
    grant_object_missing,
    money_unstated,
    quoted_name_unknown,
    recognition_unpaid,
    topic_elsewhere,
    topic_terms,
    unfunded_objects,
)
from policyqa.corpus.manifest import DocumentMeta
from policyqa.corpus.segment import Clause
from policyqa.rules.money import format_yuan
from policyqa.search.retrieve import EmptyQueryError, Hit, Mode, Retriever, SearchResult
from policyqa.text import normalize, normalize_query

CITED_HITS = 3

# Values `copy.deepcopy` returns as they are (immutable): `_tree_copy` skips asking it.
_ATOMIC = (str, int, float, bool, type(None))


_COMPARE_ASIDE = re.compile(r"(?:对比|比较|比)一下[:：，,]?|(?:对比|比较)[:：]")


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

    def industry_words(self) -> tuple[str, ...]:
        """The industries the rules tell apart and the terms for each, longest first."""
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
        self._industries = calculator.industry_words() if calculator else ()
        self._off_topics = retriever.off_topics()
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
        # Every clause text, simplified and joined once: a quoted name is looked up in it.
        self._written = "\n".join(normalize_query(t) for parts in texts.values() for t in parts)
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
        frame = conversation_frame(
            turns, self._standalone_frame, self._aliases, self._off_topics, self._industries
        )
        return frame.with_(text=question)

    def _claim_checked(
        self, question: str, claim: Claim, history: Sequence[Turn], mode: Mode
    ) -> Answer | None:
        """"…补200万，对吧？": the figure the plain question gets, with the verdict on the
        asker's figure first; None when the plain question computes no sum."""
        plain = self.answer(claim.question, history, mode=mode)
        if plain.abstained or plain.calculation is None:
            return None
        verdict = claim_line(claim, Decimal(str(plain.calculation.amount_yuan)))
        return plain.model_copy(
            update={
                "question": question,
                "answer": f"{verdict}\n{plain.answer}",
                "resolved_question": plain.resolved_question or claim.question,
                "id": None,
            }
        )

    def _turns_apart(self, question: str, history: Sequence[Turn], mode: Mode) -> Answer | None:
        """"两个差多少？" after two turns that each gave a sum: the two sums, as answered then
        (each turn with the history it had), and their difference."""
        asked = [i for i, t in enumerate(history) if t.role == "user"]
        if len(asked) < 2:
            return None
        earlier = [
            self.answer(history[i].content, history[:i], mode=mode) for i in asked[-2:]
        ]
        resolved = f"{earlier[0].resolved_question or history[asked[-2]].content}；" + (
            f"{earlier[1].resolved_question or history[asked[-1]].content}；{question}"
        )
        return difference_answer(question, resolved, earlier[0], earlier[1])

    def _standalone_frame(self, text: str) -> QuestionFrame:
        asks_amount = bool(ASKS_AMOUNT.search(normalize_query(text)))
        return build_frame(text, self._covered_regions, asks_amount)

    def _compose(self, question: str, history: Sequence[Turn], mode: Mode) -> Answer:
        claim = claimed_sum(question)
        if claim is not None:
            checked = self._claim_checked(question, claim, history, mode)
            if checked is not None:
                return checked
        if history and asks_difference(question):
            apart = self._turns_apart(question, history, mode)
            if apart is not None:
                return apart
        frame = self.frame(question, history)
        answer = self._compose_frame(question, frame, mode)
        answer = self._asks_apart(question, frame, mode, answer)
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
        unknown = quoted_name_unknown(resolved, self._written)
        if unknown:
            return self._abstain(question, resolved, f"topic_not_covered:{unknown}", frame)
        # A topic the asker set aside ("税收的事先不管，…") is not searched for.
        searched = set_aside(normalize_query(resolved))[1] if frame.extra else resolved
        # "Who is responsible" words describe the answer wanted, not the policy sought.
        # (Cue patterns are simplified: a traditional question is read simplified.)
        plain = normalize_query(searched)
        query = ASKS_WHO.sub(" ", plain) if ASKS_WHO.search(plain) else searched
        held = documents_asked(searched, self.documents.documents)
        if held is not None:
            # Which documents the collection holds (of a place, a level, a year): the manifest.
            return self._inventory(question, resolved, held)
        if frame.intent == "doc_list":
            # Which documents name a topic is read from the clause texts themselves: a ranking
            # and its relevance floor have nothing to add.
            listed = self._doc_list(question, resolved, frame, searched)
            if listed is not None:
                return listed
        facts = facts_asked(resolved)
        # The documents named matter only to a question about a document itself.
        asks_document = bool(facts) or frame.intent == "metadata"
        named = documents_named(resolved, self.documents.documents) if asks_document else []
        if frame.intent == "metadata" and len(named) == 1:
            # Who issued a document the question names, and when: the manifest says, however
            # the question's other words rank.
            return self._metadata(question, resolved, named, named[0].id)
        if facts and named:
            # A fact of a document the question names ("日照细则从啥时候开始执行"): its own text
            # says, however the question's other words rank.
            stated = self._document_fact(question, resolved, facts, named, None)
            if stated is not None:
                return stated
        try:
            result = self.retriever.search(query, k=max(CITED_HITS, 5), mode=mode)
        except EmptyQueryError:
            return self._abstain(question, resolved, "empty_query")
        if not result.relevant:
            return self._abstain(question, resolved, result.abstain_reason or "")
        result = target_first(result, searched, self.retriever.tokenizer.tokens)
        result = stacking_first(result, searched)
        if facts:
            # Who interprets a document, when it takes effect, its years: its own text says.
            top_doc = result.hits[0].clause.doc_id
            stated = self._document_fact(question, resolved, facts, named, top_doc)
            if stated is not None:
                return stated
        if frame.intent == "metadata":
            return self._metadata(question, resolved, named, result.hits[0].clause.doc_id)
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
        projected = projection(searched, result.hits[0].clause.text)
        if projected is not None:
            # A plan's rate applied to a base the asker supposes: an estimate, not a grant.
            return self._projected(question, resolved, result, projected)
        counted = count_share(searched, result.hits[0].clause.text, asked_unit(searched))
        if counted is not None:
            top = result.hits[0]
            body = (
                f"{count_share_line(counted)}[1]\n依据{clause_where(top)}："
                f"「{counted.sentence}」"
            )
            citations = self._citations(result.hits)
            return self._cited(question, resolved, body, top, citations, "lookup")
        # "钱能不能叠加拿？" asks whether grants stack, which a rule's sum does not answer.
        stacking_only = asks_stacking(searched) and not ASKS_FIGURE.search(searched)
        if self.calculator and frame.intent == "amount" and not stacking_only:
            outcome = self.calculator.calculate(searched, result.hits)
            calc = outcome.calculation if outcome is not None else None
            # Items one clause's rules compute together ("两个省级孵化器、一个省级加速器", caps
            # over all of them) are not split; items of different clauses' rules are.
            if calc is None or "+" not in calc.rule_id:
                mixed = self._mixed_items(question, resolved, frame, searched, mode)
                if mixed is not None:
                    return mixed
            if outcome is not None:
                outcome = self._asker_elsewhere(frame, searched, outcome)
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
                graded = graded_thing_unnamed(searched, clause.clause.text)
                if graded:
                    # "国家级众创空间" under a clause paying its grades for 孵化器 only.
                    return self._not_funded(question, resolved, (graded,), clause)
                if outcome.calculation is None:
                    # "贷款余额上限是多少" under the risk-compensation rule: not the grant, whose
                    # inputs are missing, but a figure the clause states for the noun asked.
                    stated = self._named_sum(question, resolved, result, clause)
                    if stated is not None:
                        return stated
                return self._calculated(question, resolved, result, outcome)
        # A sum the top clause writes for the noun asked is what the question asks for.
        stated = self._named_sum(question, resolved, result, result.hits[0])
        if stated is not None:
            return stated
        # A lookup is verified as an amount is: the clause quoted must speak of what is asked.
        unfunded = self._unfunded(frame, searched, result.hits[0].clause.text)
        if unfunded:
            return self._not_funded(question, resolved, unfunded, result.hits[0])
        if not stacking_only and self._money_unstated(frame, searched, result.hits[0].clause.text):
            message = money_unstated_message(result.hits[0])
            return abstention(question, resolved, message, self._coverage, "amount_not_stated")
        if self.calculator and (
            frame.intent == "eligibility"
            or (frame.intent == "lookup" and ASKS_WHETHER.search(plain))
        ):
            # "能申请吗？" from an asker the stated facts rule out: the answer is no, with the
            # requirement it fails, as an amount question's would be (amount 0).
            outcome = self.calculator.calculate(searched, result.hits)
            if outcome is not None:
                outcome = self._asker_elsewhere(frame, searched, outcome)
            if outcome is not None and outcome.ruled_out:
                return self._calculated(question, resolved, result, outcome)
        return self._lookup(question, resolved, result)

    def _mixed_items(
        self, question: str, resolved: str, frame: QuestionFrame, searched: str, mode: Mode
    ) -> Answer | None:
        """Items of different kinds counted in one question ("一个重大科技攻关项目和一个重大
        科技成果转化项目"): each searched for and computed on its own, its own clause cited,
        then added. None unless every item gets a calculation and they use two or more rules."""
        text = normalize_query(searched)
        # Projects told one by one ("一个…，另一个…") are items too when their kinds differ.
        # Not sums listed for several things ("利息分别付了50万和30万"): those are one rule's,
        # which may pay one of them (任选一笔), and its own reading decides.
        told = told_questions(text) if listed_questions(text) is None else None
        parts = item_questions(text) or told
        if parts is None or self.calculator is None:
            return None
        done: list[tuple[CalcOutcome, Calculation, Hit]] = []
        words = [{w for w in self.retriever.tokenizer.tokens(p) if len(w) >= 2} for p in parts]
        for i, part in enumerate(parts):
            try:
                found = self.retriever.search(part, k=max(CITED_HITS, 5), mode=mode)
            except EmptyQueryError:
                return None
            if not found.relevant:
                return None
            # The words that tell this item from the others (成果转化 against 攻关): the shared
            # context can rank the other item's clause first, so a clause naming them leads.
            own = words[i].difference(*(w for j, w in enumerate(words) if j != i))
            hits = sorted(
                found.hits,
                key=lambda h: not any(w in normalize_query(h.clause.text) for w in own),
            )
            outcome = self.calculator.calculate(part, hits)
            if outcome is None or outcome.calculation is None or outcome.unfunded:
                return None
            hit = next(h for h in hits if h.clause.clause_id == outcome.clause_id)
            if own and not any(w in normalize_query(hit.clause.text) for w in own):
                # The clause computed names nothing that sets this item apart ("3家子公司"):
                # it is no item of its own, so the question is not split.
                return None
            # Each item is verified against its own clause for the objects it names itself
            # (揭榜挂帅 is the 攻关 item's, not the 贴息 item's).
            said = normalize_query(part)
            named = frame.with_(objects=tuple(o for o in frame.objects if o in said))
            if self._unfunded(named, part, hit.clause.text):
                return None
            done.append((outcome, outcome.calculation, hit))
        if len({calc.rule_id for _, calc, _ in done}) < 2:
            return None
        citations: list[Citation] = []
        lines: list[str] = []
        steps: list[str] = []
        for n, (outcome, calc, hit) in enumerate(done, start=1):
            if all(c.clause_id != hit.clause.clause_id for c in citations):
                citations.append(self._clause_citation(hit.clause, hit.score))
            ref = next(i for i, c in enumerate(citations, 1) if c.clause_id == hit.clause.clause_id)
            summary = re.sub(r"\[\d+\]", "", outcome.summary)
            lines.append(f"第{n}项（{clause_where(hit)}）：{summary}[{ref}]")
            lines.extend(f"  {s}" for s in calc.steps)
            steps.append(
                f"第{n}项：{format_yuan(Decimal(str(calc.amount_yuan)))}（{calc.rule_id}）"
            )
            steps.extend(f"  {s}" for s in calc.steps)
        total = sum((Decimal(str(calc.amount_yuan)) for _, calc, _ in done), Decimal(0))
        steps.append(f"合计：{format_yuan(total)}")
        said = f"各项分别按其条款计算，合计{format_yuan(total)}。"
        body = "\n".join([said, *lines, f"合计：{format_yuan(total)}"])
        calculation = Calculation(
            rule_id="+".join(calc.rule_id for _, calc, _ in done),
            clause_id=done[0][1].clause_id,
            inputs={"items": [calc.amount_yuan for _, calc, _ in done]},
            amount_yuan=int(total) if total == total.to_integral_value() else float(total),
            steps=steps,
        )
        return self._cited(
            question, resolved, body, done[0][2], citations, "calculation", calculation
        )

    def _asker_elsewhere(
        self, frame: QuestionFrame, searched: str, outcome: CalcOutcome
    ) -> CalcOutcome:
        """`outcome`, or amount 0 when the asker says it is in another city than the one whose
        policy is computed ("我们是日照的孵化器，泰安那个…政策能拿多少"): a city's grant is paid
        to its own enterprises and carriers. A province's policy applies in all its cities."""
        at = asker_region(frame, searched)
        doc_region = self._region_of(outcome.clause_id.split(":", 1)[0])
        if at is None or doc_region.endswith("省") or doc_region in at.name:
            return outcome
        if at.covered_by is not None and (
            at.covered_by == doc_region or at.covered_by in doc_region
        ):
            return outcome
        # A place the corpus does not cover (济南, 青岛) is no less another city, unless the
        # asker also says it is at the policy's place ("总部在济南，在日照设了研发中心").
        said = normalize_query(searched)
        if at.covered_by is None and any(
            f"在{r.text}" in said
            for r in frame.regions
            if r.covered_by and (r.covered_by == doc_region or r.covered_by in doc_region)
        ):
            return outcome
        reason = f"本条为{doc_region}的政策，而问题中说明贵单位在{at.covered_by or at.name}"
        calc = outcome.calculation
        ruled_out = Calculation(
            rule_id=calc.rule_id if calc else "",
            clause_id=outcome.clause_id,
            inputs={},
            amount_yuan=0,
            steps=[f"{reason}，不符合本条条件，不予按本条计算"],
        )
        summary = f"按{doc_region}的规定，不符合条件：{reason}。"
        return CalcOutcome(outcome.clause_id, ruled_out, [], summary, ruled_out=True)

    def _asks_apart(self, question: str, frame: QuestionFrame, mode: Mode, whole: Answer) -> Answer:
        """A question asking two things answered one ask at a time, each with its own quote and
        citation, when the answer to it as a whole quotes less than the parts do; `whole`
        otherwise (and always when it abstained, or when any part finds nothing)."""
        if frame.intent in ("comparison", "doc_list"):
            return whole
        # An amount computed for the question as a whole stays one answer with its calculation,
        # and an abstention stays one, unless the question asks of each of two things
        # ("攻关项目和成果转化项目…分别最多给多少"): the whole was computed from, or checked
        # against, one thing's clause, and each part is computed and checked on its own.
        each = EACH.search(normalize_query(frame.resolved)) is not None
        unfunded = whole.abstained and (whole.abstain_reason or "").startswith("object_not_funded")
        one_of_two = whole.calculation is not None or unfunded
        if (whole.abstained and not unfunded) or (one_of_two and not each):
            return whole
        places = tuple(r.text for r in frame.regions if r.status == "covered")
        parts = split_asks(frame.resolved, places)
        if not parts:
            return whole
        subs: list[Answer] = []
        for part in parts:
            sub_frame = build_frame(part, self._covered_regions, bool(ASKS_AMOUNT.search(part)))
            if sub_frame.intent == "comparison":
                sub_frame = sub_frame.with_(intent="lookup")  # a part is never split again
            sub = self._compose_frame(part, sub_frame, mode)
            if sub.abstained or not sub.citations:
                return whole
            subs.append(sub)
        if one_of_two and len({s.citations[0].clause_id for s in subs}) < len(subs):
            return whole  # one clause answers every part: the whole already read it
        bodies = [s.answer.split("\n依据：", 1)[0] for s in subs]
        quoted = [q for b in bodies for q in re.findall(r"「([^」]+)」", b)]
        if quoted and all(q in whole.answer for q in quoted):
            return whole  # the whole answer already quotes what each part would
        citations: list[Citation] = []
        for sub in subs:
            for c in sub.citations[:1]:
                if c.clause_id not in {x.clause_id for x in citations}:
                    citations.append(c)
        for sub in subs:
            for c in sub.citations[1:]:
                if c.clause_id not in {x.clause_id for x in citations}:
                    citations.append(c)
        citations = citations[: max(CITED_HITS, len(subs)) + 2]
        ids = [c.clause_id for c in citations]
        lines: list[str] = []
        for i, (part, sub, body) in enumerate(zip(parts, subs, bodies, strict=True), start=1):
            own = [c.clause_id for c in sub.citations]
            kept = [x for x in body.split("\n") if x != self._draft_note_of(own[0])]
            lines.append(f"{i}. {part.strip()}\n{renumbered(chr(10).join(kept), own, ids)}")
        drafts = {self._draft_note_of(c.doc_id) for c in citations} - {""}
        return self._listing(question, frame.resolved, [*lines, *sorted(drafts)], citations)

    def _draft_note_of(self, doc_or_clause_id: str) -> str:
        doc_id = doc_or_clause_id.split(":", 1)[0]
        doc = next(d for d in self.documents.documents if d.id == doc_id)
        if doc.status == "draft":
            return "注意：该文件为征求意见稿，正式文件发布前条款可能调整。"
        return ""

    def _money_unstated(self, frame: QuestionFrame, searched: str, clause_text: str) -> bool:
        if frame.intent != "amount":
            return False
        if named_sums(searched, clause_text, self.retriever.tokenizer.tokens):
            return False  # "创收多少钱": a sum the clause writes for the noun asked
        asked = asked_object(searched, self.retriever.tokenizer.tokens)
        return money_unstated(frame, clause_text, asked[1] if asked else ())

    def _unfunded(self, frame: QuestionFrame, searched: str, clause_text: str) -> tuple[str, ...]:
        """What the question asks money for that the clause does not name: a known object
        (发明专利, 上市 …) or the thing after "对…补助多少" (技术经纪人)."""
        unfunded = unfunded_objects(frame, clause_text, self.retriever.tokenizer.tokens)
        award = award_unpaid(searched, clause_text)
        if award:
            unfunded = (*unfunded, award)
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
        # A count asked is answered from the clause that states it (see `figure_hit`); a
        # target asked stays with the plan's target section `target_first` put first.
        # Only the top hit's document is looked at: which document is asked is retrieval's call.
        top_doc = result.hits[0].clause.doc_id
        texts = [h.clause.text if h.clause.doc_id == top_doc else "" for h in result.hits]
        in_target = asks_target(resolved) and "目标" in result.hits[0].clause.heading
        def quote(text: str) -> list[str]:
            return with_named_count(resolved, text, self._quote(text, resolved))

        at = figure_hit(resolved, texts, quote)
        if at:
            hits = [result.hits[at], *result.hits[:at], *result.hits[at + 1 :]]
            result = replace(result, hits=hits)
        top = result.hits[0]
        sentences = quote(top.clause.text)
        unit = asked_unit(resolved)
        if unit and not in_target and count_unstated(resolved, top.clause.text):
            # "泰安本土技术经理人要培育到多少人": the clause speaks of them and sets no number;
            # quoting it would read as an answer, and a neighbour's count would be another's.
            message = count_unstated_message(top, unit)
            return abstention(question, resolved, message, self._coverage, "count_not_stated")
        if not in_target and rate_unstated(resolved, top.clause.text):
            # "泰安研发投入补助按百分之几补": the clause says 按规定 and sets no rate.
            message = rate_unstated_message(top)
            return abstention(question, resolved, message, self._coverage, "rate_not_stated")
        pair = next(
            (p for s in sentences if (p := pair_respectively(s, resolved)) is not None), None
        )
        where = clause_where(top)
        quoted = "".join(sentences)
        if pair:
            tier, amount = pair
            direct = f"{where}：{tier}为{amount}。原文：「{quoted}」[1]"
        elif ASKS_WHO.search(normalize_query(resolved)) and top.clause.departments:
            who = "、".join(top.clause.departments)
            direct = f"据{where}，由{who}负责。原文：「{quoted}」[1]"
        else:
            direct = f"据{where}：「{quoted}」[1]"
        # A total the question asks of the quoted figures (三年累计, 两项加起来) is shown worked.
        # The whole clause is read: the figure may stand in a sentence the quote left out.
        worked = tally(resolved, [top.clause.text])
        if worked:
            direct = f"{direct}\n{worked}。"
        else:
            # The figure to total may stand in another cited clause (a plan's measure under
            # its target section): the first that states it is worked, with its citation.
            for n, hit in enumerate(result.hits[1:CITED_HITS], start=2):
                worked = tally(resolved, [hit.clause.text])
                if worked:
                    quoted_there = "".join(self._quote(hit.clause.text, resolved))
                    direct = f"{direct}\n{clause_where(hit)}：「{quoted_there}」[{n}]\n{worked}。"
                    break
        return self._cited(question, resolved, direct, top, self._citations(result.hits), "lookup")

    def _named_sum(
        self, question: str, resolved: str, result: SearchResult, hit: Hit
    ) -> Answer | None:
        """The answer stating the sum `hit`'s clause writes for the noun the question names
        ("贷款余额不超过2000万元"), as a calculation of no inputs; None when it names none."""
        named = named_sum(resolved, hit.clause.text, self.retriever.tokenizer.tokens)
        if named is None:
            return None
        stated = f"{named.noun}{named.before}{format_yuan(named.amount_yuan)}{named.after}"
        steps = [f"条文规定：{named.part}"]
        amount = named.amount_yuan
        years = years_totalled(normalize_query(resolved))
        if years:
            if not named.yearly:
                return None  # a total over years of a figure that is not yearly: no such sum
            amount = named.amount_yuan * years
            steps.append(
                f"{years}年合计：{format_yuan(named.amount_yuan)} × {years} = "
                f"{format_yuan(amount)}{named.after}"
            )
            stated = f"{stated}，{years}年合计{format_yuan(amount)}{named.after}"
        steps.append("这是条文写明的数额，不是按贵单位情况计算的金额")
        calculation = Calculation(
            rule_id=f"stated:{hit.clause.clause_id}",
            clause_id=hit.clause.clause_id,
            inputs={},
            amount_yuan=int(amount),
            steps=steps,
        )
        quoted = "".join(self._quote(hit.clause.text, resolved))
        body = f"据{clause_where(hit)}，{stated}。原文：「{quoted}」[1]"
        citations = self._citations(result.hits, first=hit.clause.clause_id)
        return self._cited(question, resolved, body, hit, citations, "lookup", calculation)

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
            # "能叠加吗？最多拿多少？": the document's rule on overlapping support, told too.
            rule = (
                next(
                    (
                        (i, said)
                        for i, c in enumerate(citations, start=1)
                        if (said := stacking_sentence(c.text))
                    ),
                    None,
                )
                if asks_stacking(resolved)
                else None
            )
            if rule is not None:
                body = f"{body}\n能否叠加：「{rule[1]}」[{rule[0]}]"
        return self._cited(question, resolved, body, top, citations, route, outcome.calculation)

    def _projected(
        self, question: str, resolved: str, result: SearchResult, projected: Projection
    ) -> Answer:
        top = result.hits[0]
        calculation = Calculation(
            rule_id=f"projection:{projected.kind}",
            clause_id=top.clause.clause_id,
            inputs={
                "base_yuan": str(projected.base_yuan),
                "rate": str(projected.rate),
                "years": projected.years,
            },
            amount_yuan=float(projected.amount_yuan),
            steps=list(projected.steps),
        )
        steps = "\n".join(f"  {s}" for s in projected.steps)
        body = (
            f"{projection_summary(projected)}[1]\n计算（依据{clause_where(top)}）：\n{steps}"
            f"\n条款原文：「{projected.sentence}」"
        )
        citations = self._citations(result.hits)
        return self._cited(question, resolved, body, top, citations, "calculation", calculation)

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

    def _document_fact(
        self,
        question: str,
        resolved: str,
        facts: Sequence[Fact],
        named: Sequence[DocumentMeta],
        top_doc: str | None,
    ) -> Answer | None:
        """One line per document named (else the top hit's) and fact asked: the sentence of its
        text stating who interprets it or when it takes effect, or the years it plans for; None
        when a document states no such thing (the ordinary lookup answers then)."""
        docs = list(named) or [
            d for d in self.documents.documents if d.id == top_doc
        ]
        lines: list[str] = []
        citations: list[Citation] = []
        for doc, fact in ((d, f) for d in docs for f in facts):
            own = [c for c in self.retriever.clauses if c.doc_id == doc.id]
            title = f"{doc.region}《{normalize(doc.title)}》"
            cover = cover_clause(doc.id, own)
            if fact == "period":
                target = target_clause(own)
                period = period_of(doc, target)
                if period is None:
                    return None
                said = "规划期为" if "—" in period else "目标年份为"
                line = f"{title}{said}{period}"
                cited = [c for c in (target, cover) if c is not None]
            else:
                found = fact_sentence(fact, own)
                if found is None:
                    return None
                clause, sentence = found
                line = f"{title}{clause.path or '正文'}：「{sentence}」"
                if "印发之日" in normalize(sentence) and doc.date:
                    # "自印发之日起施行" is answered with the day it was issued.
                    d = doc.date
                    line += f"（印发日期为{d.year}年{d.month}月{d.day}日）"
                cited = [c for c in (clause, cover) if c is not None]
            for c in cited:
                if c.clause_id not in {x.clause_id for x in citations}:
                    citations.append(self._clause_citation(c))
            ids = [x.clause_id for x in citations]
            lines.append(f"{line}[{ids.index(cited[0].clause_id) + 1}]。")
        return self._listing(question, resolved, lines, citations)

    def _metadata(
        self, question: str, resolved: str, named: Sequence[DocumentMeta], top_doc: str
    ) -> Answer:
        """Issuer, 文号, date and status of the document asked about (the one `named`, else the
        top hit's), from the manifest."""
        if len(named) >= 2:
            return self._metadata_of(question, resolved, named)
        doc_id = named[0].id if named else top_doc
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

    def _metadata_of(self, question: str, resolved: str, docs: Sequence[DocumentMeta]) -> Answer:
        """The manifest line of each document a question names, and which was issued first."""
        lines: list[str] = []
        citations: list[Citation] = []
        for doc in docs:
            cover = cover_clause(doc.id, self.retriever.clauses)
            if cover is not None:
                citations.append(self._clause_citation(cover))
            lines.append(f"{metadata_line(doc)}[{len(citations)}]" if cover else metadata_line(doc))
        dated = [d for d in docs if d.date]
        if len(dated) == len(docs) and len({d.date for d in dated}) == len(dated):
            first = min(dated, key=lambda d: d.date.toordinal() if d.date else 0)
            lines.append(f"较早印发的是{first.region}《{normalize(first.title)}》。")
        return self._listing(question, resolved, lines, citations)

    def _inventory(self, question: str, resolved: str, docs: Sequence[DocumentMeta]) -> Answer:
        """The documents a question about the collection asks for, one manifest line each,
        with the cover clause cited; none matching is said as such."""
        if not docs:
            message = "已收录的文件中没有符合条件的文件。"
            return abstention(question, resolved, message, self._coverage, "no_documents_match")
        lines = [f"已收录的文件中，符合条件的共{len(docs)}份："]
        citations: list[Citation] = []
        for i, doc in enumerate(docs, start=1):
            cover = cover_clause(doc.id, self.retriever.clauses)
            if cover is not None:
                citations.append(self._clause_citation(cover))
            ref = f"[{len(citations)}]" if cover is not None else ""
            lines.append(f"{i}. {metadata_line(doc)}{ref}")
        return self._listing(question, resolved, lines, citations)

    def _doc_list(
        self, question: str, resolved: str, frame: QuestionFrame, searched: str
    ) -> Answer | None:
        """Every document with a clause naming the topic, one line and one citation each."""
        topic = topic_of(searched)
        if topic is None:
            return None
        # A place inside the topic ("争创山东省科技创新强县") names it, not where to look.
        wanted = {
            r.covered_by for r in frame.regions if r.status == "covered" and r.text not in topic
        }
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
        computed: list[Answer] = []
        apart = asks_difference(question)
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
            # "对比一下：" asks for the comparison; left in a part, its words pick the sentence.
            single = _COMPARE_ASIDE.sub("", single)
            if apart:
                single = without_difference(single)
            sub_frame = build_frame(single, self._covered_regions, frame.intent == "amount")
            if ASKS_AMOUNT.search(single) and not ASKS_SHARE.search(single):
                sub_frame = sub_frame.with_(intent="amount")
            elif sub_frame.intent == "comparison":
                # Never a comparison again, whatever the part still reads like: no recursion.
                sub_frame = sub_frame.with_(intent="lookup")
            sub = self._compose_frame(single, sub_frame, mode)
            if sub.abstained or not sub.citations:
                lines.append(f"{mention.text}：已收录的文件中没有找到相应条款。")
                continue
            citations.append(sub.citations[0])
            if sub.calculation is not None:
                computed.append(sub)
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
        if apart and len(computed) == 2 == len(by_region):
            # "…分别是多少？相差多少？": both sums, then how far apart they are.
            worked = difference_answer(question, frame.resolved, computed[0], computed[1])
            if worked is not None:
                return worked
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
        return self._draft_note_of(hit.clause.doc_id)

    def _abstain(
        self, question: str, resolved: str, reason: str, frame: QuestionFrame | None = None
    ) -> Answer:
        message = reason_message(reason, frame, self.documents, self._periods)
        return abstention(question, resolved, message, self._coverage, reason)
