"""The hostile inputs of issue 16, built once for the tests and the benchmark that send them.

For tests (`tests/test_hardening.py`) and benchmarks (`eval/bench_attacks.py`) only: nothing
in the service imports this. Builders return the attack (bytes, a request head, a question);
`send_chunked` sends a chunked body over a raw socket, so that no client library buffers it,
adds a Content-Length or stops when the server answers early. Only loopback servers are meant
as targets.
"""

from __future__ import annotations

import io
import socket
import threading
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

MB = 1024 * 1024

# Raw request heads; `send_chunked` adds `Transfer-Encoding: chunked` and the blank line.
ASK_HEAD = "POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
ASK_PREFIX = b'{"question": "'  # an /ask body that never closes its question string
MULTIPART_HEAD = "Content-Type: multipart/form-data; boundary=XyZ\r\n"
MULTIPART_PREFIX = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'

# A follow-up glued to a long earlier turn: once about 7.7 s of embedding per request, because
# the whole turn was embedded with it (the history limit is 4,000 characters a turn).
LONG_TURN = "泰安市对孵化器有什么补助政策，" + "请详细说明申报条件和材料" * 300
FOLLOW_UP = "那要交什么材料呢？"
# 480 characters as typed, 8,640 after NFKC (U+FDFA is one ligature of 18 letters).
EXPANDING_QUESTION = "\ufdfa" * 480

# Policy text for the documents built here (any real text would do).
SAMPLE_PARAGRAPHS = (
    "临沂市科技创新券管理办法",
    "一、支持对象",
    "1.在临沂市注册的科技型中小企业和创业团队可以申领科技创新券。",
)


def upload_head(token: str | None = None) -> str:
    """The head of a multipart `POST /documents`, with the admin token or without one."""
    auth = f"Authorization: Bearer {token}\r\n" if token is not None else ""
    return "POST /documents HTTP/1.1\r\nHost: x\r\n" + auth + MULTIPART_HEAD


@dataclass(frozen=True)
class ChunkedReply:
    """What came back for a chunked upload: status (0 if none), body, bytes of the upload sent
    when the reply was complete, and seconds from the first byte sent to the reply read."""

    status: int
    body: bytes
    sent: int
    seconds: float


def send_chunked(
    address: tuple[str, int], head: str, chunk: bytes, total: int, prefix: bytes = b""
) -> ChunkedReply:
    """POST a chunked body: `prefix`, then `chunk` repeated up to `total` bytes.

    A sender thread keeps writing chunks while this thread reads the reply, so a server that
    answers early (and closes) is seen answering, whatever happens to the rest of the upload.
    """
    conn = socket.create_connection(address, timeout=60)
    started = time.perf_counter()
    conn.sendall(head.encode("latin-1") + b"Transfer-Encoding: chunked\r\n\r\n")
    sent = 0

    def pump() -> None:
        nonlocal sent
        try:
            if prefix:
                conn.sendall(b"%x\r\n%s\r\n" % (len(prefix), prefix))
            while sent < total:
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: exactly what should happen

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    reply = b""
    try:
        while b"\r\n\r\n" not in reply or len(reply) < _expected_length(reply):
            data = conn.recv(65536)
            if not data:
                break
            reply += data
    except OSError:
        pass
    seconds = time.perf_counter() - started
    sent_by_then = sent
    conn.close()
    sender.join(timeout=30)
    head_part, _, body = reply.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1]) if head_part else 0
    return ChunkedReply(status, body, sent_by_then, seconds)


def _expected_length(reply: bytes) -> int:
    """Length of the whole reply once its head is in (huge while it is not, or has no length)."""
    head, sep, _ = reply.partition(b"\r\n\r\n")
    if not sep:
        return 1 << 62
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value.strip())
    return 1 << 62


def zip_bomb_docx(inflated: int, paragraphs: Sequence[str] = SAMPLE_PARAGRAPHS) -> bytes:
    """A real .docx of `paragraphs` whose document.xml is padded (inside an XML comment) to
    `inflated` bytes: the padding deflates to almost nothing (100 MB → about 100 KB)."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    base = io.BytesIO()
    document.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _, tail = data.partition(b"?>")
                pad = b"<!--" + b" " * (inflated - len(data) - 7) + b"-->"
                data = head + b"?>" + pad + tail
            target.writestr(info.filename, data)
    return out.getvalue()


def many_page_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` small pages, one short line each (reportlab, a test dependency)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(200, 200))
    for i in range(pages):
        pdf.drawString(20, 100, f"page {i}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
