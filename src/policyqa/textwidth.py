"""Terminal layout: display width of text (Chinese characters take two columns), padding, and the
plain-text tables the CLI and the evaluation report print. A leaf: imports nothing of policyqa.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` filled with spaces to `width` columns (on the left when `right`-aligned)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table_lines(
    headers: Sequence[str], rows: Sequence[Sequence[object]], numbers: bool = False
) -> list[str]:
    """A header, a rule of dashes and one line per row, columns lined up by display width.

    With `numbers`, the cells of every column but the first are right-aligned (headers stay left).
    """
    cells = [[str(x) for x in row] for row in rows]
    widths = [max(display_width(str(x)) for x in col) for col in zip(headers, *cells, strict=False)]
    lines = ["  ".join(pad(str(h), w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(
                pad(x, w, right=numbers and i > 0)
                for i, (x, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return lines
