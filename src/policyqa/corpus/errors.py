"""The errors a document change (add, replace, remove) can raise, under one base class.

Owns that hierarchy, so front ends catch `DocumentError` and map its kinds to messages and HTTP
statuses (`serve.admin_api`). Never raised for a corpus already on disk that is broken: that is
`corpus.manifest.CorpusError`. Every message says, in Chinese, what to do about it.
"""

from __future__ import annotations


class DocumentError(Exception):
    """A document change that cannot be made as asked; the corpus and index were left untouched."""


class UnreadableDocumentError(DocumentError):
    """The file's text cannot be read: unsupported type, damaged file, unknown encoding."""


class ScannedPdfError(UnreadableDocumentError):
    """A PDF with no text layer (a scan); it needs OCR or the text version of the document."""


class MetadataError(DocumentError):
    """A metadata field is missing or invalid; the message names the flag / form field to set."""


class DuplicateDocumentError(DocumentError):
    """The same content (by sha256 of the file or of its text) is already in the corpus."""


class DocumentConflictError(DocumentError):
    """The change conflicts with the corpus: an id already taken, or rules needing the document."""


class UnknownDocumentError(DocumentError):
    """No document with that id in the manifest."""
