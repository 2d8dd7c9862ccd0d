"""`policyqa add / replace / remove`: keep the corpus current from the command line.

`add` and `replace` show the metadata read from the document (and where each value came from)
before changing anything; flags override it. Without --yes an interactive terminal asks for
confirmation; a non-interactive run proceeds and prints what it used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from policyqa.corpus.metadata import FIELDS, Proposal
from policyqa.corpus.readers import ReadLimits, load_source
from policyqa.engine import open_document_store
from policyqa.serve.cli_rules import list_proposals_for
from policyqa.settings import Settings
from policyqa.textwidth import display_width, pad

FIELD_NAMES = {
    "id": "文档ID",
    "title": "标题",
    "issuer": "发文机关",
    "region": "地区",
    "level": "层级",
    "date": "日期",
    "doc_no": "发文字号",
    "status": "状态",
}


def _add_metadata_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", help="标题（默认从文中读取）")
    parser.add_argument("--issuer", help="发文机关")
    parser.add_argument("--region", help="地区，如 济宁市、山东省、威海市文登区")
    parser.add_argument("--level", help="层级：province / city / district（省级/市级/区县级）")
    parser.add_argument("--date", help="成文日期 YYYY-MM-DD")
    parser.add_argument("--doc-no", dest="doc_no", help="发文字号，如 济政字〔2025〕8号")
    parser.add_argument("--status", help="draft（征求意见稿）或 in_force（现行有效）")
    parser.add_argument("--id", dest="id", help="文档ID（小写字母、数字、连字符）")
    parser.add_argument("--yes", "-y", action="store_true", help="不询问，直接执行")


def _overrides(args: argparse.Namespace) -> dict[str, str | None]:
    return {name: getattr(args, name, None) for name in FIELDS}


def _show(proposal: Proposal, source_name: str) -> None:
    print(
        f"{source_name} 的文档信息（[文件] 从文中读取，[指定] 命令行参数，"
        "[原文档] 沿用被替换的文档，[推断] 自动生成）："
    )
    width = max(display_width(v) for v in FIELD_NAMES.values())
    for name, value, origin in proposal.rows():
        label = pad(FIELD_NAMES[name], width)
        print(f"  {label}  {value}  [{origin}]")


def _confirm(args: argparse.Namespace, question: str) -> bool:
    """True to go ahead: --yes, or 'y' on a terminal; a non-interactive run proceeds."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print("（非交互运行且未给 --yes：按以上信息执行；需要修改时用 --title 等参数重新运行）")
        return True
    try:
        reply = input(f"{question} [Y/n] ").strip().lower()
    except EOFError:
        reply = "n"
    if reply in ("", "y", "yes", "是"):
        return True
    print("已取消，语料和索引未改动。")
    return False


def _print_report(lines: list[str]) -> None:
    for line in lines:
        print(line)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    source = load_source(Path(args.file), ReadLimits.from_settings(settings))
    store = open_document_store(settings)
    proposal = store.propose(source, _overrides(args))
    _show(proposal, source.name)
    if not _confirm(args, "按以上信息添加？"):
        return 1
    report = store.add(source, proposal.meta)
    _print_report(report.lines())
    list_proposals_for(settings, proposal.meta.id)
    return 0


def cmd_replace(args: argparse.Namespace, settings: Settings) -> int:
    source = load_source(Path(args.file), ReadLimits.from_settings(settings))
    store = open_document_store(settings)
    old = store.get(args.doc_id)
    proposal = store.propose(source, _overrides(args), replacing=args.doc_id)
    print(f"将替换：{old.id}（{old.title}）")
    _show(proposal, source.name)
    if not _confirm(args, "按以上信息替换？"):
        return 1
    report = store.replace(args.doc_id, source, proposal.meta)
    _print_report(report.lines())
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    store = open_document_store(settings)
    old = store.get(args.doc_id)
    print(f"将删除：{old.id}（{old.title}，{old.region}）")
    if not _confirm(args, "确认删除？"):
        return 1
    report = store.remove(args.doc_id)
    _print_report(report.lines())
    return 0


def register(subparsers: Any) -> None:
    """Add the `add`, `replace` and `remove` commands to the `policyqa` parser."""
    p = subparsers.add_parser(
        "add",
        help="添加政策文件（.txt/.docx/.pdf），增量更新索引",
        description="读取文件、显示从文中读到的标题/发文字号/日期/发文机关等供确认（参数优先），"
        "复制到 corpus/docs/，更新 manifest.json，并只为新文档的条款建索引。",
    )
    p.add_argument("file", help="文件路径：.txt（UTF-8/GBK/UTF-16）、.docx 或文字版 .pdf")
    _add_metadata_flags(p)
    p.set_defaults(func=cmd_add)

    p = subparsers.add_parser(
        "replace",
        help="用新文本替换一个文档（如征求意见稿换成定稿），报告需复核的规则",
    )
    p.add_argument("doc_id", help="要替换的文档ID")
    p.add_argument("file", help="新文件：.txt、.docx 或文字版 .pdf")
    _add_metadata_flags(p)
    p.set_defaults(func=cmd_replace)

    p = subparsers.add_parser("remove", help="删除一个文档及其条款（增量更新索引）")
    p.add_argument("doc_id", help="要删除的文档ID")
    p.add_argument("--yes", "-y", action="store_true", help="不询问，直接删除")
    p.set_defaults(func=cmd_remove)
