"""`policyqa ask`: readable, --json, and --batch (one index load, per-line errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import policyqa.search.index
from policyqa.serve.cli import main
from policyqa.settings import Settings

from .test_retrieve import RANK_ONE


def run(capsys: pytest.CaptureFixture[str], settings: Settings, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_readable(capsys: pytest.CaptureFixture[str], test_settings: Settings) -> None:
    code, out, _ = run(capsys, test_settings, "ask", "横向项目实际支付80万元能支持多少？")
    assert code == 0
    assert "16万元" in out and "金额：160000 元（规则 rz-horizontal-project）" in out
    assert "rizhao-rules-2025:5.14" in out


def test_ask_json_is_the_contract(
    capsys: pytest.CaptureFixture[str], test_settings: Settings
) -> None:
    code, out, _ = run(capsys, test_settings, "ask", "泰安对省级加速器补多少？", "--json")
    body = json.loads(out)
    assert code == 0
    assert body["calculation"]["amount_yuan"] == 300000
    assert body["citations"][0]["clause_id"] == "taian-opinions-draft:3.6.17"


def test_ask_errors(capsys: pytest.CaptureFixture[str], test_settings: Settings) -> None:
    code, _, err = run(capsys, test_settings, "ask", "   ")
    assert code == 2 and "问题为空" in err
    code, _, err = run(capsys, test_settings, "ask")
    assert code == 2 and "--batch" in err
    code, _, err = run(capsys, test_settings, "ask", "--batch", "/nonexistent/q.jsonl")
    assert code == 2 and "无法读取批量文件" in err


def test_batch_answers_100_questions_with_one_index_load(
    capsys: pytest.CaptureFixture[str],
    test_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads = []
    real_load = policyqa.search.index.load_index

    def counting_load(*args: object, **kwargs: object) -> object:
        loads.append(1)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(policyqa.search.index, "load_index", counting_load)
    questions = [RANK_ONE[i % len(RANK_ONE)][0] for i in range(100)]
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        "".join(
            json.dumps({"id": f"q{i}", "question": q}, ensure_ascii=False) + "\n"
            for i, q in enumerate(questions)
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, test_settings, "ask", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(loads) == 1
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(100)]
    assert [r["question"] for r in rows] == questions
    expected = {q: c for q, c in RANK_ONE}
    for row in rows:
        assert row["citations"][0]["clause_id"] == expected[row["question"]]


def test_batch_bad_lines_get_error_objects_and_the_rest_is_answered(
    capsys: pytest.CaptureFixture[str], test_settings: Settings, tmp_path: Path
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "泰安对省级加速器补多少？"}\n'
        "\n"
        "not json\n"
        "[1, 2]\n"
        '{"id": "b"}\n'
        '{"id": "c", "question": "那国家级孵化器呢？",'
        ' "history": [{"role": "user", "content": "泰安对省级孵化器补多少？"}]}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, test_settings, "ask", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and "4 行未能回答" in err
    assert len(rows) == 6
    assert rows[0]["id"] == "a" and rows[0]["calculation"]["amount_yuan"] == 300000
    assert [r.get("line") for r in rows[1:5]] == [2, 3, 4, 5]
    assert all("error" in r for r in rows[1:5]) and rows[4]["id"] == "b"
    assert rows[5]["id"] == "c" and rows[5]["calculation"]["amount_yuan"] == 1000000


def test_a_reader_that_goes_away_is_no_error(test_settings: Settings, tmp_path: Path) -> None:
    # Far more output than a pipe holds (`policyqa ask --batch … | head -c 10`): the writer
    # meets a closed pipe and must stop quietly, not report a failed file operation.
    batch = tmp_path / "q.jsonl"
    lines = [{"id": f"q{i}", "question": RANK_ONE[i % len(RANK_ONE)][0]} for i in range(150)]
    batch.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    env = {**os.environ, "POLICYQA_INDEX_DIR": str(test_settings.index_dir)}
    ask = subprocess.Popen(
        [sys.executable, "-m", "policyqa.serve.cli", "ask", "--batch", str(batch)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert ask.stdout is not None and ask.stderr is not None
    assert ask.stdout.read(10)
    ask.stdout.close()
    err = ask.stderr.read().decode()
    assert ask.wait(timeout=300) == 0, err
    assert "错误" not in err and "Traceback" not in err
