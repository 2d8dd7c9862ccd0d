"""Benchmarks with the search backend and the worker count as dimensions (issue 15).

    python eval/bench_backends.py --sizes 10000 100000 --json eval/reports/backends.json

Dense search over synthetic clause vectors (real vectors plus noise, as `bench.py` makes them):
index build seconds, single-query search p50/p95 and recall@10 against exact search, for FAISS
flat, FAISS HNSW and Milvus (milvus-lite here: FLAT, exact by construction; a server builds
HNSW). Then cold `/ask` req/s at concurrency 16 for one worker and for one worker per core,
with each server's RSS and the CPU milliseconds per request of the server (all its processes;
their event loops alone) and of the load client, which shares the cores. Run as
`python eval/bench_backends.py`; figures go to the README, never into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (  # noqa: E402 - eval/ is not a package
    EMBEDDER,
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    NOISE,
    SEED,
    log,
    peak_rss_mb,
    proc_status_mb,
    recall_at_k,
    score_recall,
    search_latencies,
    stats_ms,
    synthetic_vectors,
)
from policyqa.engine import build_search_index, open_search  # noqa: E402
from policyqa.evaluation.loadgen import run_load, varied_questions  # noqa: E402
from policyqa.evaluation.server import running_server  # noqa: E402
from policyqa.search.backend import RowFilter  # noqa: E402
from policyqa.settings import Settings  # noqa: E402
from policyqa.text import normalize_query  # noqa: E402

HNSW_EF = (128, 512, 1024, 2048, 4096)
QUERIES = 100


def _search_all(search: Any, queries: np.ndarray) -> tuple[list[float], np.ndarray]:
    latencies, found = [], []
    for q in queries:
        started = time.perf_counter()
        ids = search(q)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(list(ids)[:10] + [-1] * (10 - len(ids)))
    return latencies, np.array(found)


def measure_dense(
    base: np.ndarray, queries: np.ndarray, n: int, workdir: Path, milvus_max: int
) -> dict[str, Any]:
    """FAISS flat, FAISS HNSW and milvus-lite over n synthetic vectors."""
    from policyqa.search.milvus_backend import connect

    vectors = synthetic_vectors(base, n, NOISE, SEED + n)
    dim = vectors.shape[1]
    faiss.omp_set_num_threads(1)
    row: dict[str, Any] = {"clauses": n}
    started = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    flat_build = time.perf_counter() - started
    ms, exact, exact_scores = search_latencies(flat, queries, 10)
    row["faiss_flat"] = {"build_s": round(flat_build, 2), **stats_ms(ms), "recall_at_10": 1.0}

    # The graph is built once, offline, with every core; queries run one at a time with one
    # thread, as a worker serves them.
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    started = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.add(vectors)
    hnsw_build = time.perf_counter() - started
    faiss.omp_set_num_threads(1)
    row["faiss_hnsw"] = []
    for ef in HNSW_EF:
        hnsw.hnsw.efSearch = ef
        ms, found, scores = search_latencies(hnsw, queries, 10)
        row["faiss_hnsw"].append(
            {
                "build_s": round(hnsw_build, 2),
                "build_threads": os.cpu_count(),
                **stats_ms(ms),
                "recall_at_10": round(recall_at_k(found, exact), 4),
                # Near-identical synthetic copies tie: any of them is as good an answer.
                "score_recall_at_10": round(score_recall(scores, exact_scores), 4),
                "ef_search": ef,
            }
        )
    log(f"{n} clauses: FAISS done (HNSW build {hnsw_build:.0f} s)")
    if n > milvus_max:
        row["milvus_lite"] = {"skipped": f"more than --milvus-max {milvus_max} clauses"}
        return row

    from pymilvus import DataType, MilvusClient

    uri = str(workdir / f"bench-{n}.db")
    client = connect(uri)
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    index = client.prepare_index_params()
    index.add_index(field_name="dense", index_type="FLAT", metric_type="IP")
    started = time.perf_counter()
    client.create_collection("bench", schema=schema, index_params=index)
    for i in range(0, n, 2000):
        client.insert(
            "bench", [{"row": j, "dense": vectors[j].tolist()} for j in range(i, min(n, i + 2000))]
        )
    client.flush("bench")
    client.load_collection("bench")
    milvus_build = time.perf_counter() - started

    def milvus_search(q: np.ndarray) -> list[int]:
        hits = client.search(
            "bench",
            data=[q.tolist()],
            anns_field="dense",
            limit=10,
            search_params={"metric_type": "IP"},
        )
        return [int(h["row"]) for h in hits[0]]

    ms, found = _search_all(milvus_search, queries)
    row["milvus_lite"] = {
        "build_s": round(milvus_build, 2),
        **stats_ms(ms),
        "recall_at_10": round(recall_at_k(found, exact), 4),
        "index": "FLAT",
    }
    client.close()
    return row


def embed_ms_one_thread(n: int = QUERIES) -> dict[str, float]:
    """Query-embedding latency with one math thread (a worker's setting), in a fresh process:
    the unit of the throughput target (cores ÷ this time)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--embed-ms", str(n)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_embed_ms(n: int) -> None:
    from policyqa.search.embed import load_embedder

    embedder = load_embedder(EMBEDDER)
    questions = [normalize_query(q) for q in varied_questions(n + 10)]
    for q in questions[:10]:
        embedder.encode_queries([q])
    ms = []
    for q in questions[10:]:
        started = time.perf_counter()
        embedder.encode_queries([q])
        ms.append((time.perf_counter() - started) * 1000)
    print(json.dumps(stats_ms(ms)))


def measure_workers(index_dir: Path, workdir: Path, requests: int) -> list[dict[str, Any]]:
    """Cold /ask at concurrency 16 (distinct questions, answer cache bypassed by novelty)."""
    cores = os.cpu_count() or 1
    pool = varied_questions(requests * 2 + 40)
    rows = []
    for i, workers in enumerate(dict.fromkeys((1, cores))):
        questions = pool[40 + i * requests : 40 + (i + 1) * requests]
        env = {"POLICYQA_WORKERS": str(workers)}
        log_path = workdir / f"server-{workers}.log"
        with running_server(index_dir, log=log_path, env=env, startup_s=300) as server:
            run_load(server.base, pool[:8], 16, 4, 120)  # every worker's model loaded
            log(f"cold /ask, {workers} worker(s), concurrency 16: {len(questions)} requests")
            server_before, client_before = _tree_cpu_s(server.pid), _own_cpu_s()
            report = run_load(server.base, questions, len(questions), 16, 300)
            server_after, client_after = _tree_cpu_s(server.pid), _own_cpu_s()
            rss = _tree_rss_mb(server.pid)
        d = report.to_dict()
        per_request = 1000 / max(report.sent, 1)
        cpu = {
            "server": round((server_after[0] - server_before[0]) * per_request, 2),
            "server_event_loops": round((server_after[1] - server_before[1]) * per_request, 2),
            "client": round((client_after - client_before) * per_request, 2),
        }
        rows.append(
            {
                "workers": workers,
                "requests": len(questions),
                **d,
                "rss_mb": rss,
                "cpu_ms_per_request": cpu,
            }
        )
    return rows


def _tree_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of the server and the workers it started, and of their main
    threads alone (uvicorn's event loops), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def seconds(stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(c) for c in children.read_text().split())] if children.exists() else [pid]
    total = main = 0.0
    for p in pids:
        try:
            total += seconds(Path(f"/proc/{p}/stat"))
            main += seconds(Path(f"/proc/{p}/task/{p}/stat"))
        except OSError:  # gone meanwhile
            continue
    return total, main


def _own_cpu_s() -> float:
    """CPU seconds of this process (the load client, while run_load runs)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_rss_mb(pid: int) -> dict[str, float | None]:
    """RSS of the server process and of each worker it started (from /proc)."""
    out: dict[str, float | None] = {"server": peak_rss_mb(pid)}
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for n, child in enumerate(children.read_text().split()):
            out[f"worker{n + 1}"] = proc_status_mb(int(child), "VmRSS")
    return out


def run(sizes: Sequence[int], requests: int, workers: bool, milvus_max: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="policyqa-bench-backends-"))
    settings = Settings().model_copy(update={"index_dir": workdir / "index", "embedder": EMBEDDER})
    build_search_index(settings)
    retriever = open_search(settings)
    base = retriever.index.stored_vectors()
    questions = varied_questions(QUERIES)
    queries = np.vstack(
        [retriever.embedder.encode_queries([normalize_query(q)]) for q in questions]
    )
    assert retriever.index.count(RowFilter()) == len(base)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "queries": QUERIES, "dense": []}
    for n in sizes:
        log(f"dense backends at {n} clauses")
        results["dense"].append(measure_dense(base, queries, n, workdir, milvus_max))
    if workers:
        embed = embed_ms_one_thread()
        cores = os.cpu_count() or 1
        results["embedding_one_thread"] = embed
        results["workers"] = measure_workers(settings.index_dir, workdir, requests)
        # The target: cold /ask at concurrency 16 ≥ 85% of cores ÷ embedding time.
        ideal = cores / (embed["p50_ms"] / 1000)
        best = max(r["throughput_rps"] for r in results["workers"])
        results["target"] = {
            "cores_over_embedding_rps": round(ideal, 1),
            "best_rps": best,
            "share_of_ideal": round(best / ideal, 3),
            "goal_share": 0.85,
        }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="policyqa backend and worker benchmarks")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=200, help="cold /ask per worker setting")
    parser.add_argument("--no-workers", action="store_true", help="skip the HTTP measurement")
    parser.add_argument(
        "--milvus-max",
        type=int,
        default=100_000,
        help="skip milvus-lite above this many clauses (about 1 s a query at 10^6)",
    )
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--embed-ms", type=int, help=argparse.SUPPRESS)  # child of the bench
    args = parser.parse_args(argv)
    if args.embed_ms:
        _print_embed_ms(args.embed_ms)
        return 0
    results = run(args.sizes, args.requests, not args.no_workers, args.milvus_max)
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
