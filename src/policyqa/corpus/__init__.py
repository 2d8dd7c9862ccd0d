"""The corpus stage: manifest, reading documents (txt/docx/pdf, any encoding), cleaning scrape
damage, segmentation into the clause tree, metadata guessing and the transactional document store.

Owns the files under ``corpus/``. Never ranks, never answers, never computes an amount.
"""
