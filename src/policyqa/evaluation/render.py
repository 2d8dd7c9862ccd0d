"""The evaluation report as plain text: summary, a table per kind, then every failure with its
reasons (what `policyqa eval` prints).
"""

from __future__ import annotations

from policyqa.evaluation.scoring import Metrics, Report
from policyqa.textwidth import table_lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _frac(k: int, n: int) -> str:
    return "n/a" if n == 0 else f"{k}/{n}"


def _metrics_row(name: str, m: Metrics) -> list[str]:
    return [
        name,
        str(m.n),
        str(m.correct),
        _pct(m.accuracy),
        _pct(m.hit_at_1),
        _pct(m.hit_at_5),
        "n/a" if m.mrr is None else f"{m.mrr:.3f}",
        _frac(m.amount_correct, m.amount_n),
        _frac(m.contains_correct, m.contains_n),
        _frac(m.abstain_correct, m.abstain_n),
        str(m.false_abstentions),
    ]


def _header(first: str) -> list[str]:
    return [first, "n", "正确", "准确率", "hit@1", "hit@5", "MRR", "金额", "包含", "拒答", "误拒"]


def format_report(report: Report, *, blind: bool = False) -> str:
    """The report as plain-text tables: summary, per kind, then every failure with reasons.

    A blind set (one the code must never be tuned on) shows its scores but not its failures,
    so reading a run's output cannot leak its questions into the next change."""
    m = report.overall
    lines = ["评测报告 evaluation report"]
    for key, value in report.meta.items():
        lines.append(f"  {key}: {value}")
    lines += [
        "",
        f"题数 questions {m.n}   正确 correct {m.correct}   总体准确率 accuracy {_pct(m.accuracy)}",
        f"命中@1 hit@1 {_pct(m.hit_at_1)}   命中@5 hit@5 {_pct(m.hit_at_5)}   "
        f"MRR {'n/a' if m.mrr is None else f'{m.mrr:.3f}'}   (检索题 n={m.retrieval_n})",
        f"金额精确 amount exact {_pct(m.amount_exact)} ({_frac(m.amount_correct, m.amount_n)})   "
        f"答案包含 answer-contains {_pct(m.answer_contains)} "
        f"({_frac(m.contains_correct, m.contains_n)})",
        f"拒答 abstention: 精确率 precision {_pct(m.abstention_precision)}   "
        f"召回率 recall {_pct(m.abstention_recall)}   (应拒答 n={m.abstain_n}; "
        f"误拒 in-scope abstained {m.false_abstentions})",
        f"未作答或出错 unanswered/errors {m.unanswered}   "
        f"应拒答却给出金额 numbers for uncovered topics {m.numbers_when_uncovered}",
    ]
    d = report.dialogues
    if d.n:
        whole = f"{_frac(d.correct, d.n)} ({_pct(d.accuracy)})"
        lines.append(f"多轮对话（每轮都对才算对） whole dialogues {whole}")
    lines += ["", "按类型 per kind"]
    rows = [_metrics_row(kind, km) for kind, km in report.per_kind.items()]
    rows.append(_metrics_row("全部 all", m))
    lines += table_lines(_header("类型 kind"), rows, numbers=True)
    if report.per_category:
        lines += ["", "按失败类别 per category"]
        rows = [_metrics_row(name, cm) for name, cm in report.per_category.items()]
        lines += table_lines(_header("类别 category"), rows, numbers=True)
    if report.problems or report.unexpected_ids:
        lines += ["", "输入问题 input problems"]
        lines += [f"  - {p}" for p in report.problems]
        if report.unexpected_ids:
            lines.append(f"  - ids not in the gold set: {', '.join(report.unexpected_ids)}")
    failures = report.failures
    lines += ["", f"失败 failures ({len(failures)})"]
    if blind:
        lines.append("  （盲测集：不列出失败的题目 blind set: failures withheld）")
        return "\n".join(lines)
    for r in failures:
        lines.append(f"  {r.id} [{r.kind}] {r.question}")
        lines += [f"      - {reason}" for reason in r.reasons]
    if not failures:
        lines.append("  (none)")
    return "\n".join(lines)


def format_side_by_side(reports: dict[str, Report]) -> str:
    """Several sets' overall scores as one table, one row per set (`policyqa eval --set A
    --set B`): the set written with the code next to the set written without it."""
    header = _header("问题集 set")
    rows = [_metrics_row(name, report.overall) for name, report in reports.items()]
    return "\n".join(["问题集对照 sets side by side", *table_lines(header, rows, numbers=True)])
