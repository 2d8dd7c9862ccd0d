"""The `policyqa` command line: a thin front end over the library."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from policyqa.answer.abstain import LEVEL_NAMES
from policyqa.answer.asking import QuestionError
from policyqa.answer.contract import Answer, Turn
from policyqa.corpus.errors import DocumentError
from policyqa.corpus.manifest import CorpusError
from policyqa.corpus.segment import SegmentError
from policyqa.engine import (
    build_search_index,
    open_corpus,
    open_engine,
    open_rules,
    open_search,
    recover_changes,
)
from policyqa.evaluation.answers import load_answers
from policyqa.evaluation.evaluate import run_eval
from policyqa.evaluation.gold import EvalFileError, default_gold_path, load_gold
from policyqa.evaluation.render import format_report, format_side_by_side
from policyqa.evaluation.scoring import score
from policyqa.rules.match import match_report
from policyqa.rules.profile import ProfileError, load_profile
from policyqa.rules.table import RulesError
from policyqa.search.embed import EmbedderConfigError
from policyqa.search.index import IndexError_
from policyqa.search.lock import BuildLockedError
from policyqa.search.retrieve import MODES, EmptyQueryError
from policyqa.serve.cli_documents import register as register_documents
from policyqa.serve.cli_rules import register as register_rules
from policyqa.settings import Settings, get_settings
from policyqa.text import LONE_SURROGATE
from policyqa.textwidth import table_lines

STATUS_NAMES = {"draft": "征求意见稿", "in_force": "现行有效"}


class UsageError(Exception):
    """A command used wrongly (unknown id, bad option); the message says what to do."""


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table that lines up Chinese (double-width) characters."""
    return "\n".join(line.rstrip() for line in table_lines(headers, rows))


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    result = open_corpus(settings)
    rows = []
    for doc, meta in zip(result.documents, result.manifest.documents, strict=True):
        rows.append(
            [
                meta.id,
                meta.region,
                LEVEL_NAMES[meta.level],
                STATUS_NAMES[meta.status],
                str(len(result.clauses_of(meta.id))),
                str(len(doc.removed)),
                str(doc.page_markers),
                str(len(doc.corrections)),
                meta.title,
            ]
        )
    headers = ["文档", "地区", "层级", "状态", "条款", "删除杂项", "页码标记", "校正", "标题"]
    print(format_table(headers, rows))
    print(f"\n共 {len(result.documents)} 个文档，{len(result.clauses)} 条条款。")
    for doc in result.documents:
        for warning in doc.warnings:
            print(f"警告 {doc.doc_id}: {warning}", file=sys.stderr)
    return 0


def cmd_clauses(args: argparse.Namespace, settings: Settings) -> int:
    result = open_corpus(settings)
    clauses = result.clauses
    if args.doc:
        result.manifest.get(args.doc)  # unknown id → CorpusError naming the known ids
        clauses = result.clauses_of(args.doc)
    if args.json:
        for clause in clauses:
            print(clause.model_dump_json())
        return 0
    rows = [[c.clause_id, c.path or "-", c.heading[:24], c.text[:30]] for c in clauses]
    print(format_table(["条款ID", "路径", "标题", "内容"], rows))
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    result = open_corpus(settings)
    clause = result.clause(args.clause_id)
    if clause is None:
        raise UsageError(
            f"没有条款 {args.clause_id!r}。用 `policyqa clauses --doc DOC_ID` 列出条款ID。"
        )
    if args.json:
        print(clause.model_dump_json(indent=2))
        return 0
    meta = result.manifest.get(clause.doc_id)
    print(f"{meta.title}（{meta.region}，{STATUS_NAMES[meta.status]}）")
    print(f"条款: {clause.clause_id}    路径: {clause.path or '正文'}")
    if clause.heading:
        print(f"标题: {clause.heading}")
    if clause.departments:
        print(f"责任部门: {'、'.join(clause.departments)}")
    print()
    print(clause.text)
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    build = build_search_index(settings)
    print(
        f"已建立索引：{build.clauses} 条条款，嵌入模型 {build.embedder}（{build.dim} 维），"
        f"用时 {build.build_s:.1f} 秒 → {build.path}"
    )
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    retriever = open_search(settings)
    try:
        result = retriever.search(args.query, k=args.k, mode=args.mode)
    except EmptyQueryError as e:
        raise UsageError(str(e)) from e
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if not result.relevant:
        print(f"（未找到足够相关的条款：{result.abstain_reason}；以下结果仅供参考）")
    for hit in result.hits:
        print(
            f"[{hit.rank}] {hit.score:.3f}  {hit.title}（{hit.region}） {hit.clause.path or '正文'}"
        )
        print(f"    {hit.clause.clause_id}")
        print(f"    {hit.clause.text}")
    return 0


