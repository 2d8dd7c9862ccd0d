"""The one build lock of an index directory, shared by every writer.

`policyqa index`, a first-use build, and every add / replace / remove (CLI and admin API) take
the same file lock (`index/.build.lock`, an flock through `filelock`), so a second writer waits
up to the seconds it is given (`POLICYQA_LOCK_WAIT_SECONDS`, passed down from
`policyqa.engine`) and then gives up with `BuildLockedError` ("另一个索引构建正在进行")
instead of deleting the first writer's staging directory. The lock is released by the kernel when
its holder dies, so a killed build never leaves it stuck. Never builds or reads an index itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".build.lock"
# How long a second writer waits for the first when its caller does not say (tests, library
# use); a full build of the seed corpus takes ~25 s. It is the default of the setting
# `lock_wait_seconds`, which the front ends pass down.
DEFAULT_WAIT_SECONDS = 120.0


class BuildLockedError(Exception):
    """Another process or thread holds the build lock of this index directory."""


@contextlib.contextmanager
def build_lock(index_dir: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[None]:
    """Hold the index directory's build lock for the block, waiting at most `wait_seconds`
    (0: one try, then `BuildLockedError` at once)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    # thread_local=False: one lock object's state is shared by the threads that use it; each
    # call makes its own object (its own fd), so threads of one process exclude each other too.
    lock = FileLock(
        index_dir / LOCK_NAME,
        timeout=wait_seconds,
        thread_local=False,
        is_singleton=False,
        preserve_lock_file=True,  # unlinking an flock file lets a waiter lock a stale inode
    )
    try:
        lock.acquire()
    except Timeout as e:
        raise BuildLockedError(
            f"另一个索引构建正在进行（{index_dir / LOCK_NAME} 已被占用，"
            f"等待 {wait_seconds:g} 秒后放弃）；请等它完成后重试 (another index build is running)"
        ) from e
    try:
        yield
    finally:
        lock.release()
