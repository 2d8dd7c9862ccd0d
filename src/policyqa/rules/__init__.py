"""The rules stage: money parsing, the rule table, formula kinds and their calculators, and
eligibility matching of an enterprise profile against the table.

Pure functions over typed values: never retrieves, never reads a question's wording beyond the
figures handed to it, never does I/O except loading the rule table.
"""
