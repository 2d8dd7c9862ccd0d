"""Each attack of issue 16 sent to the real server, timed: a report, never a test.

    python eval/bench_attacks.py
    python eval/bench_attacks.py --json eval/reports/attacks.json

Starts app.py (`policyqa.evaluation.server.running_server`) on 127.0.0.1 over private copies
of the corpus and of a freshly built index, with an admin token so that uploads reach the
document readers, and with one worker, so that the process whose memory is read is the one
that answers. Then sends, one after another, every attack `tests/test_hardening.py` reproduces
(built by `policyqa.evaluation.attacks`), and records for each the reply's status, the seconds
from its first byte sent to its reply read, the server's resident set before and after, and
its peak during the attack (VmHWM, reset before each one). Issue 16 asks that each refused
attack be answered in under 2 s and grow the server's RSS by under 50 MB: the table marks
both, and nothing here fails on them, since other work on the machine changes the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import EMBEDDER, log, peak_rss_mb, proc_status_mb  # noqa: E402 - eval/ is no package
from policyqa.engine import build_search_index  # noqa: E402
from policyqa.evaluation.attacks import (  # noqa: E402
    ASK_HEAD,
    ASK_PREFIX,
    EXPANDING_QUESTION,
    FOLLOW_UP,
    LONG_TURN,
    MB,
    MULTIPART_PREFIX,
    many_page_pdf,
    send_chunked,
    upload_head,
    zip_bomb_docx,
)
from policyqa.evaluation.server import running_server  # noqa: E402
from policyqa.settings import PROJECT_ROOT, Settings  # noqa: E402

ENCODINGS = PROJECT_ROOT / "tests" / "fixtures" / "encodings"
TOKEN = "bench-attacks-token"  # the private server's admin token; nothing else accepts it
SECONDS_TARGET = 2.0
RSS_TARGET_MB = 50.0
REQUEST_TIMEOUT_S = 300.0  # a reply that slow is a finding to show, not a reason to stop


@dataclass(frozen=True)
class Reply:
    """One attack's outcome as the client saw it."""

    status: int
    seconds: float
    note: str = ""


@dataclass(frozen=True)
class Attack:
    """An attack: what it is, the status a hardened server gives it, and how to send it."""

    name: str
    expected: int
    send: Callable[[], Reply]


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    attack: str
    expected: int
    status: int
    seconds: float
    rss_before_mb: float
    rss_after_mb: float
    peak_growth_mb: float  # the highest RSS during the attack, over RSS before it
    note: str

    @property
    def rss_growth_mb(self) -> float:
        return round(self.rss_after_mb - self.rss_before_mb, 1)


def attacks(base: str, client: httpx.Client) -> list[Attack]:
    """Every attack, built before any is sent (building a 5,000-page PDF is not the server's
    time)."""
    host, port = base.removeprefix("http://").split(":")
    address = (host, int(port))
    admin = {"Authorization": f"Bearer {TOKEN}"}

    def chunked(head: str, fill: bytes, total: int, prefix: bytes) -> Callable[[], Reply]:
        def send() -> Reply:
            reply = send_chunked(address, head, fill * MB, total, prefix=prefix)
            note = f"{reply.sent // MB} of {total // MB} MB sent when answered"
            return Reply(reply.status, reply.seconds, note)

        return send

    def timed(request: Callable[[], httpx.Response], note: str = "") -> Callable[[], Reply]:
        def send() -> Reply:
            started = time.perf_counter()
            response = request()
            return Reply(response.status_code, time.perf_counter() - started, note)

        return send

    def upload(name: str, data: bytes) -> Callable[[], Reply]:
        files = {"file": (name, data, "application/octet-stream")}
        note = f"{len(data):,}-byte file"
        return timed(lambda: client.post(f"{base}/documents", headers=admin, files=files), note)

    def ask(body: dict[str, Any], note: str = "") -> Callable[[], Reply]:
        return timed(lambda: client.post(f"{base}/ask", json=body), note)

    bomb = zip_bomb_docx(100 * MB)
    long_pdf = many_page_pdf(5000)
    long_turn = [{"role": "user", "content": LONG_TURN}, {"role": "assistant", "content": "……"}]
    many_turns = [{"role": "user", "content": "泰安对孵化器补多少？"}] * 21
    return [
        Attack("chunked `POST /ask`, 100 MB", 413, chunked(ASK_HEAD, b"a", 100 * MB, ASK_PREFIX)),
        Attack(
            "chunked multipart `POST /documents`, 1 GB, no token",
            401,
            chunked(upload_head(), b"b", 1024 * MB, MULTIPART_PREFIX),
        ),
        Attack(
            "chunked multipart `POST /documents`, 200 MB, with the token",
            413,
            chunked(upload_head(TOKEN), b"c", 200 * MB, MULTIPART_PREFIX),
        ),
        Attack("`.docx` zip bomb (document.xml inflates to 100 MB)", 413, upload("b.docx", bomb)),
        Attack("PDF of 5,000 pages", 413, upload("long.pdf", long_pdf)),
        Attack(
            "Big5 `.txt`",
            422,
            upload("big5.txt", (ENCODINGS / "linyi_voucher.big5.txt").read_bytes()),
        ),
        Attack(
            "Shift-JIS `.txt`",
            422,
            upload("sjis.txt", (ENCODINGS / "linyi_voucher.shift_jis.txt").read_bytes()),
        ),
        Attack("PDF bytes named `x.txt`", 422, upload("x.txt", many_page_pdf(1))),
        Attack(
            "`/ask` 480 × U+FDFA (8,640 characters after NFKC)",
            422,
            ask({"question": EXPANDING_QUESTION}),
        ),
        Attack(
            "`/search` 480 × U+FDFA",
            422,
            timed(lambda: client.get(f"{base}/search", params={"q": EXPANDING_QUESTION})),
        ),
        Attack(
            f"follow-up after a {len(LONG_TURN):,}-character turn",
            200,
            ask({"question": FOLLOW_UP, "history": long_turn}, "answered; query cut to 500"),
        ),
        Attack("history of 21 turns", 422, ask({"question": FOLLOW_UP, "history": many_turns})),
        Attack(
            "a history turn of 4,001 characters",
            422,
            ask({"question": FOLLOW_UP, "history": [{"role": "user", "content": "申" * 4001}]}),
        ),
    ]