def _answer_readable(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.calculation:
        lines.append(
            f"\n金额：{answer.calculation.amount_yuan} 元（规则 {answer.calculation.rule_id}）"
        )
    for i, c in enumerate(answer.citations, start=1):
        lines.append(f"\n[{i}] {c.title}（{c.region}）{c.path}  {c.clause_id}\n{c.text}")
    return "\n".join(lines)


def read_batch_line(raw: bytes, number: int) -> tuple[str | None, str, list[Turn]]:
    """(id, question, history) of one batch line, or BatchLineError naming the line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BatchLineError(number, f"不是有效的 UTF-8 文本（第 {e.start + 1} 个字节）") from e
    if not line.strip():
        raise BatchLineError(number, "空行（每行应为一个 JSON 对象）")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as e:
        raise BatchLineError(number, f"不是有效的 JSON：{e.msg}") from e
    if not isinstance(item, dict):
        raise BatchLineError(number, '不是 JSON 对象（应为 {"id": …, "question": …}）')
    raw_id = item.get("id")
    if raw_id is not None and not isinstance(raw_id, str | int):
        raise BatchLineError(number, "id 应为字符串或整数")
    answer_id = None if raw_id is None else str(raw_id)
    if answer_id is not None and LONE_SURROGATE.search(answer_id):
        raise BatchLineError(number, "id 包含无效的字符（孤立代理项）")
    question = item.get("question")
    if not isinstance(question, str):
        raise BatchLineError(number, "缺少字符串字段 question", answer_id)
    try:
        history = [Turn.model_validate(t) for t in item.get("history") or []]
    except (ValidationError, TypeError) as e:
        raise BatchLineError(number, f"history 格式不对：{e}", answer_id) from e
    return answer_id, question, history


class BatchLineError(Exception):
    """One unusable line of a batch file; the batch goes on with the next line."""

    def __init__(self, line: int, reason: str, answer_id: str | None = None) -> None:
        super().__init__(f"第 {line} 行：{reason}")
        self.line = line
        self.reason = reason
        self.answer_id = answer_id


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if (args.question is None) == (args.batch is None):
        raise UsageError("请给出一个问题，或用 --batch FILE 批量回答（二选一）。")
    engine = open_engine(settings)
    if args.batch is None:
        try:
            answer = engine.answerer.answer(args.question, mode=args.mode)
        except QuestionError as e:
            raise UsageError(str(e)) from e
        print(answer.model_dump_json(indent=2) if args.json else _answer_readable(answer))
        return 0
    failures = 0
    source = sys.stdin.buffer if args.batch == "-" else _open_batch(args.batch)
    with source:
        for number, line in enumerate(source, start=1):
            row: dict[str, Any]
            try:
                answer_id, question, history = read_batch_line(line, number)
            except BatchLineError as e:
                row = {"id": e.answer_id, "error": str(e)}
            else:
                request = {"id": answer_id, "question": question, "history": history}
                [row] = engine.answer_requests([request], args.mode)
            if "error" in row:
                failures += 1
                error = {"id": row["id"], "line": number, "error": row["error"]}
                print(json.dumps(error, ensure_ascii=False), flush=True)
            else:
                print(json.dumps(row, ensure_ascii=False, separators=(",", ":")), flush=True)
    if failures:
        print(f"{failures} 行未能回答（见输出中的 error 对象）。", file=sys.stderr)
    return 1 if failures else 0


def _open_batch(path: str) -> BinaryIO:
    # Binary, so that one line that is not UTF-8 is reported as such and the rest still run.
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller's with
    except OSError as e:
        raise UsageError(f"无法读取批量文件 {path}：{e.strerror}") from e


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    profile = load_profile(Path(args.profile))
    report = match_report(profile, open_rules(settings))
    if args.json:
        payload = {"profile": profile.model_dump(mode="json"), **report.to_dict()}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    subjects = "、".join(profile.subject_types)
    print(f"企业画像：{profile.name or '（未命名）'}，{profile.region}，{subjects}")
    print("\n".join(report.lines()) or "没有找到可能适用的补助规则。")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    blind = [Path(p) for p in args.blind or []]
    paths = [Path(p) for p in args.set or []] + blind or [default_gold_path()]
    reports = {}
    engine = None if args.answers else open_engine(settings)

    def answer(batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        assert engine is not None  # only called when answering with the engine
        return engine.answer_requests(batch, args.mode)

    for gold_path in paths:
        if engine is None:
            # Score another system's batch output: the same contract any outside script reads.
            meta = {"answers": args.answers}
            reports[gold_path.name] = score(load_gold(gold_path), load_answers(args.answers), meta)
        else:
            meta = {"mode": args.mode, "embedder": engine.retriever.embedder.name}
            reports[gold_path.name] = run_eval(gold_path, answer, meta)
        print(format_report(reports[gold_path.name], blind=gold_path in blind))
    if len(reports) > 1:
        print(format_side_by_side(reports))
    report = reports[paths[0].name]  # --json writes the first set's report
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(report.to_json(), encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyqa",
        description="科技政策问答：带条款引用的回答与确定性补助计算。",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="解析语料并报告每个文档的条款数")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("clauses", help="列出条款")
    p.add_argument("--doc", help="只列出该文档的条款（文档ID）")
    p.add_argument("--json", action="store_true", help="每行输出一个条款 JSON")
    p.set_defaults(func=cmd_clauses)

    p = sub.add_parser("show", help="显示一条条款（含路径与责任部门）")
    p.add_argument("clause_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("ask", help="回答问题（可读文本、--json，或 --batch 批量）")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="输出回答对象 JSON")
    p.add_argument(
        "--batch", metavar="FILE", help="JSONL 文件（- 为标准输入），每行 {id, question}"
    )
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("match", help="按企业画像（JSON 文件）列出可能适用的补助规则")
    p.add_argument("profile", help="企业画像 JSON 文件")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("eval", help="在问题集上评测回答准确率（或评测 --answers 给出的回答）")
    p.add_argument(
        "--set",
        metavar="FILE",
        action="append",
        help="问题集 JSONL（默认 eval/questions.jsonl）；可重复，多个问题集并列对照",
    )
    p.add_argument(
        "--blind",
        metavar="FILE",
        action="append",
        help="盲测问题集：照常计分并列入对照表，但不列出失败的题目（防止据此调参）；可重复",
    )
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.add_argument("--json", metavar="REPORT", help="把完整报告写成 JSON")
    p.add_argument("--answers", metavar="FILE", help="评测现成的回答 JSONL（批量输出格式）")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("index", help="建立（或重建）检索索引")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="检索条款（混合 / BM25 / 向量）")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="返回条数（默认 5）")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    register_documents(sub)
    register_rules(sub)
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Entry point of the `policyqa` console script; errors become a message and exit code 2."""
    args = build_parser().parse_args(argv)
    undecodable = [
        a for a in vars(args).values() if isinstance(a, str) and LONE_SURROGATE.search(a)
    ]
    if undecodable:
        # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
        print(
            "错误: 参数包含无法解码的字节（孤立代理项）；请使用 UTF-8 编码的终端或文件。",
            file=sys.stderr,
        )
        return 2
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    active = settings or get_settings()
    try:
        # A change killed part-way is finished (or its orphans removed) before anything reads.
        for line in recover_changes(active).lines():
            print(line, file=sys.stderr)
        return func(args, active)
    except (
        CorpusError,
        SegmentError,
        UsageError,
        IndexError_,
        EmbedderConfigError,
        ProfileError,
        RulesError,
        EvalFileError,
        DocumentError,
        BuildLockedError,
    ) as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`policyqa ask … | head`): nothing failed, nothing to report.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:
        # A full disk or a permission problem: every writer rolls back before this is raised.
        full = e.errno in (errno.ENOSPC, errno.EDQUOT)
        what = "磁盘空间不足" if full else "读写文件失败"
        where = f"：{e.filename}" if e.filename else ""
        print(
            f"错误: {what}（{e.strerror or type(e).__name__}）{where}；本次操作未生效，"
            "语料和索引保持原状",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
