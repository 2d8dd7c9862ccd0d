"""Measuring the product: the gold question sets and their scoring (`policyqa eval`), and a
bounded load client for benchmarks.

Reads answers through the same contract every front end returns; never changes how one is made.
"""
