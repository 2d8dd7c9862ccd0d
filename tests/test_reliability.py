"""Bad input on the API and the CLI, path traversal, unreadable corpus files, concurrency.

What `test_api.py`, `test_cli_ask.py`, `test_index.py` and `test_corpus.py` already cover (422s
for plain wrong input, the 413 body limit, CORS, corrupt and mismatched indexes, GB18030/UTF-16
files, a batch with malformed lines) is not repeated here: these are the gaps around them.
"""

from __future__ import annotations

import json
import pathlib
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from policyqa.answer.contract import Answer
from policyqa.engine import Engine
from policyqa.evaluation.loadgen import SAMPLE_QUESTIONS
from policyqa.search.retrieve import Retriever
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.serve.api import create_app
from policyqa.serve.cli import main
from policyqa.settings import Settings, get_settings

TAIAN_ACCELERATOR = "泰安对省级加速器补多少？"
TAIAN_CLAUSE = "taian-opinions-draft:3.6.17"
PROFILE = {"region": "日照市", "subject_types": ["科技型中小企业"]}


@pytest.fixture(scope="module")
def client(test_settings: Settings) -> Iterator[TestClient]:
    app = create_app(with_ui=False)
    app.dependency_overrides[get_settings] = lambda: test_settings
    # A server error must show up as a 500 status here, not as an exception in the test.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def post_raw(client: TestClient, path: str, body: bytes) -> Any:
    return client.post(path, content=body, headers={"content-type": "application/json"})


def run(capsys: pytest.CaptureFixture[str], settings: Settings, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), settings)
    out, err = capsys.readouterr()
    return code, out, err


# --- odd questions are answered or abstained, as text -----------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "\x00泰安对省级加速器\x07补多少？\x1b",  # control characters are dropped
        "泰安对省级加速器补多少？😀🚀",  # emoji
        "泰安对省级\u200b加速器补多少？\u202e",  # zero-width space, right-to-left override
        "<img src=x onerror=alert(1)>泰安对省级加速器补多少？",  # HTML around a real question
        "泰安对省级加速器补多少？' OR '1'='1",  # SQL-looking tail
    ],
)
def test_noise_around_a_real_question_does_not_change_the_answer(
    client: TestClient, question: str
) -> None:
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["route"] == "calculation" and body["calculation"]["amount_yuan"] == 300000
    assert body["citations"][0]["clause_id"] == TAIAN_CLAUSE


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("？？？！！！。。。", "empty_query"),
        ("...---!!!", "empty_query"),
        ("😀🚀🎉", "empty_query"),
        ("Incubator 孵化器 инкубатор 보조금", "below_relevance_floor"),
        ("<script>alert('x')</script>", "below_relevance_floor"),
        ("'; DROP TABLE clauses; --", "below_relevance_floor"),
        ("1 OR 1=1; SELECT * FROM users", "below_relevance_floor"),
        ("{{7*7}} ${jndi:ldap://127.0.0.1/a}", "below_relevance_floor"),
        ("../../etc/passwd", "below_relevance_floor"),
    ],
)
def test_questions_without_content_abstain_as_text(
    client: TestClient, question: str, reason: str
) -> None:
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["question"] == question  # echoed as JSON text, never interpreted
    assert (body["abstained"], body["route"], body["abstain_reason"]) == (True, "abstain", reason)
    assert body["citations"] == [] and "<" not in body["answer"]


def test_the_index_survives_sql_looking_questions(client: TestClient) -> None:
    client.post("/ask", json={"question": "'; DROP TABLE clauses; --"})
    assert client.get("/health").json()["clauses"] == 111


