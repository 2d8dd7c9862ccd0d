"""policyqa: question answering over Chinese science-and-technology policy documents."""

from __future__ import annotations

__version__ = "0.1.0"
