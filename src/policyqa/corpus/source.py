"""`SourceFile`: one document as received (name and bytes) with the text read from it.

A leaf value type shared by the readers that make it and the metadata reader and document store
that consume it. Never reads files itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A document as received (name and bytes) with the text read from it."""

    name: str
    data: bytes = field(repr=False)
    text: str = field(repr=False)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
