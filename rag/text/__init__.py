"""Text primitives, one module each, used by chunking, answering, verifying, condensing,
the evals and the UI: `sentences` (spans with offsets), `terms` (the stemmed words BM25
and term overlap compare), `markers` (the one `[n]` pattern, and the repair of other
spellings), `names`, `numbers`, `dates`, `acronyms`, `question_words`.

A new rule for reading text goes in the module of its kind, not beside its first user.
"""
