"""The search stage: embedders, the tokenizer, index build/load/manifest, incremental updates,
hybrid retrieval (dense + BM25, RRF fusion, sentence re-rank, relevance floor).

Owns the files under ``index/``. Reads clauses from ``corpus``; never answers a question and
never computes an amount.
"""
