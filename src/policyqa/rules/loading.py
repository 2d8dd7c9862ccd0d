"""Reading the rule stage's TOML data files: the load error and the one read-and-validate step
that the rule table and its vocabulary share (a leaf of the rules package).

Never interprets an entry: the models say what is valid.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class RulesError(Exception):
    """The rule table is missing or invalid; the message names the file and the entry to fix."""


def read_model(
    path: Path, model: type[M], missing: str, context: dict[str, Any] | None = None
) -> M:
    """`path` parsed as TOML and validated as `model`; RulesError naming the file otherwise
    (`missing` says what to create when there is no file)."""
    if not path.is_file():
        raise RulesError(f"no {path.name} at {path}; {missing}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise RulesError(f"{path} is not valid TOML: {e}") from e
    try:
        return model.model_validate(data, context=context)
    except ValidationError as e:
        raise RulesError(f"{path}: invalid entry: {e}") from e


def corpus_key(corpus_dir: Path | None, *names: str) -> tuple[Path, tuple[int, ...]]:
    """(resolved corpus dir, mtimes of its files `names`): the cache key of loaded data files,
    so that a cached load is read again when any of them changes (default: configured corpus)."""
    if corpus_dir is None:
        from policyqa.settings import get_settings

        corpus_dir = get_settings().corpus_dir
    corpus_dir = corpus_dir.resolve()
    paths = [corpus_dir / name for name in names]
    return corpus_dir, tuple(p.stat().st_mtime_ns if p.is_file() else 0 for p in paths)
