"""`policyqa rules check`: the rule table checked against the corpus from the command line.

`check` prints one line per problem (`policyqa.rules.validate.Problem.line`) and exits 1 when
there is any, 0 when the table is sound. Never edits the table.
"""

from __future__ import annotations

import argparse
from typing import Any

from policyqa.engine import open_corpus
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


def register(subparsers: Any) -> None:
    """Add the `rules` command group to the `policyqa` parser."""
    p = subparsers.add_parser("rules", help="规则表：校验（check）")
    sub = p.add_subparsers(dest="rules_command", required=True)
    c = sub.add_parser(
        "check",
        help="校验 rules.toml：引文、数字、条款与金额覆盖；有问题时退出码为1",
    )
    c.set_defaults(func=cmd_check)
