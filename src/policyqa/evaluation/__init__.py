"""Measuring the product: the gold question set, reading answers through the contract, scoring
and the report (`policyqa eval`); and, for benchmarks and load tests, the real server started on
loopback and a bounded load client.

Modules: ``gold`` (schema, loading) → ``answers`` (the contract as read) → ``scoring`` (metrics,
`Report`) → ``render`` (text report); ``evaluate`` runs a system over the gold set. ``server``
starts app.py, ``loadgen`` loads it. Reads answers through the same contract every front end
returns; never changes how one is made.
"""