# --- lone surrogates, NaN and wrong types: 422, never 500 -------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/ask", b'{"question": "\\ud800"}'),
        ("/ask", b'{"question": "\\u5b75\\u5316\\u5668\\udfff"}'),
        ("/ask", b'{"question": "\\u5b75\\u5316\\u5668", "id": "\\ud800"}'),
        ("/ask", b'{"question": "a", "history": [{"role": "user", "content": "\\udc80"}]}'),
        ("/ask", b'{"question": "a", "\\ud800": 1}'),
        ("/match", b'{"region": "\\ud800", "subject_types": ["\\u4f01\\u4e1a"]}'),
        ("/match", b'{"region": "x", "subject_types": ["\\u4f01\\u4e1a"], "name": "\\udbff"}'),
        ("/match", b'{"region": "x", "subject_types": ["\\u4f01\\u4e1a"], "industry": "\\ud800"}'),
    ],
)
def test_lone_surrogates_are_422(client: TestClient, path: str, body: bytes) -> None:
    response = post_raw(client, path, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"question": ["a"]}',
        b'{"question": null}',
        b'{"question": {"text": "a"}}',
        b'{"question": true}',
        b"[]",
        b'"\\u5b75\\u5316\\u5668"',
        b"",
        b'{"question": ',
        b'{"question": "a",}',
        b'{"question": "a"}{"question": "b"}',
        b'{"question": "a", "history": "x"}',
        b'{"question": "a", "history": [1]}',
        b'{"question": "a", "history": [{"role": "user"}]}',
        b'{"question": "a", "history": {"role": "user", "content": "b"}}',
        b'{"question": "a", "id": 5}',
        b'{"question": "a", "mode": null}',
    ],
)
def test_wrong_json_types_and_missing_fields_are_422(client: TestClient, body: bytes) -> None:
    response = post_raw(client, "/ask", body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body", [b'{"question": "\xff\xfe"}', b"\xff\xfe{", b"[" * 5000 + b"]" * 5000]
)
def test_undecodable_or_absurdly_nested_bodies_are_400(client: TestClient, body: bytes) -> None:
    response = post_raw(client, "/ask", body)
    assert response.status_code == 400 and response.json()["detail"]


def test_wrong_methods_are_405(client: TestClient) -> None:
    assert client.get("/ask").status_code == 405
    assert client.put("/ask", json={"question": "a"}).status_code == 405
    assert client.delete("/clauses/rizhao-rules-2025:5.14").status_code == 405


# --- enterprise profiles with negative or absurd figures --------------------------------------

BAD_FIGURES: list[dict[str, Any]] = [
    {"loan_interest_yuan": "-80万元"},
    {"loan_interest_yuan": "负80万元"},
    {"horizontal_project_paid_yuan": ["80万元", -1]},
    {"rd_investment_yuan": "NaN"},
    {"rd_investment_yuan": "Infinity"},
    {"rd_investment_yuan": "1e13"},
    {"rd_investment_yuan": 10**30},
    {"rd_investment_yuan": "9999999999999999999999万元"},
    {"rd_investment_yuan": True},
    {"rd_investment_yuan": ""},
    {"operating_years": 0},
    {"operating_years": 1000},
    {"operating_years": 1.5},
    {"cultivated_count": 10**7},
    {"provincial_compensation_rate": "150%"},
    {"provincial_compensation_rate": -0.1},
]


@pytest.mark.parametrize("figures", BAD_FIGURES)
def test_match_refuses_negative_and_absurd_figures(
    client: TestClient, figures: dict[str, Any]
) -> None:
    response = client.post("/match", json={**PROFILE, **figures})
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_match_refuses_non_finite_json_numbers(client: TestClient, literal: bytes) -> None:
    body = b'{"region": "x", "subject_types": ["\\u4f01\\u4e1a"], "rd_investment_yuan": %s}'
    response = post_raw(client, "/match", body % literal)
    assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize(
    ("figures", "named"),
    [
        ({"loan_interest_yuan": -5}, "loan_interest_yuan"),
        ({"loan_interest_yuan": "-80万元"}, "loan_interest_yuan"),
        ({"rd_investment_yuan": "1e13"}, "rd_investment_yuan"),
        ({"operating_years": 1000}, "operating_years"),
    ],
)
def test_cli_match_refuses_negative_and_absurd_figures(
    capsys: pytest.CaptureFixture[str],
    test_settings: Settings,
    tmp_path: Path,
    figures: dict[str, Any],
    named: str,
) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({**PROFILE, **figures}, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, test_settings, "match", str(profile))
    assert code == 2 and out == ""
    assert err.startswith("错误: ") and named in err and "Traceback" not in err


def test_cli_match_refuses_a_profile_that_is_not_an_object(
    capsys: pytest.CaptureFixture[str], test_settings: Settings, tmp_path: Path
) -> None:
    profile = tmp_path / "profile.json"
    for text in ("[1, 2]", "null", '"日照市"', "NaN"):
        profile.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, test_settings, "match", str(profile))
        assert code == 2 and err.startswith("错误: "), text


