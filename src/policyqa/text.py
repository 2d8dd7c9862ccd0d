"""Text rules with no I/O: 繁→简, full-width → half-width, and the search-side normal form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Characters NFKC leaves alone but that policy text uses as ASCII look-alikes ("1∶1" ratios).
_EXTRA_HALFWIDTH = str.maketrans({"∶": ":", "﹕": ":", "－": "-", "～": "~", "　": " "})
_SPACES = re.compile(r"[ \t\u00a0]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC (simplified input is returned unchanged)."""
    return _t2s().convert(text)


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation → half-width (NFKC plus a few look-alikes)."""
    return unicodedata.normalize("NFKC", text).translate(_EXTRA_HALFWIDTH)


def normalize(text: str) -> str:
    """The search-side form of any text: simplified, half-width, runs of spaces collapsed.

    What users see stays in the original characters; only this form is indexed and matched.
    """
    return _SPACES.sub(" ", to_halfwidth(to_simplified(text))).strip()
