"""The foundation commands: ingest, clauses, show — output and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyqa.serve.cli import main
from policyqa.settings import Settings


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, corpus_dir: Path | None = None
) -> tuple[int, str, str]:
    settings = Settings(corpus_dir=corpus_dir) if corpus_dir else Settings()
    code = main(list(argv), settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_reports_every_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ingest")
    assert code == 0
    assert "taian-opinions-draft  泰安市" in out
    assert "共 5 个文档，111 条条款。" in out


def test_clauses_json_lists_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "clauses", "--doc", "shandong-rd-2024", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 16
    assert {r["doc_id"] for r in rows} == {"shandong-rd-2024"}


def test_show_prints_path_departments_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "taian-opinions-draft:3.6.17")
    assert code == 0
    assert "路径: 三、(六)17." in out
    assert "责任部门: 市科技局、市财政局" in out
    assert "对新认定的省级加速器,市级财政一次性给予加速器运营机构30万元资金补助" in out


def test_unknown_ids_are_clear_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", "nope:1")
    assert code == 2 and "policyqa clauses --doc" in err
    code, _, err = run(capsys, "clauses", "--doc", "nope")
    assert code == 2 and "known ids" in err


def test_corpus_dir_comes_from_settings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "ingest", corpus_dir=tmp_path)
    assert code == 2 and "POLICYQA_CORPUS_DIR" in err


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POLICYQA_CORPUS_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "i"))
    settings = Settings()
    assert settings.corpus_dir == tmp_path / "c" and settings.index_dir == tmp_path / "i"