# --- path traversal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_path",
    [
        "/clauses/../../etc/passwd",
        "/clauses/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/clauses/..%5c..%5cetc%5cpasswd",
        "/clauses/%2Fetc%2Fpasswd",
        "/clauses/rizhao-rules-2025:5.14%2F..%2F..%2Fmanifest.json",
        "/clauses/rizhao-rules-2025:5.14%00",
        "/clauses/..%2F..%2Fcorpus%2Fmanifest.json",
        "/documents/../../etc/passwd",
        "/documents/..%2F..%2Fcorpus%2Fmanifest.json",
        "/documents/%2e%2e/index/current/manifest.json",
    ],
)
def test_path_traversal_finds_nothing(client: TestClient, raw_path: str) -> None:
    response = client.get(raw_path)
    assert response.status_code == 404
    assert "root:" not in response.text and "source_file" not in response.text


def test_documents_ignore_path_parameters(client: TestClient) -> None:
    plain = client.get("/documents").json()
    tricked = client.get("/documents", params={"path": "../../etc/passwd", "file": "/etc/passwd"})
    assert tricked.status_code == 200 and tricked.json() == plain
    assert all("source_file" not in d for d in plain)


# --- the CLI on bad input ------------------------------------------------------------------------


def test_cli_search_refuses_undecodable_arguments(
    capsys: pytest.CaptureFixture[str], test_settings: Settings
) -> None:
    # What Python makes of invalid UTF-8 bytes on the command line (surrogateescape).
    undecodable = b"\xed\xa0\x80\xff\xe5\xad\xb5\xe5\x8c\x96\xe5\x99\xa8".decode(
        "utf-8", "surrogateescape"
    )
    code, _, err = run(capsys, test_settings, "search", undecodable)
    assert code == 2 and err.startswith("错误: ")
    code, _, err = run(capsys, test_settings, "ask", undecodable)
    assert code == 2 and "孤立代理项" in err


def test_cli_ask_refuses_a_question_over_the_limit(
    capsys: pytest.CaptureFixture[str], test_settings: Settings
) -> None:
    code, _, err = run(capsys, test_settings, "ask", "孵化器" * 200)
    assert code == 2 and "500 字以内" in err


