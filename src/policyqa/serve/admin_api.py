"""Admin API: upload, replace and delete policy documents while the server runs.

Enabled only when an admin token is configured (`POLICYQA_ADMIN_TOKEN`); requests must send
`Authorization: Bearer <token>`, compared in constant time. After a change the app's engine is
reloaded, so /ask and the chat UI answer from the new corpus without a restart.
"""

from __future__ import annotations

import errno
import hmac
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Security, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.types import Scope

from policyqa.corpus.errors import (
    DocumentConflictError,
    DocumentError,
    DuplicateDocumentError,
    UnknownDocumentError,
)
from policyqa.corpus.manifest import CorpusError
from policyqa.corpus.readers import DocumentBudgetError, ReadLimits, source_from_bytes
from policyqa.corpus.segment import SegmentError
from policyqa.documents.store import ChangeReport, DocumentStore
from policyqa.engine import open_document_store, open_engine, open_rules
from policyqa.rules.candidates import accept_rule
from policyqa.rules.table import RulesError
from policyqa.search.embed import EmbedderConfigError
from policyqa.search.index import IndexError_
from policyqa.search.lock import BuildLockedError
from policyqa.serve.limits import Refusal
from policyqa.settings import Settings, get_settings

router = APIRouter(prefix="/documents", tags=["admin"])
_bearer = HTTPBearer(auto_error=False, description="POLICYQA_ADMIN_TOKEN")
# One change (and the engine reload that follows it) at a time, so reloads land in order.
_change_lock = threading.Lock()


def _active_settings(request: Request) -> Settings:
    """The settings the app's engine was opened with (tests pass their own to create_app)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        settings: Settings = engine.settings
        return settings
    return request.app.dependency_overrides.get(get_settings, get_settings)()


def _configured_token(settings: Settings) -> str | None:
    token = getattr(settings, "admin_token", None)
    if isinstance(token, SecretStr):
        token = token.get_secret_value()
    return token or None


def _token_refusal(settings: Settings, given: str) -> Refusal | None:
    """403 while no admin token is configured; 401 unless `given` is that token."""
    token = _configured_token(settings)
    if token is None:
        return Refusal(403, "admin API disabled: set POLICYQA_ADMIN_TOKEN")
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return Refusal(
            401,
            "missing or wrong admin token: send 'Authorization: Bearer <token>'",
            {"WWW-Authenticate": "Bearer"},
        )
    return None


def admin_guard(scope: Scope) -> Refusal | None:
    """The token check on the request headers alone, run by the body-limit middleware before
    any of an admin request's body is read (an upload without a token is never spooled)."""
    header = next((v for k, v in scope.get("headers", []) if k == b"authorization"), b"")
    scheme, _, credentials = header.decode("latin-1").partition(" ")
    given = credentials.strip() if scheme.lower() == "bearer" else ""
    return _token_refusal(_active_settings(Request(scope)), given)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> None:
    """The same check as a dependency, for an app mounted without the middleware."""
    given = credentials.credentials if credentials is not None else ""
    refusal = _token_refusal(_active_settings(request), given)
    if refusal is not None:
        raise HTTPException(refusal.status, refusal.detail, headers=refusal.headers or None)


AdminDep = Depends(require_admin)


def _status_of(error: Exception) -> int:
    if isinstance(error, UnknownDocumentError):
        return 404
    if isinstance(error, DocumentBudgetError):
        return 413
    if isinstance(
        error, DuplicateDocumentError | DocumentConflictError | IndexError_ | BuildLockedError
    ):
        return 409
    if isinstance(error, DocumentError):
        return 422
    return 409  # CorpusError: the corpus on disk needs fixing first


async def _read_upload(request: Request, file: UploadFile) -> tuple[str, bytes]:
    limit = _active_settings(request).max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status_code=413, detail=f"文件超过 {limit // (1024 * 1024)} MB 上限 (file too large)"
        )
    return file.filename or "upload", data


def _io_failure(error: OSError) -> HTTPException:
    """507 for a full disk or quota, 500 for any other I/O error; the change was rolled back."""
    full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    what = "磁盘空间不足" if full else "读写文件失败"
    return HTTPException(
        status_code=507 if full else 500,
        detail=f"{what}（{error.strerror or type(error).__name__}），本次修改未生效，"
        "语料和索引保持原状；请释放空间或检查权限后重试",
    )


