"""The load client's HTTP/1.1 (`evaluation.loadgen`) against a scripted raw-socket server on
127.0.0.1: how responses are delimited, kept-alive and reopened connections, and how each kind
of failure is counted. Every wait is bounded; nothing is timed."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from policyqa.evaluation.loadgen import run_load

ANSWER = json.dumps({"answer": "国家级为100万元。"}, ensure_ascii=False).encode("utf-8")

# What the server sends for a question: the raw bytes of a response, or None to hang up (or,
# for "hang", to say nothing until the client goes away).
Reply = Callable[[str], bytes | None]


def _response(body: bytes, *, status: str = "200 OK", extra: bytes = b"") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n".encode()
        + extra
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body
    )


def _chunked(body: bytes) -> bytes:
    half = len(body) // 2
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:half], body[half:]))
    return b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"


@dataclass
class ScriptedServer:
    """A loopback HTTP/1.1 server that answers each POST as `reply` says."""

    reply: Reply
    sock: socket.socket = field(init=False)
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(30)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        data = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, data = data.split(b"\r\n\r\n", 1)
                self.requests.append(head)
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(data) < length:
                    data += conn.recv(65536)
                body, data = data[:length], data[length:]
                question = json.loads(body)["question"]
                if question == "hang":
                    conn.recv(65536)  # returns once the client gives up and closes
                    return
                response = self.reply(question)
                if response is None:
                    return
                conn.sendall(response)
                if b"connection: close" in response.lower():
                    return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def scripted() -> Iterator[Callable[[Reply], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(reply: Reply) -> ScriptedServer:
        servers.append(ScriptedServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_responses_by_length_by_chunks_and_before_a_close_are_all_read(
    scripted: Callable[[Reply], ScriptedServer],
) -> None:
    replies = {
        "length": _response(ANSWER),
        "chunked": _chunked(ANSWER),
        "close": _response(ANSWER, extra=b"connection: close\r\n"),
    }
    server = scripted(lambda q: replies[q])
    report = run_load(server.base, ["length", "chunked", "close"], 9, 1, timeout_s=60)
    assert (report.sent, report.ok, report.errors) == (9, 9, 0), report.error_kinds
    assert report.status_counts == {200: 9}
    # One connection kept alive until each "connection: close", then a new one.
    assert server.connections == 3
    first = server.requests[0].decode()
    assert first.startswith("POST /ask HTTP/1.1\r\n") and "Host: 127.0.0.1:" in first


def test_each_failure_is_counted_by_its_kind(scripted: Callable[[Reply], ScriptedServer]) -> None:
    replies: dict[str, bytes | None] = {
        "ok": _response(ANSWER),
        "500": _response(b"Internal Server Error", status="500 Internal Server Error"),
        "not json": _response(b"<html>"),
        "no answer": _response(b'{"detail": "x"}'),
        "hang up": None,
        "garbage": b"SSH-2.0-OpenSSH\r\n\r\n",
    }
    server = scripted(lambda q: replies[q])
    questions = [*replies, "hang"]
    report = run_load(
        server.base, questions, len(questions), 1, timeout_s=60, request_timeout_s=0.5
    )
    assert report.sent == len(questions) and report.ok == 1
    assert report.error_kinds == {
        "status_500": 1,
        "bad_body": 2,
        "RemoteProtocolError": 2,
        "timeout": 1,
    }
    assert report.status_counts == {200: 3, 500: 1}
    assert report.errors == 6 and len(report.latencies_ms) == len(questions)


def test_a_base_url_with_a_path_prefixes_every_request(
    scripted: Callable[[Reply], ScriptedServer],
) -> None:
    server = scripted(lambda q: _response(ANSWER))
    report = run_load(server.base + "/api/", ["q"], 2, 1, timeout_s=60)
    assert report.ok == 2
    assert all(r.startswith(b"POST /api/ask HTTP/1.1\r\n") for r in server.requests)


def test_the_deadline_stops_the_run(scripted: Callable[[Reply], ScriptedServer]) -> None:
    server = scripted(lambda q: None)
    # Every request hangs until it is cut off at the deadline: the run ends by itself.
    report = run_load(server.base, ["hang"], 1000, 4, timeout_s=1.0)
    assert report.timed_out is True
    assert 4 <= report.sent < 1000 and report.error_kinds == {"timeout": report.sent}
