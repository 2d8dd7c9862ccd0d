"""Where the package's bundled data files (dictionaries, vocabularies, region lists) live."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(name: str) -> Path:
    """The path of one bundled data file, e.g. ``data_file("stopwords.txt")``."""
    return DATA_DIR / name
