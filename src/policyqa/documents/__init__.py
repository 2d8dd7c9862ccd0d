"""Keeping the corpus current: the transactional document store (add, replace, remove) and
recovery on start after a change that was killed part-way.

Coordinates the stages below it — reads and segments with ``corpus``, updates the index with
``search`` under the one build lock, reviews and validates rules with ``rules`` — so that no
stage imports a stage above it. Never answers a question and never speaks HTTP.
"""
