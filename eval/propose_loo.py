"""Leave-one-out evaluation of `policyqa rules propose` on the seed documents.

For each document of the corpus: take the reviewed rules of that document out of a copy of the
table (they are the answer key), propose rules for the document's clauses with the rest of the
table's vocabulary, and score every answer-key rule: a proposal in the same clause with the
same formula kind (kind right) and the same formula numbers (numbers right: amounts, rates,
ratios, caps, years; the thresholds of `[[rule.thresholds]]` are not proposed and not
scored). Quotes exact: every proposal's quote is a substring of its clause's original text.
Proposals in clauses without a rule (excluded or non-granting clauses) are counted as extra.

    python eval/propose_loo.py            # the table printed in the README
    python eval/propose_loo.py --json     # one JSON object per document
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from policyqa.corpus.ingest import ingest
from policyqa.rules.propose import propose_rules, proposed_numbers
from policyqa.rules.table import load_rules
from policyqa.settings import PROJECT_ROOT


def _without_document(corpus_dir: Path, doc_id: str, target: Path) -> Path:
    """A copy of the corpus whose rules.toml lacks the rules and combinations of `doc_id`."""
    import tomlkit

    shutil.copytree(corpus_dir, target)
    path = target / "rules.toml"
    table = tomlkit.parse(path.read_text(encoding="utf-8"))
    # The document's rules, and the combination provisions naming them, leave the table.
    for key, owned in (("rule", "clause_id"), ("combination", "clause_id")):
        kept = [e for e in table[key] if not str(e[owned]).startswith(f"{doc_id}:")]
        table[key] = tomlkit.aot()
        for entry in kept:
            table[key].append(entry)
    path.write_text(tomlkit.dumps(table), encoding="utf-8")
    return target


def evaluate_document(corpus_dir: Path, doc_id: str) -> dict[str, Any]:
    """Score the proposals for one document against its reviewed rules."""
    gold = [r for r in load_rules(corpus_dir).rules if r.doc_id == doc_id]
    corpus = ingest(corpus_dir)
    clauses = corpus.clauses_of(doc_id)
    by_id = {c.clause_id: c for c in clauses}
    with tempfile.TemporaryDirectory() as tmp:
        copy = _without_document(corpus_dir, doc_id, Path(tmp) / "corpus")
        left = load_rules(copy)
        assert not any(r.doc_id == doc_id for r in left.rules)
        proposals = propose_rules(clauses, left.vocabulary)
    kind_right = numbers_right = 0
    rows = []
    for rule in gold:
        here = [p for p in proposals if p["clause_id"] == rule.clause_id]
        same_kind = [p for p in here if p["formula"]["kind"] == rule.formula.kind]
        want = Counter(rule.formula.numbers())
        exact = [p for p in same_kind if Counter(proposed_numbers(p)) == want]
        kind_right += bool(same_kind)
        numbers_right += bool(exact)
        rows.append((rule.id, rule.formula.kind, bool(same_kind), bool(exact)))
    gold_sets = [(r.clause_id, r.formula.kind, Counter(r.formula.numbers())) for r in gold]
    unmatched = sum(
        (p["clause_id"], p["formula"]["kind"], Counter(proposed_numbers(p))) not in gold_sets
        for p in proposals
    )
    quotes_exact = sum(all(q in by_id[p["clause_id"]].text for q in p["quote"]) for p in proposals)
    gold_clauses = {r.clause_id for r in gold}
    return {
        "doc_id": doc_id,
        "rules": len(gold),
        "money_clauses": len(gold_clauses),
        "kind_right": kind_right,
        "numbers_right": numbers_right,
        "proposals": len(proposals),
        "quotes_exact": quotes_exact,
        "extra_proposals": sum(p["clause_id"] not in gold_clauses for p in proposals),
        "unmatched_proposals": unmatched,
        "per_rule": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--per-rule", action="store_true", help="list every answer-key rule")
    args = parser.parse_args(argv)
    manifest = ingest(args.corpus).manifest
    results = [evaluate_document(args.corpus, d.id) for d in manifest.documents]
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
        return 0
    print(
        "| document | rules | kind right | kind and numbers right | proposals | quotes exact "
        "| matching no rule | in clauses without a rule |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        n = r["rules"] or 1
        print(
            f"| {r['doc_id']} | {r['rules']} | {r['kind_right']} ({r['kind_right'] / n:.0%}) "
            f"| {r['numbers_right']} ({r['numbers_right'] / n:.0%}) | {r['proposals']} "
            f"| {r['quotes_exact']}/{r['proposals']} | {r['unmatched_proposals']} "
            f"| {r['extra_proposals']} |"
        )
        if args.per_rule:
            for rule_id, kind, k, num in r["per_rule"]:
                marks = f"{'✓' if k else '✗'} | {'✓' if num else '✗'}"
                print(f"|   {rule_id} | {kind} | {marks} ||||")
    return 0


if __name__ == "__main__":
    sys.exit(main())
