"""The HTTP API (FastAPI): thin routes over the engine; domain errors become HTTP errors.

The engine (corpus, index, model) is loaded once in `lifespan`; settings come from
`POLICYQA_*` variables through `get_settings`, which tests override instead of patching.
"""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from policyqa import __version__
from policyqa.answer.asking import QuestionError, validate_question
from policyqa.answer.contract import MAX_QUESTION_CHARS, Answer, Turn
from policyqa.engine import Engine, open_engine, optional_rules, recover_changes
from policyqa.rules.match import match_report
from policyqa.rules.profile import EnterpriseProfile
from policyqa.search.retrieve import EmptyQueryError, Mode
from policyqa.serve import access_log
from policyqa.serve.admin_api import admin_guard
from policyqa.serve.admin_api import router as admin_router
from policyqa.serve.limits import BodyLimitMiddleware, RouteLimit
from policyqa.serve.replicas import watch_app
from policyqa.settings import Settings, get_settings
from policyqa.text import LONE_SURROGATE


class AskRequest(BaseModel):
    """A question with optional earlier turns of the conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(default_factory=list, max_length=20)
    id: str | None = Field(default=None, max_length=200)
    mode: Mode = "hybrid"


class DocumentOut(BaseModel):
    id: str
    title: str
    issuer: str | None
    region: str
    level: str
    date: str | None
    doc_no: str | None
    status: str
    clauses: int


class ClauseOut(BaseModel):
    doc_id: str
    title: str
    region: str
    clause_id: str
    path: str
    heading: str
    departments: list[str]
    text: str


class Health(BaseModel):
    status: str
    version: str
    documents: int
    clauses: int
    embedder: str
    index_built_at: str
    # The process that answered: with a worker per core, which worker took the connection.
    pid: int


def _printable(value: Any) -> Any:
    """A JSON-safe copy: lone surrogates → U+FFFD, NaN/Infinity → their names as text."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with where and what is wrong, never the input itself (a 100 KB question is not sent
    back), made encodable (a bad request is never a 500)."""
    if isinstance(exc, RequestValidationError):
        errors: list[Any] = [
            {k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()
        ]
    else:
        errors = [type(exc).__name__]
    return JSONResponse({"detail": _printable(jsonable_encoder(errors))}, status_code=422)


async def get_engine(request: Request) -> Engine:
    """The engine loaded at start-up (dependency; `async`, so reading it costs no thread)."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


# What FastAPI serializes a `response_model=Answer` with (`TypeAdapter.dump_json`, defaults).
_ANSWER_JSON = TypeAdapter(Answer)


def _answer_json(engine: Engine, body: AskRequest) -> bytes:
    """The answer to an /ask request as the JSON bytes of the response."""
    answer = engine.answerer.answer(body.question, body.history, body.id, mode=body.mode)
    return _ANSWER_JSON.dump_json(answer)


def create_app(settings: Settings | None = None, with_ui: bool = True) -> FastAPI:
    """The FastAPI app; with the Gradio chat UI mounted at /ui on the same port."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = settings or app.dependency_overrides.get(get_settings, get_settings)()
        # A change killed part-way is finished (or its orphans removed) before loading.
        await run_in_threadpool(recover_changes, active)
        app.state.engine = await run_in_threadpool(open_engine, active)
        watcher = watch_app(app, active)  # replicas on a shared Milvus follow its corpus version
        yield
        watcher.stop()

    app = FastAPI(
        title="policyqa",
        version=__version__,
        description="科技政策问答：带条款引用的回答与确定性补助计算。",
        lifespan=lifespan,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    access_log.install()
    configured = settings or get_settings()
    if configured.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=configured.cors_origins, allow_methods=["GET", "POST"]
        )
    # Added last, so it is the outermost: limits and the admin token hold before anything reads.
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=configured.max_body_bytes,
        routes=[
            RouteLimit(
                "/documents",
                frozenset({"POST", "PUT"}),
                configured.max_upload_bytes + 64 * 1024,  # the file plus the form fields
                admin_guard,
            ),
            RouteLimit("/documents", frozenset({"DELETE"}), configured.max_body_bytes, admin_guard),
        ],
    )

    @app.post("/ask", response_model=Answer)
    async def ask(body: AskRequest, engine: EngineDep) -> Response:
        # One thread hop for the answer and its JSON (a plain `def` route took two more hops:
        # the dependency, the response). The answer is serialized there, by its own model, and
        # sent as it is: FastAPI would otherwise check it against `response_model` again and
        # serialize it on the event loop, which every other request waits for. The bytes are
        # the ones FastAPI sent (the same serializer; `response_model` keeps the schema).
        try:
            payload = await run_in_threadpool(_answer_json, engine, body)
        except QuestionError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        return Response(payload, media_type="application/json")

    @app.get("/search")
    def search(
        engine: EngineDep,
        q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS)],
        k: Annotated[int, Query(ge=1, le=100)] = 5,
        mode: Mode = "hybrid",
    ) -> dict[str, Any]:
        try:
            return engine.retriever.search(validate_question(q), k=k, mode=mode).to_dict()
        except (EmptyQueryError, QuestionError) as e:
            raise HTTPException(status_code=422, detail=str(e)) from e

    @app.get("/clauses/{clause_id}", response_model=ClauseOut)
    def clause(clause_id: str, engine: EngineDep) -> ClauseOut:
        found = engine.corpus.clause(clause_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"unknown clause id {clause_id!r}")
        meta = engine.corpus.manifest.get(found.doc_id)
        return ClauseOut(
            doc_id=found.doc_id,
            title=meta.title,
            region=meta.region,
            clause_id=found.clause_id,
            path=found.path,
            heading=found.heading,
            departments=list(found.departments),
            text=found.text,
        )

    @app.get("/documents", response_model=list[DocumentOut])
    def documents(engine: EngineDep) -> list[DocumentOut]:
        return [
            DocumentOut(
                **d.model_dump(exclude={"source_file", "date"}),
                date=d.date.isoformat() if d.date else None,
                clauses=len(engine.corpus.clauses_of(d.id)),
            )
            for d in engine.corpus.manifest.documents
        ]

    @app.post("/match")
    def match(profile: EnterpriseProfile, engine: EngineDep) -> dict[str, Any]:
        data = profile.model_dump(mode="json")
        if _printable(data) != data:
            raise HTTPException(status_code=422, detail="画像包含无效的字符（孤立代理项）")
        if engine.rules is None:
            raise HTTPException(
                status_code=503, detail="this corpus has no rule table (rules.toml)"
            )
        return {
            "profile": profile.model_dump(mode="json"),
            **match_report(profile, engine.rules).to_dict(),
        }

    @app.get("/health", response_model=Health)
    def health(engine: EngineDep) -> Health:
        manifest = engine.retriever.index.manifest
        return Health(
            status="ok",
            version=__version__,
            documents=len(engine.corpus.manifest.documents),
            clauses=len(engine.corpus.clauses),
            embedder=manifest.embedder,
            index_built_at=manifest.built_at,
            pid=os.getpid(),
        )

    app.include_router(admin_router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if with_ui else "/docs")

    if with_ui:
        from policyqa.serve.ui import mount_ui

        # The matching form's fields come from the rule table, read here: the engine is
        # loaded only at start-up, after the UI is built.
        app = mount_ui(app, optional_rules(settings or get_settings()))
    return app
