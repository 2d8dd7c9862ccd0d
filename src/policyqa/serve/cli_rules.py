"""`policyqa rules check / propose / accept`: the rule table from the command line.

`check` prints one line per problem (`policyqa.rules.validate.Problem.line`) and exits 1 when
there is any, 0 when the table is sound. `propose DOC_ID` appends candidate rules for the
document's money clauses (`reviewed = false`, never used for an amount) and lists them
(`--json`: one proposal per line, in rules.toml's field names; `--dry-run`: write nothing).
`accept RULE_ID` marks a candidate reviewed once a person has checked it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

from policyqa.engine import open_corpus, open_rules, optional_rules
from policyqa.rules.candidates import accept_rule, write_candidates
from policyqa.rules.loading import RulesError
from policyqa.rules.propose import propose_rules
from policyqa.rules.validate import check_corpus
from policyqa.settings import Settings


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    problems = check_corpus(settings.corpus_dir, open_corpus(settings).clauses)
    for problem in problems:
        print(problem.line())
    if problems:
        errors = sum(p.is_error for p in problems)
        print(f"共 {len(problems)} 个问题（其中 {errors} 个错误会使服务拒绝启动）。")
        return 1
    print("规则表校验通过：每条引文都在条款中，每个数字都在引文中，每个金额都有规则或排除项。")
    return 0


def cmd_propose(args: argparse.Namespace, settings: Settings) -> int:
    corpus = open_corpus(settings)
    clauses = corpus.clauses_of(args.doc_id)
    if not clauses:
        known = ", ".join(d.id for d in corpus.manifest.documents)
        raise RulesError(f"没有文档 {args.doc_id!r}；现有文档ID：{known}")
    proposals = propose_rules(clauses, open_rules(settings).vocabulary)
    added = [] if args.dry_run else write_candidates(settings.corpus_dir, proposals)
    if args.json:
        for proposal in proposals:
            print(json.dumps(proposal, ensure_ascii=False))
        return 0
    print_proposals(proposals, added, written=not args.dry_run)
    print("请在 rules.toml 中核对主体、条件与输入名后运行 policyqa rules accept RULE_ID。")
    return 0


def print_proposals(
    proposals: Sequence[Mapping[str, Any]], added: Sequence[str], *, written: bool
) -> None:
    """One line per candidate rule (id, clause, state, formula) with its quote, then a count."""
    for p in proposals:
        state = "已写入" if p["id"] in added else ("已存在" if written else "未写入")
        formula = json.dumps(p["formula"], ensure_ascii=False)
        print(f"{p['id']}（{p['clause_id']}，{state}）{formula}\n  引文：{p['quote'][0]}")
    print(f"共 {len(proposals)} 条候选规则（reviewed = false，不用于计算金额）。")


def list_proposals_for(settings: Settings, doc_id: str) -> None:
    """After `policyqa add`: the candidate rules for the new document's money clauses, shown
    (not written), with the command that writes them for review."""
    book = optional_rules(settings)
    if book is None:
        return
    proposals = propose_rules(open_corpus(settings).clauses_of(doc_id), book.vocabulary)
    if not proposals:
        print("新文档中没有可生成候选规则的金额条款。")
        return
    print("新文档金额条款的候选规则：")
    print_proposals(proposals, (), written=False)
    print(f"写入 rules.toml 以供审核：policyqa rules propose {doc_id}")


def cmd_accept(args: argparse.Namespace, settings: Settings) -> int:
    rule = accept_rule(settings.corpus_dir, args.rule_id)
    print(f"已审核通过 {rule.id}（{rule.clause_id}）：此后用于计算金额与资格匹配。")
    return 0


def register(subparsers: Any) -> None:
    """Add the `rules` command group to the `policyqa` parser."""
    p = subparsers.add_parser(
        "rules", help="规则表：校验（check）、生成候选（propose）、审核（accept）"
    )
    sub = p.add_subparsers(dest="rules_command", required=True)
    c = sub.add_parser(
        "check",
        help="校验 rules.toml：引文、数字、条款与金额覆盖；有问题时退出码为1",
    )
    c.set_defaults(func=cmd_check)
    c = sub.add_parser("propose", help="为一个文档的金额条款生成候选规则（reviewed = false）")
    c.add_argument("doc_id", help="文档ID（policyqa ingest 列出）")
    c.add_argument("--json", action="store_true", help="每行一条候选规则（rules.toml 字段名）")
    c.add_argument("--dry-run", action="store_true", help="只显示，不写入 rules.toml")
    c.set_defaults(func=cmd_propose)
    c = sub.add_parser("accept", help="将一条候选规则标记为已审核")
    c.add_argument("rule_id")
    c.set_defaults(func=cmd_accept)