def test_batch_with_bad_bytes_surrogates_and_long_lines_answers_every_other_line(
    capsys: pytest.CaptureFixture[str], test_settings: Settings, tmp_path: Path
) -> None:
    lines = [
        b'{"id": "bytes", "question": "\xff\xfe\xe5\xad\xb5"}',  # not UTF-8
        b'{"id": "\\ud800", "question": "\\u5b75\\u5316\\u5668"}',  # lone surrogate in the id
        b'{"id": "surrogate", "question": "\\ud800"}',
        b'{"id": "control", "question": "\\u0000\\u0007"}',
        ('{"id": "long", "question": "' + "孵化器" * 200 + '"}').encode(),
        b'{"id": "history", "question": "a", "history": [{"role": "robot", "content": "b"}]}',
        b'{"id": 7, "question": 7}',
        json.dumps({"id": "ok", "question": TAIAN_ACCELERATOR}).encode(),
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = run(capsys, test_settings, "ask", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and "7 行未能回答" in err
    assert [r.get("line") for r in rows[:7]] == [1, 2, 3, 4, 5, 6, 7]
    assert all("error" in r for r in rows[:7])
    assert [r["id"] for r in rows[2:7]] == ["surrogate", "control", "long", "history", "7"]
    assert rows[7]["id"] == "ok" and rows[7]["calculation"]["amount_yuan"] == 300000


# --- unreadable corpus files are named ---------------------------------------------------------

BROKEN_DOC = "docs/002_3d1dc0279fe165ed.txt"


def test_unreadable_corpus_file_is_named(
    capsys: pytest.CaptureFixture[str], corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = (corpus_copy / BROKEN_DOC).resolve()
    real_read_bytes: Callable[[pathlib.Path], bytes] = pathlib.Path.read_bytes

    def read_bytes(self: pathlib.Path) -> bytes:
        # The tests run as root, for whom chmod 000 does not stop a read: refuse it here.
        if self.resolve() == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    code, _, err = run(capsys, Settings(corpus_dir=corpus_copy), "ingest")
    assert code == 2 and "002_3d1dc0279fe165ed.txt" in err and "Permission denied" in err


def test_undecodable_corpus_file_is_named_by_every_command(
    capsys: pytest.CaptureFixture[str], corpus_copy: Path, tmp_path: Path
) -> None:
    (corpus_copy / BROKEN_DOC).write_bytes(bytes(range(256)) * 64)
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    for argv in (["ingest"], ["ask", TAIAN_ACCELERATOR], ["index"]):
        code, _, err = run(capsys, settings, *argv)
        assert code == 2 and "002_3d1dc0279fe165ed.txt" in err and "UTF-8" in err, argv
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())


# --- concurrency: threads give the same results as serial calls --------------------------------


def _answer_key(answer: Answer) -> tuple[Any, ...]:
    amount = answer.calculation.amount_yuan if answer.calculation else None
    cited = tuple((c.clause_id, c.score) for c in answer.citations)
    return (answer.answer, answer.route, answer.abstain_reason, amount, cited)


QUESTIONS = [*SAMPLE_QUESTIONS, "那省级的呢？", "創新券補助標準", "高企认定奖励多少钱"]


def test_concurrent_answers_equal_serial_answers(engine: Engine) -> None:
    # Uncached, so every call really runs jieba, FAISS, BM25 and the embedder.
    answerer = engine.uncached_answerer()
    serial = {q: _answer_key(answerer.answer(q)) for q in QUESTIONS}
    jobs = QUESTIONS * 2
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: (q, _answer_key(answerer.answer(q))), jobs))
    assert len(results) == len(jobs)
    for question, key in results:
        assert key == serial[question], question


def test_concurrent_searches_equal_serial_searches(retriever: Retriever) -> None:
    def key(question: str, mode: str) -> tuple[Any, ...]:
        result = retriever.search(question, k=10, mode=mode)  # type: ignore[arg-type]
        return (result.abstain_reason, tuple((h.clause.clause_id, h.score) for h in result.hits))

    jobs = [(q, m) for q in QUESTIONS[::2] for m in ("hybrid", "bm25", "dense")]
    serial = {job: key(*job) for job in jobs}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: (job, key(*job)), jobs * 2))
    assert all(found == serial[job] for job, found in results)


def test_a_fresh_tokenizer_used_from_many_threads_at_once_matches_serial() -> None:
    # The first calls race to build jieba's prefix dictionary; the lock must make that safe.
    shared = PolicyTokenizer()
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(shared.tokens, QUESTIONS * 2))
    reference = PolicyTokenizer()
    assert concurrent == [reference.tokens(q) for q in QUESTIONS * 2]