def reset_peak(pid: int) -> None:
    """Set the server's VmHWM back to its current RSS (Linux: `5` to /proc/PID/clear_refs), so
    the peak read after an attack is that attack's, not start-up's; this process started it."""
    Path(f"/proc/{pid}/clear_refs").write_text("5", encoding="ascii")


def run(attack_list: Sequence[Attack], pid: int) -> list[Row]:
    rows = []
    for attack in attack_list:
        reset_peak(pid)
        before = proc_status_mb(pid, "VmRSS") or 0.0
        reply = attack.send()
        time.sleep(0.5)  # the server finishes closing the connection and freeing its buffers
        after = proc_status_mb(pid, "VmRSS") or 0.0
        peak = peak_rss_mb(pid) or 0.0
        rows.append(
            Row(
                attack.name,
                attack.expected,
                reply.status,
                round(reply.seconds, 3),
                before,
                after,
                round(peak - before, 1),
                reply.note,
            )
        )
        log(f"{attack.name}: {reply.status} in {reply.seconds:.2f} s")
    return rows


def warm_up(base: str, client: httpx.Client) -> None:
    """What every first request pays once (the answer path, the store's model), outside the
    measurements."""
    client.post(f"{base}/ask", json={"question": "泰安对省级孵化器补多少？"}).raise_for_status()
    missing = client.delete(
        f"{base}/documents/no-such-document", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    if missing.status_code != 404:
        raise RuntimeError(f"admin API warm-up answered {missing.status_code}, expected 404")


def to_markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    rows = [Row(**r) for r in results["rows"]]
    lines = [
        f"Measured on {meta['date']} with `{meta['command']}` — {meta['cpus']} cores, "
        f"load average {meta['load_average_start']} at the start, "
        f"{meta['load_average_end']} at the end; server RSS after warm-up "
        f"{meta['server_rss_start_mb']} MB; tracebacks in the server log: "
        f"{meta['server_tracebacks']}.",
        "",
        "| attack | expected | status | seconds | server RSS before → after (MB) "
        "| peak growth (MB) | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.attack} | {row.expected} | {row.status} | {row.seconds:.3f} "
            f"| {row.rss_before_mb:.0f} → {row.rss_after_mb:.0f} ({row.rss_growth_mb:+.1f}) "
            f"| {row.peak_growth_mb:+.1f} | {row.note} |"
        )
    summary = results["summary"]
    lines += [
        "",
        f"{summary['as_expected']}/{len(rows)} answered with the expected status; slowest "
        f"{summary['max_seconds']:.2f} s (target < {SECONDS_TARGET:g} s: "
        f"{summary['over_seconds_target'] or 'none over'}); largest RSS growth "
        f"{summary['max_rss_growth_mb']:+.1f} MB, largest peak growth "
        f"{summary['max_peak_growth_mb']:+.1f} MB (target < {RSS_TARGET_MB:g} MB).",
    ]
    return "\n".join(lines)


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    slow = [r.attack for r in rows if r.seconds >= SECONDS_TARGET]
    return {
        "as_expected": sum(r.status == r.expected for r in rows),
        "max_seconds": max(r.seconds for r in rows),
        "over_seconds_target": ", ".join(slow),
        "max_rss_growth_mb": max(r.rss_growth_mb for r in rows),
        "max_peak_growth_mb": max(r.peak_growth_mb for r in rows),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="issue 16 attacks against the real server")
    parser.add_argument("--json", metavar="OUT", help="write every figure as JSON")
    args = parser.parse_args(argv)
    command = "python eval/bench_attacks.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    meta: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "command": command.strip(),
        "cpus": os.cpu_count(),
        "load_average_start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    workdir = Path(tempfile.mkdtemp(prefix="policyqa-attacks-"))
    try:
        corpus_dir, index_dir = workdir / "corpus", workdir / "index"
        shutil.copytree(Settings().corpus_dir, corpus_dir)
        log("building the index of a private corpus copy")
        build_search_index(Settings(corpus_dir=corpus_dir, index_dir=index_dir, embedder=EMBEDDER))
        env = {
            "POLICYQA_CORPUS_DIR": str(corpus_dir),
            "POLICYQA_EMBEDDER": EMBEDDER,
            "POLICYQA_ADMIN_TOKEN": TOKEN,
            "POLICYQA_WORKERS": "1",
        }
        server_log = workdir / "server.log"
        with (
            running_server(index_dir, log=server_log, env=env, startup_s=300) as server,
            httpx.Client(timeout=REQUEST_TIMEOUT_S) as client,
        ):
            warm_up(server.base, client)
            meta["server_rss_start_mb"] = proc_status_mb(server.pid, "VmRSS")
            rows = run(attacks(server.base, client), server.pid)
        tracebacks = server_log.read_text(encoding="utf-8", errors="replace").count("Traceback")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    meta["load_average_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    meta["server_tracebacks"] = tracebacks
    results = {"meta": meta, "rows": [asdict(r) for r in rows], "summary": summarize(rows)}
    print(to_markdown(results))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
