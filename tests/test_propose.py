"""`rules.propose` and `policyqa rules propose / accept`: candidate rules read from clauses,
kept out of every amount until a person accepts them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policyqa.corpus.ingest import IngestResult
from policyqa.corpus.segment import Clause
from policyqa.rules.propose import propose_rules, proposed_numbers
from policyqa.rules.table import RulesError, load_rules
from policyqa.serve.cli import main
from policyqa.settings import PROJECT_ROOT, Settings

CORPUS_DIR = PROJECT_ROOT / "corpus"
VOCABULARY = load_rules(CORPUS_DIR).vocabulary


def _clause(text: str) -> Clause:
    return Clause(
        doc_id="t",
        clause_id="t:1",
        path="一、1.",
        heading="",
        text=text,
        search_text=text,
        span=(0, len(text)),
        kind="item",
    )


# One sentence per formula kind, written the way the documents write them (not the seed
# documents' sentences), with the formula each should give.
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("对认定的企业技术中心，给予最高80万元一次性奖励", {"kind": "fixed", "amount": 800_000}),
    (
        "对新认定的国家级、省级工程研究中心，分别给予300万元、100万元补助",
        {
            "kind": "tiered",
            "input": "level",
            "tiers": [
                {"name": "国家级", "amount": 3_000_000},
                {"name": "省级", "amount": 1_000_000},
            ],
        },
    ),
    (
        "研发费用100万元以上的，按研发费用的15%给予补助，每家企业每年最高补助60万元",
        {
            "kind": "rate",
            "base": "proposed_base_yuan",
            "rate": "15%",
            "min_base": 1_000_000,
            "cap_per_year": 600_000,
        },
    ),
    (
        "每引进1名博士给予用人单位5万元补助，每家单位每年最高补助30万元",
        {
            "kind": "per_unit",
            "count": "proposed_count",
            "unit": "名",
            "amount_per_unit": 50_000,
            "unit_count": 1,
            "cap_per_year": 300_000,
        },
    ),
    (
        "对获得省级资金支持的项目，县级按照1:2配套支持，最高200万元",
        {"kind": "matched", "base": "proposed_base_yuan", "ratio": "1:2", "cap": 2_000_000},
    ),
    (
        "按投资额的10%给予补偿，补偿额度不高于实际损失，单个项目最高不超过100万元",
        {
            "kind": "lesser_of",
            "base": "proposed_base_yuan",
            "rate": "10%",
            "limit": "proposed_limit_yuan",
            "limit_label": "不高于",
            "cap_per_item": 1_000_000,
        },
    ),
    (
        "对不良贷款按本金损失给予风险补偿，市、县两级按照3:1比例分担",
        {
            "kind": "split",
            "base": "proposed_base_yuan",
            "rate_input": "proposed_rate",
            "shares": [{"name": "第一方", "part": 3}, {"name": "第二方", "part": 1}],
        },
    ),
]


@pytest.mark.parametrize(("text", "formula"), KINDS, ids=[f["kind"] for _, f in KINDS])
def test_each_formula_kind_is_read_with_its_numbers(text: str, formula: dict[str, Any]) -> None:
    (proposal,) = propose_rules([_clause(text)], VOCABULARY)
    assert proposal["formula"] == formula
    assert proposal["quote"] == [text]
    assert proposal["reviewed"] is False


def test_a_sentence_without_a_grant_is_not_proposed() -> None:
    assert propose_rules([_clause("全市科技企业营业收入达到500万元以上。")], VOCABULARY) == []


def test_every_proposal_for_the_corpus_quotes_its_clause_exactly(corpus: IngestResult) -> None:
    proposals = propose_rules(corpus.clauses, VOCABULARY)
    assert proposals
    by_id = {c.clause_id: c for c in corpus.clauses}
    for p in proposals:
        assert all(q in by_id[p["clause_id"]].text for q in p["quote"]), p["id"]


def test_most_seed_rules_are_proposed_with_their_kind_and_numbers(corpus: IngestResult) -> None:
    # Leave-one-out is eval/propose_loo.py; the proposer reads no rule, so one pass over the
    # whole corpus scores the same. The README table is that script's output.
    book = load_rules(CORPUS_DIR)
    proposals = propose_rules(corpus.clauses, VOCABULARY)
    found = {
        (p["clause_id"], p["formula"]["kind"], frozenset(Counter(proposed_numbers(p)).items()))
        for p in proposals
    }
    right = [
        r
        for r in book.rules
        if (r.clause_id, r.formula.kind, frozenset(Counter(r.formula.numbers()).items())) in found
    ]
    assert len(right) >= 0.85 * len(book.rules)


def test_propose_writes_candidates_that_are_never_used_until_accepted(
    corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    before = load_rules(corpus_copy)
    assert main(["rules", "propose", "taian-opinions-draft", "--json"], settings=settings) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(p["reviewed"] is False for p in lines)
    assert {"id", "clause_id", "quote", "formula", "reviewed"} <= set(lines[0])

    book = load_rules(corpus_copy)
    assert book.rules == before.rules  # no amount is computed from a candidate
    assert [r.id for r in book.candidates] == [p["id"] for p in lines]
    # Proposing again adds nothing.
    assert main(["rules", "propose", "taian-opinions-draft"], settings=settings) == 0
    assert len(load_rules(corpus_copy).candidates) == len(lines)

    rule_id = lines[0]["id"]
    assert main(["rules", "accept", rule_id], settings=settings) == 0
    accepted = load_rules(corpus_copy)
    assert accepted.get(rule_id).reviewed
    assert rule_id not in {r.id for r in accepted.candidates}
    assert main(["rules", "accept", rule_id], settings=settings) == 2  # already reviewed
    assert "已是审核过的规则" in capsys.readouterr().err
    with pytest.raises(RulesError, match="没有规则"):
        from policyqa.rules.candidates import accept_rule

        accept_rule(corpus_copy, "no-such-rule")


def test_the_admin_api_accepts_a_proposed_rule(
    corpus_copy: Path, built_index_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from policyqa.corpus.ingest import ingest
    from policyqa.rules.candidates import write_candidates
    from tests.test_admin_api import AUTH, TOKEN, AdminSettings, _app

    clauses = ingest(corpus_copy).clauses_of("taian-opinions-draft")
    (rule_id, *_) = write_candidates(corpus_copy, propose_rules(clauses, VOCABULARY))
    index_dir = tmp_path / "index"
    shutil.copytree(built_index_dir, index_dir, symlinks=True)
    settings = AdminSettings(corpus_dir=corpus_copy, index_dir=index_dir, admin_token=TOKEN)
    with TestClient(_app(settings)) as client:
        url = f"/documents/taian-opinions-draft/rules/{rule_id}/accept"
        assert client.post(url).status_code in (401, 403)  # admin only
        wrong = client.post(f"/documents/rizhao-rules-2025/rules/{rule_id}/accept", headers=AUTH)
        assert wrong.status_code == 404
        response = client.post(url, headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "rule_id": rule_id,
            "clause_id": load_rules(corpus_copy).get(rule_id).clause_id,
            "reviewed": True,
        }
        assert client.post(url, headers=AUTH).status_code == 404  # no longer a candidate
