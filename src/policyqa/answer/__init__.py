"""The answer stage: reading a question, routing it (lookup, calculation, abstention), composing
a Chinese answer with citations, and the answer contract every front end returns.

Works on hits handed to it by ``search`` and amounts from ``rules``; never speaks HTTP and never
loads anything from disk. ``answer.contract`` is a leaf: it imports no other stage.
"""
