"""The index: Chroma vectors, BM25 postings and sentence vectors, one writer at a time."""
