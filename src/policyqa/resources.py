"""Where the package's bundled data files (dictionaries, vocabularies, region lists) live."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(name: str) -> Path:
    """The path of one bundled data file, e.g. ``data_file("stopwords.txt")``."""
    return DATA_DIR / name


def word_list(path: Path) -> tuple[str, ...]:
    """The words of a one-word-per-line list, in file order: blank and ``#`` lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))
