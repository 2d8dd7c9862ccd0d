"""Request body limits on the bytes actually received, as a pure ASGI middleware.

Runs before routing and before any body is parsed: `Content-Length` over the limit is refused at
once, and a body without one (`Transfer-Encoding: chunked`) is counted as it arrives and refused
the moment it passes the limit, without reading the rest. A route may also carry a guard (the
admin token check) that runs on the headers alone, before a single body byte is read. The body
is then replayed to the app, so the app sees exactly what was sent. Refusals are JSON with a
Chinese reason and never echo the input. Never looks at what the body means.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Refusal:
    """An answer given instead of running the app: status, Chinese reason, extra headers."""

    status: int
    detail: str
    headers: dict[str, str] = field(default_factory=dict)


Guard = Callable[[Scope], Refusal | None]


@dataclass(frozen=True)
class RouteLimit:
    """A body limit (and an optional header-only guard) for requests under a path prefix."""

    prefix: str
    methods: frozenset[str]
    limit: int
    guard: Guard | None = None

    def matches(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        return scope.get("method") in self.methods and (
            path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")
        )


def _too_large(limit: int) -> Refusal:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return Refusal(413, f"请求体超过 {size} 上限 (request body over {limit} bytes)")


async def send_refusal(send: Send, refusal: Refusal) -> None:
    """Send a JSON refusal; `Connection: close` because the unread body is left behind."""
    body = json.dumps({"detail": refusal.detail}, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; None when absent; -1 when malformed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None


class BodyLimitMiddleware:
    """Refuse bodies over the limit of their route (default `default_limit`), for every
    transfer encoding, and run a route's guard before reading any of its body."""

    def __init__(self, app: ASGIApp, default_limit: int, routes: Sequence[RouteLimit] = ()) -> None:
        self.app = app
        self.default_limit = default_limit
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = next((r for r in self.routes if r.matches(scope)), None)
        limit = route.limit if route else self.default_limit
        if route and route.guard and (refusal := route.guard(scope)) is not None:
            await send_refusal(send, refusal)
            return
        declared = _declared_length(scope)
        if declared == -1:
            await send_refusal(send, Refusal(400, "Content-Length 无效"))
            return
        if declared is not None and declared > limit:
            await send_refusal(send, _too_large(limit))
            return
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await send_refusal(send, _too_large(limit))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the buffered body once, then waits for the disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return replayed