def _run_change(request: Request, change: Any) -> dict[str, Any]:
    """Apply a change under the lock, then swap in a freshly opened engine."""
    settings = _active_settings(request)
    with _change_lock:
        store = open_document_store(settings)
        try:
            report, extra = change(store)
        except (DocumentError, CorpusError, IndexError_, BuildLockedError) as e:
            raise HTTPException(status_code=_status_of(e), detail=str(e)) from e
        except OSError as e:
            raise _io_failure(e) from e
        try:
            request.app.state.engine = open_engine(settings, invalid_rules="drop")
        except (CorpusError, RulesError, IndexError_, SegmentError, EmbedderConfigError) as e:
            raise HTTPException(
                status_code=500,
                detail=f"the corpus was changed but the engine did not reload: {e}; "
                "restart the server",
            ) from e
    return {**_payload(report), **extra}


def _payload(report: ChangeReport) -> dict[str, Any]:
    return {**report.to_dict(), "message": "\n".join(report.lines())}


def _metadata_form(
    title: Annotated[str | None, Form(description="标题（默认从文中读取）")] = None,
    issuer: Annotated[str | None, Form(description="发文机关")] = None,
    region: Annotated[str | None, Form(description="地区，如 济宁市")] = None,
    level: Annotated[str | None, Form(description="province / city / district")] = None,
    date: Annotated[str | None, Form(description="YYYY-MM-DD")] = None,
    doc_no: Annotated[str | None, Form(description="发文字号")] = None,
    status: Annotated[str | None, Form(description="draft / in_force")] = None,
    id: Annotated[str | None, Form(description="文档ID（默认自动生成）")] = None,
) -> dict[str, str | None]:
    return {
        "id": id,
        "title": title,
        "issuer": issuer,
        "region": region,
        "level": level,
        "date": date,
        "doc_no": doc_no,
        "status": status,
    }


MetadataForm = Annotated[dict[str, str | None], Depends(_metadata_form)]
DocumentFile = Annotated[UploadFile, File(description=".txt, .docx 或文字版 .pdf")]


async def _upload_change(
    request: Request, file: UploadFile, metadata: dict[str, str | None], replacing: str | None
) -> dict[str, Any]:
    """Add the uploaded document, or replace `replacing` by it, reporting where each metadata
    field came from."""
    name, data = await _read_upload(request, file)
    limits = ReadLimits.from_settings(_active_settings(request))

    def change(store: DocumentStore) -> tuple[ChangeReport, dict[str, Any]]:
        source = source_from_bytes(name, data, limits)
        proposal = store.propose(source, metadata, replacing=replacing)
        if replacing is None:
            report = store.add(source, proposal.meta)
        else:
            report = store.replace(replacing, source, proposal.meta)
        return report, {"origins": proposal.origins}

    return await run_in_threadpool(_run_change, request, change)


@router.post("", status_code=201, dependencies=[AdminDep])
async def add_document(
    request: Request, file: DocumentFile, metadata: MetadataForm
) -> dict[str, Any]:
    """Add a document (multipart: file + metadata fields; missing fields are read from it)."""
    return await _upload_change(request, file, metadata, replacing=None)


@router.put("/{doc_id}", dependencies=[AdminDep])
async def replace_document(
    request: Request, doc_id: str, file: DocumentFile, metadata: MetadataForm
) -> dict[str, Any]:
    """Replace a document's text (e.g. a draft by its final version); reports rules to review."""
    return await _upload_change(request, file, metadata, replacing=doc_id)


@router.delete("/{doc_id}", dependencies=[AdminDep])
async def delete_document(request: Request, doc_id: str) -> dict[str, Any]:
    """Remove a document and its clauses (refused while rules.toml still names it)."""

    def change(store: DocumentStore) -> tuple[ChangeReport, dict[str, Any]]:
        return store.remove(doc_id), {}

    return await run_in_threadpool(_run_change, request, change)


@router.post("/{doc_id}/rules/{rule_id}/accept", dependencies=[AdminDep])
async def accept_document_rule(request: Request, doc_id: str, rule_id: str) -> dict[str, Any]:
    """Mark a proposed rule of the document reviewed (`policyqa rules accept`) and reload."""

    def accept() -> dict[str, Any]:
        settings = _active_settings(request)
        with _change_lock:
            candidate = next((r for r in open_rules(settings).candidates if r.id == rule_id), None)
            if candidate is None or candidate.doc_id != doc_id:
                raise HTTPException(404, f"{doc_id} 没有待审核的规则 {rule_id}")
            try:
                rule = accept_rule(settings.corpus_dir, rule_id)
            except RulesError as e:
                raise HTTPException(409, str(e)) from e
            request.app.state.engine = open_engine(settings, invalid_rules="drop")
        return {"rule_id": rule.id, "clause_id": rule.clause_id, "reviewed": rule.reviewed}

    return await run_in_threadpool(accept)
