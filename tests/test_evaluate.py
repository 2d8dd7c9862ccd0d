"""The evaluator: metric functions on hand-computed fixtures, and the validity of the gold set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policyqa.corpus.ingest import IngestResult
from policyqa.evaluation.answers import Answer, load_answers, parse_answer
from policyqa.evaluation.evaluate import batch_requests, run_eval
from policyqa.evaluation.gold import (
    KINDS,
    EvalFileError,
    GoldFormatError,
    GoldQuestion,
    default_gold_path,
    load_gold,
)
from policyqa.evaluation.render import format_report
from policyqa.evaluation.scoring import (
    Dialogues,
    abstention_precision_recall,
    amount_matches,
    hit_at_k,
    missing_substrings,
    reciprocal_rank,
    score,
    score_question,
    states_money,
)
from policyqa.rules.table import load_rules
from policyqa.settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
GOLD = FIXTURES / "eval_gold.jsonl"
ANSWERS = FIXTURES / "eval_answers.jsonl"


# --- pure metric functions ---------------------------------------------------------------------


def test_hit_at_k_looks_only_at_the_first_k() -> None:
    ranked = ["a", "b", "c"]
    assert hit_at_k(ranked, {"a"}, 1)
    assert not hit_at_k(ranked, {"c"}, 2)
    assert hit_at_k(ranked, {"c"}, 3)
    assert not hit_at_k([], {"a"}, 5)
    with pytest.raises(ValueError, match="k must be at least 1"):
        hit_at_k(ranked, {"a"}, 0)


def test_reciprocal_rank_uses_the_first_gold_hit() -> None:
    assert reciprocal_rank(["a", "b"], {"a"}) == 1.0
    assert reciprocal_rank(["x", "g", "g2"], {"g", "g2"}) == 0.5
    assert reciprocal_rank(["x", "y", "z", "g"], {"g"}) == 0.25
    assert reciprocal_rank(["x"], {"g"}) == 0.0
    assert reciprocal_rank([], {"g"}) == 0.0


def test_amount_matches_to_the_fen() -> None:
    assert amount_matches(200000.0, 200000)
    assert amount_matches(0, 0)
    assert amount_matches(899999.999, 900000)
    assert not amount_matches(199999.99, 200000)
    assert not amount_matches(None, 0)


def test_missing_substrings_normalizes_script_width_and_spaces() -> None:
    assert missing_substrings("补助２０万元", ["20万元"]) == []
    assert missing_substrings("補助50萬元", ["50万元"]) == []
    assert missing_substrings("按 5∶2 比例", ["5:2"]) == []
    assert missing_substrings("最高 200 万元", ["200万元"]) == []
    assert missing_substrings("补助20万元", ["20万元", "请提供"]) == ["请提供"]


def test_abstention_precision_recall_counts_should_abstain_as_positive() -> None:
    # (should, did): TP, FP, FN, TN
    pairs = [(True, True), (False, True), (True, False), (False, False)]
    assert abstention_precision_recall(pairs) == (0.5, 0.5)
    assert abstention_precision_recall([(True, True), (True, True), (True, False)]) == (1.0, 2 / 3)
    assert abstention_precision_recall([]) == (None, None)
    assert abstention_precision_recall([(False, False)]) == (None, None)


# --- reading answers ---------------------------------------------------------------------------


def test_load_answers_is_tolerant_and_records_problems() -> None:
    answers = load_answers(ANSWERS)
    assert sorted(answers) == ["g1", "g2", "g3", "g4", "g5", "g6", "g8", "zzz"]
    assert answers["g1"].clause_ids == ("doc:1", "doc:x")
    assert answers["g2"].amount_yuan == 200000.0
    assert answers["g8"].error == "system error: 问题为空"
    assert len(answers.problems) == 2
    assert answers.problems[0].startswith("line 7: not valid JSON")
    assert answers.problems[1].startswith("line 10: no usable id")


def test_parse_answer_turns_contract_violations_into_errors() -> None:
    broken = parse_answer({"id": 7, "answer": "x", "citations": [{"title": "no id"}]})
    assert broken.id == "7"
    assert broken.error is not None
    assert "abstained is not true/false" in broken.error
    assert "citations[0] has no string clause_id" in broken.error
    bad_amount = parse_answer(
        {"id": "a", "answer": "", "abstained": False, "citations": [], "calculation": {}}
    )
    assert bad_amount.error == "malformed answer: calculation.amount_yuan is not a number"
    assert parse_answer({"answer": "x"}, fallback_id="q9").id == "q9"
    with pytest.raises(ValueError, match="no usable id"):
        parse_answer({"answer": "x"})
    with pytest.raises(ValueError, match="not a JSON object"):
        parse_answer(["x"])


def test_load_answers_reports_duplicates_and_keeps_the_first(tmp_path: Path) -> None:
    line = {"id": "a", "answer": "first", "abstained": False, "citations": []}
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps(line) + "\n\n" + json.dumps({**line, "answer": "second"}) + "\n",
        encoding="utf-8",
    )
    answers = load_answers(path)
    assert answers["a"].answer == "first"
    assert answers.problems == ["line 3: duplicate id 'a'; kept the first"]


def test_missing_files_raise_actionable_errors(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="cannot read answers file"):
        load_answers(tmp_path / "nope.jsonl")
    with pytest.raises(EvalFileError, match="cannot read gold file"):
        load_gold(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match="holds no questions"):
        load_gold(empty)


# --- the fixture run, computed by hand -----------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_report() -> Any:
    return score(load_gold(GOLD), load_answers(ANSWERS), {"set": "fixture"})


def test_fixture_overall_scores(fixture_report: Any) -> None:
    m = fixture_report.overall
    assert (m.n, m.correct) == (8, 3)  # g1, g2, g4
    assert m.accuracy == 3 / 8
    # Retrieval over g1 g2 g3 g6 g7 g8: ranks 1, 3, 6, -, -, -.
    assert m.retrieval_n == 6
    assert m.hit_at_1 == pytest.approx(1 / 6)
    assert m.hit_at_5 == pytest.approx(2 / 6)
    assert m.mrr == pytest.approx((1 + 1 / 3 + 1 / 6) / 6)
    assert (m.amount_correct, m.amount_n) == (1, 2)  # g2 right, g8 errored
    assert (m.contains_correct, m.contains_n) == (3, 6)  # g1 g2 g3 / g6 g7 g8
    # should abstain: g4 g5; did abstain: g4 g6 -> TP 1, FP 1, FN 1.
    assert (m.abstention_precision, m.abstention_recall) == (0.5, 0.5)
    assert (m.abstain_n, m.abstain_correct, m.false_abstentions) == (2, 1, 1)
    assert m.unanswered == 2  # g7 missing, g8 error


def test_fixture_per_kind(fixture_report: Any) -> None:
    kinds = fixture_report.per_kind
    assert list(kinds) == ["lookup", "amount", "eligibility", "multiturn", "out_of_scope"]
    assert (kinds["lookup"].n, kinds["lookup"].correct, kinds["lookup"].mrr) == (2, 1, 0.5)
    assert kinds["multiturn"].hit_at_5 == 0.0
    assert kinds["multiturn"].mrr == pytest.approx(1 / 6)
    oos = kinds["out_of_scope"]
    assert (oos.abstention_precision, oos.abstention_recall) == (1.0, 0.5)
    assert kinds["eligibility"].abstention_precision == 0.0
    assert kinds["eligibility"].abstention_recall is None


def test_fixture_failures_name_their_reasons(fixture_report: Any) -> None:
    reasons = {r.id: r.reasons for r in fixture_report.failures}
    assert sorted(reasons) == ["g3", "g5", "g6", "g7", "g8"]
    assert reasons["g3"] == (
        "no gold clause in top 5 (gold: doc:3a, doc:3b; cited: doc:a, doc:b, doc:c, doc:d, doc:e)",
    )
    assert reasons["g5"] == ("answered but should abstain (out of scope)",)
    assert reasons["g6"][0] == "abstained but the corpus answers this"
    assert "answer lacks: 不重复" in reasons["g6"]
    assert reasons["g7"] == ("no answer for this id",)
    assert reasons["g8"] == ("system error: 问题为空",)
    assert fixture_report.unexpected_ids == ("zzz",)
    assert len(fixture_report.problems) == 2


def test_fixture_report_as_text_and_json(fixture_report: Any) -> None:
    text = format_report(fixture_report)
    assert "总体准确率 accuracy 37.5%" in text
    assert "拒答 abstention: 精确率 precision 50.0%   召回率 recall 50.0%" in text
    assert "  g5 [out_of_scope] 今天天气怎么样？" in text
    assert "ids not in the gold set: zzz" in text
    data = json.loads(fixture_report.to_json())
    assert data["meta"] == {"set": "fixture"}
    assert data["summary"]["accuracy"] == 0.375
    assert [f["id"] for f in data["failures"]] == ["g3", "g5", "g6", "g7", "g8"]
    assert data["per_kind"]["out_of_scope"]["abstention_recall"] == 0.5
    assert len(data["results"]) == 8


def test_a_blind_set_shows_its_scores_but_withholds_its_failures(fixture_report: Any) -> None:
    text = format_report(fixture_report, blind=True)
    assert "总体准确率 accuracy 37.5%" in text
    assert "失败 failures (5)" in text and "failures withheld" in text
    assert "今天天气怎么样" not in text and "g5 [" not in text


def test_eval_blind_flag_withholds_only_that_sets_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from policyqa.serve.cli import main

    blind = tmp_path / "blind.jsonl"
    blind.write_text(GOLD.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["eval", "--answers", str(ANSWERS), "--set", str(GOLD), "--blind", str(blind)]) == 0
    out = capsys.readouterr().out
    assert out.count("今天天气怎么样") == 1  # listed for the open set only
    assert out.count("failures withheld") == 1
    assert "blind.jsonl" in out.split("问题集对照")[1]
    assert main(["eval", "--answers", str(ANSWERS), "--blind", str(blind)]) == 0  # blind alone
    alone = capsys.readouterr().out
    assert "failures withheld" in alone and "今天天气怎么样" not in alone


def test_amount_failures_say_what_was_computed() -> None:
    gold = GoldQuestion(
        id="a", question="补多少？", kind="amount", gold_clause_ids=("c",), gold_amount_yuan=300
    )
    wrong = Answer(id="a", answer="x", clause_ids=("c",), amount_yuan=250.5)
    assert score_question(gold, wrong).reasons == ("amount: 250.50 元, gold 300 元",)
    none = Answer(id="a", answer="x", clause_ids=("c",))
    assert score_question(gold, none).reasons == ("amount: no calculation, gold 300 元",)
    right = Answer(id="a", answer="x", clause_ids=("c",), amount_yuan=300.0)
    assert score_question(gold, right).correct


def test_states_money_reads_amounts_and_sums_in_text() -> None:
    assert states_money("据条款：给予100万元补助", None)
    assert states_money("最高補助5,000元", None)
    assert states_money("无", 0.0)  # a calculated 0 is a stated amount
    assert not states_money("该市只收录了文登区的文件。2024年印发。", None)


def test_dialogues_count_only_when_every_turn_is_right_and_uncovered_numbers_are_counted() -> None:
    def turn(i: str, dialogue: str, category: str = "dialogue") -> GoldQuestion:
        return GoldQuestion(
            id=i,
            question="补多少？",
            kind="amount",
            gold_clause_ids=("c",),
            gold_amount_yuan=100,
            category=category,
            dialogue=dialogue,
        )

    uncovered = [
        GoldQuestion(
            id=i, question="北京补多少？", kind="out_of_scope", abstain=True, category="uncovered"
        )
        for i in ("u1", "u2", "u3")
    ]
    gold = [turn("a1", "d1"), turn("a2", "d1"), turn("b1", "d2"), turn("b2", "d2"), *uncovered]
    right = {"clause_ids": ("c",), "amount_yuan": 100.0, "answer": "100元"}
    answers = {i: Answer(id=i, **right) for i in ("a1", "a2", "b1")}
    answers["b2"] = Answer(id="b2", answer="x", clause_ids=("c",), amount_yuan=50.0)
    answers["u1"] = Answer(id="u1", answer="据条款，孵化器补助50万元。", clause_ids=("c",))
    answers["u2"] = Answer(id="u2", answer="据条款：推动企业上市。", clause_ids=("c",))
    answers["u3"] = Answer(id="u3", answer="不在收录范围", abstained=True)
    report = score(gold, answers)
    assert report.dialogues == Dialogues(n=2, correct=1, accuracy=0.5)
    assert list(report.per_category) == ["dialogue", "uncovered"]
    assert report.per_category["uncovered"].correct == 1
    assert report.overall.numbers_when_uncovered == 1
    assert [r.id for r in report.results if r.number_when_uncovered] == ["u1"]
    text = format_report(report)
    assert "whole dialogues 1/2 (50.0%)" in text and "numbers for uncovered topics 1" in text
    assert report.to_dict()["dialogues"] == {"n": 2, "correct": 1, "accuracy": 0.5}


# --- gold file validation ------------------------------------------------------------------------


def _gold_line(**overrides: Any) -> str:
    base: dict[str, Any] = {
        "id": "x1",
        "question": "问题",
        "kind": "lookup",
        "gold_clause_ids": ["d:1"],
        "gold_amount_yuan": None,
        "answer_contains": ["甲"],
        "abstain": False,
        "note": "",
    }
    base.update(overrides)
    return json.dumps(base, ensure_ascii=False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "out_of_scope", "gold_clause_ids": []}, "must have abstain: true"),
        ({"abstain": True}, "an abstain question takes no gold"),
        ({"gold_clause_ids": []}, "needs at least one gold_clause_ids"),
        ({"kind": "multiturn"}, "history is required for kind multiturn"),
        ({"history": [{"role": "user", "content": "前一问"}]}, "only allowed there"),
        ({"gold_amount_yuan": True}, "integer number of yuan"),
        ({"gold_amount_yuan": 1.5}, "integer number of yuan"),
        ({"gold_amount_yuan": -1}, "must not be negative"),
        ({"answer_contains": [" "]}, "empty string"),
        ({"kind": "trivia"}, "kind"),
        ({"gold_clause": ["d:1"]}, "gold_clause"),
    ],
)
def test_load_gold_rejects_inconsistent_lines(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(_gold_line(id="ok") + "\n" + _gold_line(**overrides) + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=message) as info:
        load_gold(path)
    assert info.value.line == 2


def test_load_gold_rejects_duplicates_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(_gold_line() + "\n" + _gold_line() + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="duplicate id 'x1' \\(first on line 1\\)"):
        load_gold(path)
    path.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="not valid JSON"):
        load_gold(path)


# --- running a system in-process -----------------------------------------------------------------


def test_run_eval_sends_questions_and_history_without_gold() -> None:
    seen: list[dict[str, Any]] = []

    def answer_fn(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen.extend(requests)
        out = []
        for r in requests:
            abstain = r["id"] in {"g4", "g5"}
            item: dict[str, Any] = {
                "answer": "13件 20万元 50万元 不重复 甲 50万元",
                "abstained": abstain,
                "citations": [] if abstain else [{"clause_id": f"doc:{r['id'][1:]}"}],
                "calculation": None,
            }
            if r["id"] == "g2":
                item["calculation"] = {"amount_yuan": 200000}
            if r["id"] == "g8":
                item["calculation"] = {"amount_yuan": 0}
            if r["id"] != "g3":  # g3 comes back without an id: matched by position
                item["id"] = r["id"]
            out.append(item)
        return out

    report = run_eval(GOLD, answer_fn, {"mode": "fake"})
    assert [r["id"] for r in seen] == [f"g{i}" for i in range(1, 9)]
    assert set(seen[0]) == {"id", "question", "history"}
    assert seen[2]["history"][0] == {"role": "user", "content": "国家级孵化器补多少？"}
    assert report.meta == {"gold": str(GOLD), "mode": "fake"}
    # Everything is right except g3, whose cited "doc:3" is not doc:3a / doc:3b.
    assert [r.id for r in report.failures] == ["g3"]
    assert report.overall.abstention_precision == 1.0
    assert report.problems == ()


def test_run_eval_reports_a_short_answer_list() -> None:
    report = run_eval(GOLD, lambda requests: [])
    assert report.overall.correct == 0
    assert report.problems == ("answer_fn returned 0 answers for 8 questions",)


# --- the project's own question set --------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_set() -> list[GoldQuestion]:
    return load_gold(default_gold_path())


def test_gold_set_size_and_kinds(gold_set: list[GoldQuestion]) -> None:
    kinds = Counter(q.kind for q in gold_set)
    assert len(gold_set) >= 150
    assert set(kinds) == set(KINDS)
    assert kinds["out_of_scope"] >= 15
    assert kinds["multiturn"] >= 6
    assert len({q.id for q in gold_set}) == len(gold_set)
    assert len({(q.question, tuple(q.history)) for q in gold_set}) == len(gold_set)


def test_gold_clause_ids_exist_and_cover_every_document(
    gold_set: list[GoldQuestion], corpus: IngestResult
) -> None:
    known = {c.clause_id for c in corpus.clauses}
    unknown = sorted({c for q in gold_set for c in q.gold_clause_ids} - known)
    assert not unknown, f"gold clause ids not in the corpus: {unknown}"
    docs = {c.split(":", 1)[0] for q in gold_set for c in q.gold_clause_ids}
    assert docs == {d.id for d in corpus.manifest.documents}


def test_gold_set_asks_an_amount_question_for_every_rule_clause(
    gold_set: list[GoldQuestion],
) -> None:
    asked = {c for q in gold_set if q.kind == "amount" for c in q.gold_clause_ids}
    rule_clauses = set(load_rules(PROJECT_ROOT / "corpus").clause_ids())
    assert not rule_clauses - asked, f"rule clauses with no amount question: {rule_clauses - asked}"


def test_gold_set_has_amounts_thresholds_and_caps(gold_set: list[GoldQuestion]) -> None:
    amounts = [q for q in gold_set if q.gold_amount_yuan is not None]
    assert len(amounts) >= 40
    assert any(q.gold_amount_yuan == 0 for q in amounts)  # thresholds just below
    needs_input = [q for q in gold_set if "请提供" in q.answer_contains]
    assert len(needs_input) >= 3


def test_batch_requests_carry_no_gold(gold_set: list[GoldQuestion]) -> None:
    requests = batch_requests(gold_set)
    assert len(requests) == len(gold_set)
    assert all(set(r) == {"id", "question", "history"} for r in requests)
    assert sum(bool(r["history"]) for r in requests) >= 6


@pytest.mark.parametrize(
    "name", ["questions-unseen.jsonl", "questions-heldout.jsonl", "questions-heldout2.jsonl"]
)
def test_held_out_sets_load_and_name_real_clauses(name: str, corpus: IngestResult) -> None:
    held_out = load_gold(PROJECT_ROOT / "eval" / name)
    known = {c.clause_id for c in corpus.clauses}
    assert not sorted({c for q in held_out for c in q.gold_clause_ids} - known)
    assert all(q.category for q in held_out)  # every question names its failure class
    dialogues = Counter(q.dialogue for q in held_out if q.dialogue)
    assert dialogues and all(n == 3 for n in dialogues.values())  # three-turn conversations
