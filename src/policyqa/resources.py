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


class DataFileError(ValueError):
    """A bundled data file with a line that cannot be read; the message names file and line."""


def tsv_pairs(path: Path) -> tuple[tuple[str, str], ...]:
    """The (first, second) columns of a two-column tab-separated file, in file order: blank and
    ``#`` lines skipped; any other line without exactly two columns is a DataFileError."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = [c.strip() for c in line.split("\t")]
        if len(columns) != 2 or not all(columns):
            raise DataFileError(f"{path}:{number}: expected two tab-separated columns: {line!r}")
        pairs.append((columns[0], columns[1]))
    return tuple(pairs)
