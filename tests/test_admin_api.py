"""Admin API: token checks, uploads that are answerable at once via POST /ask, deletes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from policyqa.corpus.manifest import load_manifest
from policyqa.serve import admin_api
from policyqa.serve.api import create_app
from policyqa.settings import Settings
from tests.test_documents import (
    fixture_lines,
    make_docx,
    make_pdf,
    make_scanned_pdf,
    snapshot,
)

TOKEN = "s3cret-admin-token"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class AdminSettings(Settings):
    """Settings with the admin token field (until it lands in policyqa.settings itself)."""

    admin_token: SecretStr | None = None


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings, with_ui=False)
    wired = any(
        getattr(r, "path", None) == "/documents" and "POST" in getattr(r, "methods", ())
        for r in app.routes
    )
    if not wired:
        app.include_router(admin_api.router)
    return app


@pytest.fixture()
def client(dirs: tuple[Path, Path]) -> Iterator[TestClient]:
    settings = AdminSettings(corpus_dir=dirs[0], index_dir=dirs[1], admin_token=TOKEN)
    with TestClient(_app(settings)) as test_client:
        yield test_client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _docx_upload() -> dict[str, tuple[str, bytes, str]]:
    data = make_docx(fixture_lines("zaozhuang_transfer.txt"))
    return {"file": ("枣庄市科技成果转化奖励办法.docx", data, DOCX)}


def test_admin_api_is_disabled_without_a_configured_token(dirs: tuple[Path, Path]) -> None:
    settings = AdminSettings(corpus_dir=dirs[0], index_dir=dirs[1], admin_token=None)
    with TestClient(_app(settings)) as client:
        response = client.post("/documents", files=_docx_upload(), headers=AUTH)
        assert response.status_code == 403
        assert response.json()["detail"] == "admin API disabled: set POLICYQA_ADMIN_TOKEN"
        assert client.delete("/documents/shandong-rd-2024", headers=AUTH).status_code == 403
    empty = AdminSettings(corpus_dir=dirs[0], index_dir=dirs[1], admin_token="")
    with TestClient(_app(empty)) as client:
        assert client.delete("/documents/shandong-rd-2024").status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ],
)
def test_missing_or_wrong_token_is_401(
    client: TestClient, dirs: tuple[Path, Path], headers: dict[str, str]
) -> None:
    before = snapshot(*dirs)
    response = client.post("/documents", files=_docx_upload(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.delete("/documents/shandong-rd-2024", headers=headers).status_code == 401
    assert snapshot(*dirs) == before


def test_upload_is_answerable_at_once_and_delete_removes_it(client: TestClient) -> None:
    question = {"question": "枣庄市对新认定的省级技术转移示范机构奖励多少？"}
    before = client.post("/ask", json=question).json()
    assert all(c["doc_id"] != "zaozhuang-measures-2025" for c in before["citations"])

    response = client.post("/documents", files=_docx_upload(), headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["action"] == "add"
    assert body["document"]["id"] == "zaozhuang-measures-2025"
    assert body["document"]["doc_no"] == "枣科字〔2025〕12号"
    assert body["origins"]["title"] == "文件"
    assert body["index"]["embedded"] == len(body["clauses"])
    assert "已添加 zaozhuang-measures-2025" in body["message"]

    answer = client.post("/ask", json=question).json()
    assert answer["citations"][0]["clause_id"] == "zaozhuang-measures-2025:2.3"
    assert "20万元" in answer["answer"]
    listed = {d["id"]: d for d in client.get("/documents").json()}
    assert listed["zaozhuang-measures-2025"]["clauses"] == len(body["clauses"])

    again = client.post("/documents", files=_docx_upload(), headers=AUTH)
    assert again.status_code == 409
    assert "内容已在语料中" in again.json()["detail"]

    response = client.delete("/documents/zaozhuang-measures-2025", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["removed_clauses"] == body["clauses"]
    after = client.post("/ask", json=question).json()
    assert all(c["doc_id"] != "zaozhuang-measures-2025" for c in after["citations"])
    assert "zaozhuang-measures-2025" not in {d["id"] for d in client.get("/documents").json()}


def test_form_fields_override_what_the_file_says(client: TestClient) -> None:
    data = make_pdf(fixture_lines("jining_incubator.txt"))
    response = client.post(
        "/documents",
        files={"file": ("jining.pdf", data, "application/pdf")},
        data={"id": "jining-incubator-2025", "status": "draft", "doc_no": "济政字〔2025〕99号"},
        headers=AUTH,
    )
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert (document["id"], document["status"]) == ("jining-incubator-2025", "draft")
    assert document["doc_no"] == "济政字〔2025〕99号"
    assert response.json()["origins"]["doc_no"] == "指定"
    answer = client.post("/ask", json={"question": "济宁市对新认定的省级孵化器补助多少？"}).json()
    assert answer["citations"][0]["clause_id"] == "jining-incubator-2025:1.1"
    assert "30万元" in answer["answer"]


def test_replace_reports_rules_to_review(client: TestClient, dirs: tuple[Path, Path]) -> None:
    draft = dirs[0] / load_manifest(dirs[0]).get("taian-opinions-draft").source_file
    final = draft.read_text("utf-8").replace("(征求意见稿)", "").replace("500万元", "800万元")
    response = client.put(
        "/documents/taian-opinions-draft",
        files={"file": ("泰安定稿.txt", final.encode(), "text/plain")},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["document"]["status"] == "in_force"
    rules = {item["ref"] for item in body["review"] if item["kind"] == "rule"}
    assert "ta-major-tech-project" in rules
    health = client.get("/health").json()
    assert health["documents"] == 5


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        ({"file": ("scan.pdf", make_scanned_pdf(), "application/pdf")}, 422, "扫描件"),
        ({"file": ("cut.docx", make_docx(["济宁市", "一、总则"])[:2000], DOCX)}, 422, "已损坏"),
        ({"file": ("a.xlsx", b"PK\x03\x04", "application/zip")}, 422, "不支持的文件类型"),
    ],
)
def test_bad_uploads_are_422_and_change_nothing(
    client: TestClient,
    dirs: tuple[Path, Path],
    files: dict[str, tuple[str, bytes, str]],
    status: int,
    message: str,
) -> None:
    before = snapshot(*dirs)
    response = client.post("/documents", files=files, headers=AUTH)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert snapshot(*dirs) == before


def test_delete_errors(client: TestClient) -> None:
    missing = client.delete("/documents/no-such-doc", headers=AUTH)
    assert missing.status_code == 404
    assert "没有文档" in missing.json()["detail"]
    needed = client.delete("/documents/taian-opinions-draft", headers=AUTH)
    assert needed.status_code == 409
    assert "rules.toml" in needed.json()["detail"]
