"""Word segmentation for BM25: a private jieba tokenizer with the corpus's policy terms."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

from policyqa.resources import DATA_DIR, word_list
from policyqa.text import normalize

_DATA = DATA_DIR
USERDICT = _DATA / "userdict.txt"
STOPWORDS = _DATA / "stopwords.txt"
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
# Words of recently tokenized texts: an answer tokenizes the question several times over and
# the sentences of the clauses it quotes, which recur across questions (jieba is the cost).
TOKENS_CACHE_SIZE = 16384

# jieba announces its dictionary build on the root of its own logger; keep stderr clean.
logging.getLogger("jieba").setLevel(logging.WARNING)


class PolicyTokenizer:
    """jieba in search mode with a policy-term user dictionary and Chinese stop words.

    A `jieba.Tokenizer` instance of our own, not the global one, so that the user dictionary
    does not leak into (or depend on) other code in the process.
    """

    def __init__(self, userdict: Path = USERDICT, stopwords: Path = STOPWORDS) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.load_userdict(str(userdict))
        self._lock = threading.Lock()
        self.stopwords = frozenset(word_list(stopwords))
        digest = hashlib.sha256(userdict.read_bytes() + stopwords.read_bytes())
        self.signature = f"jieba-{jieba.__version__}:{digest.hexdigest()[:16]}"
        # Per instance (its dictionary decides the words), so not a decorator on the method.
        self._cached_tokens = lru_cache(maxsize=TOKENS_CACHE_SIZE)(self._tokens)

    def tokens(self, text: str) -> list[str]:
        """Search-mode words of the normalized text, without stop words and punctuation."""
        # Keyed by the form that is cut: an answer tokenizes a question as typed and again
        # normalized (full-width "？" and "?"), which jieba cut twice when keyed by the text.
        key = normalize(text).lower()
        return list(self._cached_tokens(key))  # a fresh list: callers may change theirs

    def _tokens(self, cut_form: str) -> tuple[str, ...]:
        words = self._cut(cut_form)
        return tuple(w for w in words if w.strip() and w not in self.stopwords and _KEEP.search(w))

    def _cut(self, text: str) -> list[str]:
        # jieba builds its prefix dictionary lazily on first use; do that once, under a lock.
        if not self._jieba.initialized:
            with self._lock:
                self._jieba.initialize()
        return list(self._jieba.cut_for_search(text))


@lru_cache(maxsize=1)
def default_tokenizer() -> PolicyTokenizer:
    """The process-wide tokenizer (loading the dictionary takes about a second)."""
    return PolicyTokenizer()
