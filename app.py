"""Serve the API and the chat UI on one port: `python app.py [--host H] [--port P] [--workers N]`.

The index is built once, before any worker starts, when none exists (or, with the Milvus
backend, the collection is brought in line with the corpus). Then as many worker processes as
cores serve requests (POLICYQA_WORKERS to choose; `serve.workers`: each its own SO_REUSEPORT
socket, so the kernel spreads even kept-alive connections), each with one math thread: one
query embedding is a single-core job, so N workers answer N questions at once instead of
sharing threads. Each worker loads the index read-only and keeps its own answer cache. A
milvus-lite `.db` file belongs to one process, so it is served by one worker; a Milvus server
URI takes any number. Defaults come from POLICYQA_HOST / POLICYQA_PORT (127.0.0.1:7860);
binding elsewhere must be asked for explicitly.
"""

from __future__ import annotations

import argparse
import os
import sys

from policyqa.settings import Settings, get_settings


def worker_count(settings: Settings, asked: int | None) -> int:
    """Workers to run: asked, else POLICYQA_WORKERS, else one per core; 1 on a milvus-lite file."""
    wanted = asked or settings.workers or os.cpu_count() or 1
    if settings.backend == "milvus" and not settings.milvus_is_server():
        return 1
    return max(1, wanted)


def prepare_index(settings: Settings) -> None:
    """Build what every worker will load, once, in this process (workers never build)."""
    from policyqa.engine import build_search_index, open_search
    from policyqa.search.index import CURRENT

    if settings.backend == "milvus":
        open_search(settings)  # synchronises the collection with the corpus
    elif not (settings.index_dir / CURRENT).exists():
        build_search_index(settings)


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="policyqa: API + chat UI on one port")
    parser.add_argument("--host", default=settings.host, help=f"default {settings.host}")
    parser.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port}")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    workers = worker_count(settings, args.workers)
    print(f"policyqa: 启动中（首次运行会先建立索引）… http://{args.host}:{args.port}/ui/")
    prepare_index(settings)
    if workers == 1:
        from policyqa.serve.api import create_app
        from policyqa.serve.workers import serve_app

        serve_app(create_app(settings), args.host, args.port)
        return
    from policyqa.serve.workers import PortInUseError, run_workers

    # Workers are spawned processes that read the environment: one math thread each.
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        code = run_workers(args.host, args.port, workers)
    except PortInUseError as e:
        print(f"错误: {e.strerror}", file=sys.stderr)
        code = 2
    raise SystemExit(code)


if __name__ == "__main__":
    main()
